"""Tenancy: requests and jobs run in their enterprise's scope; unscoped queries fail."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django_scopes import ScopeError, scope

from audit.models import AuditEvent
from core.tenancy import (
    TenantMiddleware,
    enterprise_scope,
    get_for_member,
    no_enterprise_scope,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(enterprise, other_enterprise):
    return {
        "acme": AuditEvent.objects.create(enterprise=enterprise, action="accounts.user.signed_in"),
        "globex": AuditEvent.objects.create(
            enterprise=other_enterprise, action="accounts.user.signed_in"
        ),
    }


def test_a_tenant_query_outside_any_scope_fails(events):
    with scope(), pytest.raises(ScopeError):
        list(AuditEvent.objects.all())


def test_a_tenant_query_without_an_enterprise_fails(events):
    with no_enterprise_scope(), pytest.raises(ScopeError):
        AuditEvent.objects.count()


def test_inside_a_scope_only_that_enterprises_rows_exist(enterprise, events):
    with enterprise_scope(enterprise):
        assert list(AuditEvent.objects.all()) == [events["acme"]]
        assert not AuditEvent.objects.filter(pk=events["globex"].pk).exists()


def test_a_missing_enterprise_is_refused_rather_than_read_as_no_filter():
    with pytest.raises(ValueError), enterprise_scope(None):
        pass  # pragma: no cover


def _run_middleware(user, path="/"):
    """What a view sees: request.enterprise and the tenant rows it can reach."""
    seen = {}

    def view(request):
        seen["enterprise"] = request.enterprise
        try:
            seen["events"] = list(AuditEvent.objects.all())
        except ScopeError:
            seen["events"] = "ScopeError"
        return None

    request = RequestFactory().get(path)
    request.user = user
    TenantMiddleware(view)(request)
    return seen


def test_a_customer_request_sees_only_its_enterprise(admin_user, enterprise, events):
    seen = _run_middleware(admin_user)
    assert seen["enterprise"] == enterprise
    assert seen["events"] == [events["acme"]]


def test_an_anonymous_request_cannot_query_tenant_rows(events):
    from django.contrib.auth.models import AnonymousUser

    seen = _run_middleware(AnonymousUser())
    assert seen["enterprise"] is None
    assert seen["events"] == "ScopeError"


def test_staff_see_every_enterprise_in_the_back_office_only(staff_user, events):
    assert len(_run_middleware(staff_user, "/admin/audit/auditevent/")["events"]) == 2
    assert _run_middleware(staff_user, "/")["events"] == "ScopeError"


def test_get_for_member_is_404_for_another_enterprises_object(admin_user, outsider, events):
    request = RequestFactory().get("/")
    request.user, request.enterprise = outsider, outsider.enterprise
    with enterprise_scope(outsider.enterprise), pytest.raises(Http404):
        get_for_member(request, AuditEvent.objects.all(), pk=events["acme"].pk)


def test_get_for_member_is_403_without_the_permission(general_user, events):
    request = RequestFactory().get("/")
    request.user, request.enterprise = general_user, general_user.enterprise
    with enterprise_scope(general_user.enterprise), pytest.raises(PermissionDenied):
        get_for_member(
            request,
            AuditEvent.objects.all(),
            permission="audit.view_audit_log",
            pk=events["acme"].pk,
        )
