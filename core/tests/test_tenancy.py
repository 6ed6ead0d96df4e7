"""Tenancy: requests and jobs run in their enterprise's scope; unscoped queries fail."""

import django_rq
import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, StreamingHttpResponse
from django.test import RequestFactory
from django_scopes import ScopeError, scope, scopes_disabled

from core.models import Job
from core.tenancy import (
    TenantMiddleware,
    enterprise_scope,
    get_for_member,
    no_enterprise_scope,
)
from tests.downloads import csv_rows
from tests.scopes import as_a_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs(enterprise, other_enterprise):
    return {
        "acme": Job.objects.create(enterprise=enterprise, title="Acme's export"),
        "globex": Job.objects.create(enterprise=other_enterprise, title="Globex's export"),
    }


def test_a_tenant_query_outside_any_scope_fails(jobs):
    with scope(), pytest.raises(ScopeError):
        list(Job.objects.all())


def test_a_tenant_query_without_an_enterprise_fails(jobs):
    with no_enterprise_scope(), pytest.raises(ScopeError):
        Job.objects.count()


def test_no_enterprise_scope_hides_the_scope_around_it(enterprise, jobs):
    # An anonymous page rendered inside a tenant's scope must not see that tenant's rows.
    with enterprise_scope(enterprise), no_enterprise_scope(), pytest.raises(ScopeError):
        Job.objects.count()
    with no_enterprise_scope(), pytest.raises(ScopeError):
        Job.objects.count()  # nor the rows of every tenant, inside the tests' scopes_disabled()


def test_inside_a_scope_only_that_enterprises_rows_exist(enterprise, jobs):
    with enterprise_scope(enterprise):
        assert list(Job.objects.all()) == [jobs["acme"]]
        assert not Job.objects.filter(pk=jobs["globex"].pk).exists()


def test_a_missing_enterprise_is_refused_rather_than_read_as_no_filter():
    with pytest.raises(ValueError), enterprise_scope(None):
        pass  # pragma: no cover


def _run_middleware(user, path="/"):
    """What a view sees: request.enterprise and the tenant rows it can reach."""
    seen = {}

    def view(request):
        seen["enterprise"] = request.enterprise
        try:
            seen["jobs"] = list(Job.objects.all())
        except ScopeError:
            seen["jobs"] = "ScopeError"
        return None

    request = RequestFactory().get(path)
    request.user = user
    TenantMiddleware(view)(request)
    return seen


def test_a_customer_request_sees_only_its_enterprise(admin_user, enterprise, jobs):
    seen = _run_middleware(admin_user)
    assert seen["enterprise"] == enterprise
    assert seen["jobs"] == [jobs["acme"]]


def test_an_anonymous_request_cannot_query_tenant_rows(jobs):
    from django.contrib.auth.models import AnonymousUser

    seen = _run_middleware(AnonymousUser())
    assert seen["enterprise"] is None
    assert seen["jobs"] == "ScopeError"


def test_staff_see_every_enterprise_in_the_back_office_only(staff_user, jobs):
    assert len(_run_middleware(staff_user, "/admin/core/job/")["jobs"]) == 2
    assert _run_middleware(staff_user, "/")["jobs"] == "ScopeError"


def test_get_for_member_is_404_for_another_enterprises_object(admin_user, outsider, jobs):
    request = RequestFactory().get("/")
    request.user, request.enterprise = outsider, outsider.enterprise
    with enterprise_scope(outsider.enterprise), pytest.raises(Http404):
        get_for_member(request, Job.objects.all(), pk=jobs["acme"].pk)


def test_get_for_member_is_403_without_the_permission(general_user, jobs):
    request = RequestFactory().get("/")
    request.user, request.enterprise = general_user, general_user.enterprise
    with enterprise_scope(general_user.enterprise), pytest.raises(PermissionDenied):
        get_for_member(
            request,
            Job.objects.all(),
            permission="accounts.manage_users",
            pk=jobs["acme"].pk,
        )


# The suite itself: what runs as a server or a worker starts with no scope, whatever the test's.


def test_acme_scope_shows_the_test_only_acmes_rows(acme_scope, jobs):
    assert list(Job.objects.all()) == [jobs["acme"]]
    with scopes_disabled():
        assert Job.objects.count() == 2


def test_a_server_or_worker_starts_with_no_scope_whatever_the_tests(acme_scope, jobs):
    with as_a_server(), pytest.raises(ScopeError):
        Job.objects.count()
    assert Job.objects.count() == 1


def test_a_streamed_body_is_read_with_no_scope(acme_scope, jobs):
    def lines():
        yield f"{Job.objects.count()}\n".encode()

    with pytest.raises(ScopeError):
        csv_rows(StreamingHttpResponse(lines()))


def count_jobs_without_a_scope():
    return Job.objects.count()


def test_a_job_run_by_the_test_worker_has_no_scope(acme_scope, jobs, run_jobs):
    # Queued at once, not at the commit of the test's transaction, which never comes.
    queue = django_rq.get_queue("default", commit_mode="auto")
    forgetful = queue.enqueue(count_jobs_without_a_scope)
    run_jobs()
    assert forgetful.get_status(refresh=True) == "failed"
    assert "ScopeError" in forgetful.latest_result().exc_string
