"""Record audit events: the one place that writes to the audit log."""

from allauth.core.internal.httpkit import get_client_ip

from .models import AuditEvent


def record(
    action, *, request=None, actor=None, actor_email=None, enterprise=None, obj=None, details=None
):
    """Write one audit event; actor and IP default to the request's.

    actor_email names who acted when no user is known (a sign-in attempt for an unknown address).
    """
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
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
        details=details or {},
        ip_address=client_ip(request),
    )


def client_ip(request):
    if request is None:
        return None
    return get_client_ip(request)
