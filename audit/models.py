from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from core.tenancy import tenant_manager

from . import actions


class AuditEvent(models.Model):
    """Who did what, to which object, from where and when (UTC)."""

    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_email = models.EmailField(blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(
        default=list,
        blank=True,
        help_text="What changed, in words: field, before and after, e.g. Require MFA: off, on.",
    )
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # One index per sortable column of the audit log, for keyset pages at any depth
        # (core.tables); substring search on object_repr has a trigram index (migration 0003).
        indexes = [
            models.Index(fields=["enterprise", "-created_at", "-id"]),
            models.Index(fields=["enterprise", "action", "id"]),
            models.Index(fields=["enterprise", "actor_email", "id"]),
            # The Actor filter reads events by address (AuditEventFilter.filter_actor): one
            # address's newest first, and several addresses' sorted by actor (PostgreSQL 15
            # keeps the order of `actor_email IN (...)` only when actor_email leads the index).
            models.Index(fields=["actor_email", "-created_at", "-id"], name="audit_actor_time"),
            models.Index(fields=["actor_email", "id"], name="audit_actor_email_id"),
        ]

    def __str__(self):
        return f"{self.action_label} by {self.actor_email or 'unknown'}"

    @property
    def action_label(self):
        return actions.label_for(self.action)

    @property
    def changes_in_words(self):
        """What changed, e.g. "Require MFA: off → on; Role: General User → Administrator"."""
        return "; ".join(
            f"{change['field']}: {change['before']} → {change['after']}" for change in self.changes
        )


# Each step reads the smallest address after the last one from the (enterprise, actor_email, id)
# index: one index probe per address (a skip scan, which PostgreSQL 15 does not do by itself)
# where DISTINCT would read every event of the enterprise.
_ACTOR_ADDRESSES_SQL = """
WITH RECURSIVE address (email) AS (
    SELECT min(actor_email) FROM audit_auditevent WHERE enterprise_id = %s
    UNION ALL
    SELECT (
        SELECT min(actor_email) FROM audit_auditevent
        WHERE enterprise_id = %s AND actor_email > address.email
    )
    FROM address WHERE address.email IS NOT NULL
)
SELECT email FROM address WHERE email IS NOT NULL ORDER BY email
"""


def actor_addresses(enterprise_id):
    """Every address that has acted in the enterprise's audit log, in order, "" included."""
    with connection.cursor() as cursor:
        cursor.execute(_ACTOR_ADDRESSES_SQL, [enterprise_id, enterprise_id])
        return [email for (email,) in cursor.fetchall()]
