"""The audit actions of trunks (orders record theirs in orders.actions)."""

from audit.actions import declare

PACKAGE_CREATED = declare("trunks.package.created", "Package created")
TRUNK_STATUS_CHANGED = declare("trunks.trunk.status_changed", "Trunk status changed")
TRUNK_CHANGED = declare("trunks.trunk.changed", "Trunk changed")
POLICY_SAVED = declare("trunks.routing_policy.saved", "Routing policy saved")
POLICY_DELETED = declare("trunks.routing_policy.deleted", "Routing policy deleted")
