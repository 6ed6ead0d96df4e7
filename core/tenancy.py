"""Tenancy: every customer request and job works inside its enterprise's scope.

Tenant-owned models declare `objects = tenant_manager()`. Their queries are filtered to the
enterprise of the scope that is active, and fail with ScopeError when none is: a customer view
or a job that forgets the tenant gets an error, never another enterprise's rows.

- Customer requests: TenantMiddleware sets `request.enterprise` and activates its scope.
- Jobs: `with enterprise_scope(enterprise_id):` around the work (core.jobs.run_job does it).
- Streamed responses: the server reads the body after the view and the middleware have
  returned, so `StreamingHttpResponse(stream_within_request(chunks))` carries the request's scope.
- Back office, migrations, management commands: `scopes_disabled()` (django-scopes).
"""

import contextvars
from contextlib import contextmanager
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_scopes import ScopedManager, scope, scopes_disabled
from django_scopes.state import state as scopes_state

# Permissions that views require, for the check that each one is declared (core.checks).
REQUIRED_PERMISSIONS: set[str] = set()


def tenant_manager(manager_class=None, **kwargs):
    """The default manager of a tenant-owned model, scoped by its `enterprise` field."""
    if manager_class is None:
        return ScopedManager(enterprise="enterprise")
    return ScopedManager(manager_class, enterprise="enterprise")


@contextmanager
def enterprise_scope(enterprise):
    """Run the block inside one enterprise's scope (an Enterprise or its id)."""
    if enterprise is None:
        # django-scopes reads a None value as "no filter": never let that happen by accident.
        raise ValueError("enterprise_scope() needs an enterprise.")
    enterprise_id = getattr(enterprise, "pk", enterprise)
    with scope(enterprise=enterprise_id):
        yield


@contextmanager
def no_enterprise_scope():
    """A scope in which every query of a tenant-owned model fails: no tenant is known.

    Whatever scope surrounds it is hidden, as in a server's or worker's fresh thread:
    django-scopes' own scope() copies the surrounding scope's values, so it cannot empty it.
    """
    token = scopes_state.set(None)
    try:
        yield
    finally:
        scopes_state.reset(token)


def stream_within_request(chunks):
    """The chunks of a streamed body, each made in the context of the request that built it.

    Call it in the view. The server iterates a StreamingHttpResponse after the view has returned
    and TenantMiddleware's scope has ended: a query made then would fail with ScopeError. Each
    chunk is made in a copy of the view's context, with its tenant scope and time zone.
    """
    # Copied now, in the view: the generator below starts only when the server reads it.
    return _chunks_within(contextvars.copy_context(), iter(chunks))


def _chunks_within(context, chunks):
    while True:
        try:
            chunk = context.run(next, chunks)
        except StopIteration:
            return
        yield chunk


class TenantMiddleware:
    """Resolve the signed-in user's enterprise once and run the request in its scope.

    Staff in the back office see every enterprise; everyone else outside an enterprise
    (anonymous visitors, staff on customer pages) gets a scope in which tenant queries fail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.enterprise = user.enterprise if user.is_authenticated else None
        if request.enterprise is not None:
            with enterprise_scope(request.enterprise):
                return self.get_response(request)
        if user.is_authenticated and user.is_staff and request.path_info.startswith("/admin/"):
            with scopes_disabled():
                return self.get_response(request)
        with no_enterprise_scope():
            return self.get_response(request)


def enterprise_member_required(view):
    """Signed-in users of an enterprise only; carrier staff use the back office instead."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.enterprise is None:
            raise PermissionDenied("Staff accounts use the back office.")
        return view(request, *args, **kwargs)

    return wrapper


def enterprise_permission_required(permission):
    """Members of an enterprise whose role grants permission; others get a 403."""
    REQUIRED_PERMISSIONS.add(permission)

    def decorator(view):
        @enterprise_member_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise PermissionDenied("Your role does not allow this.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_for_member(request, queryset, *, permission=None, **lookup):
    """One object of the request's enterprise: 404 when it is not theirs, 403 without permission.

    queryset is a tenant-owned model's queryset (or a related manager of the enterprise); the
    active scope keeps other enterprises' rows out of it.
    """
    obj = get_object_or_404(queryset, **lookup)
    if getattr(obj, "enterprise_id", request.enterprise.pk) != request.enterprise.pk:
        # Unreachable through a scoped queryset; a guard for querysets that are not.
        raise Http404
    if permission is not None and not request.user.has_perm(permission):
        raise PermissionDenied("Your role does not allow this.")
    return obj
