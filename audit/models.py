from django.conf import settings
from django.db import models
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
        # (core.tables); substring search on actor_email and object_repr has trigram indexes
        # (migrations 0002 and 0003), actor_email's with statistics on every actor (0004).
        indexes = [
            models.Index(fields=["enterprise", "-created_at", "-id"]),
            models.Index(fields=["enterprise", "action", "id"]),
            models.Index(fields=["enterprise", "actor_email", "id"]),
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
