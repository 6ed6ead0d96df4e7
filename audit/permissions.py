"""The permissions of the audit log."""

from core.permissions import ADMINISTRATOR, declare

VIEW_AUDIT_LOG = declare(
    "audit.view_audit_log", "See the audit log and download it", roles=[ADMINISTRATOR]
)
