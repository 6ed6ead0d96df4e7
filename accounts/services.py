"""Workflows across accounts models; each one records its audit events."""

from django.db import transaction
from django.utils import timezone

from .audit import Action, record


@transaction.atomic
def update_enterprise_settings(enterprise, *, by, request, adr_delivery_enabled, require_mfa):
    """Apply Enterprise Settings; return the names of the settings that changed."""
    changes = {}
    fields = []
    if enterprise.adr_delivery_enabled != adr_delivery_enabled:
        changes["adr_delivery_enabled"] = adr_delivery_enabled
        enterprise.adr_delivery_enabled = adr_delivery_enabled
        enterprise.adr_delivery_changed_by = by
        enterprise.adr_delivery_changed_at = timezone.now()
        fields += ["adr_delivery_enabled", "adr_delivery_changed_by", "adr_delivery_changed_at"]
    if enterprise.require_mfa != require_mfa:
        changes["require_mfa"] = require_mfa
        enterprise.require_mfa = require_mfa
        fields.append("require_mfa")
    if fields:
        enterprise.save(update_fields=fields)
        record(
            Action.SETTINGS_CHANGED,
            request=request,
            actor=by,
            enterprise=enterprise,
            obj=enterprise,
            details=changes,
        )
    return list(changes)
