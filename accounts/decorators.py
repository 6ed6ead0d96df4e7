"""Access rules for customer views: every view is reached through the user's enterprise."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def enterprise_member_required(view):
    """Signed-in users of an enterprise only; carrier staff use the back office instead."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.enterprise_id is None:
            raise PermissionDenied("Staff accounts use the back office.")
        return view(request, *args, **kwargs)

    return wrapper


def enterprise_permission_required(perm):
    """Members of an enterprise whose role grants perm; others get a 403."""

    def decorator(view):
        @enterprise_member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(perm):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
