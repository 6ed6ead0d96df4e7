"""Record audit events: the one place that writes to the audit log.

Services call record() with the acting user and the client address their caller passed in, so a
view, a worker and the API record the same way:

    record(
        actions.SETTINGS_CHANGED,
        actor=by,
        ip_address=ip_address,
        obj=enterprise,
        changes=[Change("Require MFA", False, True)],
    )
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from allauth.core.internal.httpkit import get_client_ip

from core.actors import Actor

from . import actions
from .models import AuditEvent

NONE = "(none)"


@dataclass(frozen=True)
class Change:
    """One thing that changed, named as people see it on the page, with its values."""

    field: str
    before: Any
    after: Any

    def in_words(self):
        return {"field": self.field, "before": in_words(self.before), "after": in_words(self.after)}


def in_words(value):
    """A value as the audit log shows it: on/off, (none), a list joined, a time in UTC."""
    if value is None or value == "":
        return NONE
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(in_words(item) for item in value) or NONE
    return str(value)


def record(
    action,
    *,
    actor,
    ip_address=None,
    enterprise=None,
    obj=None,
    changes=(),
    details=None,
    actor_email=None,
):
    """Write one audit event; the enterprise defaults to the object's, then the actor's.

    actor is a User, a core.actors.Actor (the portal, carrier staff, an API key: kept in words
    as details["actor"]), or None when no user is known, e.g. a sign-in attempt for an unknown
    address: then actor_email names who tried.
    """
    if not actions.is_declared(action):
        raise ValueError(f"No app declares the audit action {action!r}.")
    if isinstance(actor, Actor):
        if actor.kind != Actor.USER:
            details = {"actor": actor.display, **(details or {})}
        actor = actor.user
    if enterprise is None:
        enterprise = getattr(obj, "enterprise", None) or getattr(actor, "enterprise", None)
    return AuditEvent.objects.create(
        enterprise=enterprise,
        actor=actor if actor is not None and actor.pk else None,
        actor_email=(actor_email or getattr(actor, "email", "") or "")[:254],
        action=action,
        object_type=obj._meta.verbose_name if obj is not None else "",
        object_id=str(getattr(obj, "public_id", None) or obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=[change.in_words() for change in changes],
        details=details or {},
        ip_address=ip_address,
    )


def client_ip(request):
    """The client's address, trusting as many X-Forwarded-For proxies as settings say.

    None without a request: Django checks a password outside a web request too.
    """
    if request is None:
        return None
    return get_client_ip(request)
