"""Failed jobs reach staff: an e-mail to ADMINS and the back office's Failed jobs page."""

import django_rq
import pytest
from django.urls import reverse

from core.jobs import enqueue, retry_policy, start_job
from core.models import Job
from tests.factories import UserFactory
from tests.totp import enable_totp

URL = reverse("admin:core_job_failed")
# The tenant, as core knows it: what a Job belongs to.
Enterprise = Job._meta.get_field("enterprise").related_model

# Jobs are run by RQ, which imports them by name: they live at module level. One retry, at
# once, so that one burst of the worker reaches the last failure.


@retry_policy(waits=(0,))
def submit_order(enterprise_id):
    """Fails until the enterprise is "Ready", like a carrier API that is down for a while."""
    if Enterprise.objects.get(pk=enterprise_id).name != "Ready":
        raise ConnectionError("The carrier's API did not answer.")


@retry_policy(waits=(0,))
def export_numbers(job):
    submit_order(job.enterprise_id)
    return "/help/"


@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    yield queue
    registry = queue.failed_job_registry
    for rq_id in registry.get_job_ids():
        registry.remove(rq_id, delete_job=True)


@pytest.fixture
def failed(queue, enterprise, run_jobs, settings, django_capture_on_commit_callbacks):
    """The id of a job of Acme's that has failed for good."""
    settings.ADMINS = ["ops@carrier.test"]
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(submit_order, enterprise.pk, kind="Port order", enterprise=enterprise)
    [rq_id] = queue.job_ids
    run_jobs()
    assert queue.failed_job_registry.get_job_ids() == [rq_id]
    return rq_id


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_get_one_email_naming_the_kind_enterprise_and_error(failed, enterprise, mailoutbox):
    [alert] = mailoutbox
    assert alert.to == ["ops@carrier.test"]
    assert alert.subject == (
        "[Carrier Portal] Job failed: Port order (Acme Telecom (ACC000001), "
        f"id {enterprise.pk}): ConnectionError: The carrier's API did not answer."
    )
    assert "Kind: Port order" in alert.body
    assert f"Enterprise: Acme Telecom (ACC000001), id {enterprise.pk}" in alert.body
    assert "Function: core.tests.test_failed_jobs.submit_order" in alert.body
    assert f"Queue job: {failed}" in alert.body
    assert f"http://127.0.0.1:8000{URL}" in alert.body
    assert 'raise ConnectionError("The carrier\'s API did not answer.")' in alert.body


def test_no_email_without_admins(
    queue, enterprise, run_jobs, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.ADMINS = []
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(submit_order, enterprise.pk, kind="Port order", enterprise=enterprise)
    run_jobs()
    assert queue.failed_job_registry.count == 1
    assert mailoutbox == []


def test_the_page_lists_the_failed_job_with_its_enterprise_and_kind(
    staff_client, failed, enterprise
):
    response = staff_client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert "Port order" in html
    assert "Acme Telecom (ACC000001)" in html
    assert reverse("admin:accounts_enterprise_change", args=[enterprise.pk]) in html
    assert "core.tests.test_failed_jobs.submit_order" in html
    assert "ConnectionError: The carrier&#x27;s API did not answer." in html
    assert f'value="{failed}"' in html


def test_the_jobs_list_links_to_it(staff_client):
    response = staff_client.get(reverse("admin:core_job_changelist"))
    assert f'href="{URL}"' in response.text


def test_the_page_says_when_nothing_failed(staff_client, queue):
    response = staff_client.get(URL)
    assert response.status_code == 200
    assert "No failed jobs." in response.text


def test_staff_requeue_a_failed_job(staff_client, failed, queue, enterprise, run_jobs, mailoutbox):
    Enterprise.objects.filter(pk=enterprise.pk).update(name="Ready")

    response = staff_client.post(URL, {"job": failed, "action": "requeue"})

    assert response.status_code == 302 and response.url == URL
    assert queue.failed_job_registry.count == 0
    assert queue.job_ids == [failed]
    assert run_jobs() == 1
    assert queue.fetch_job(failed).get_status() == "finished"
    assert len(mailoutbox) == 1  # the first alert only
    assert f"Job {failed} queued again." in staff_client.get(URL).text


def test_a_requeued_job_that_fails_again_alerts_again(
    staff_client, failed, queue, run_jobs, mailoutbox
):
    staff_client.post(URL, {"job": failed, "action": "requeue"})
    run_jobs()
    assert queue.failed_job_registry.get_job_ids() == [failed]
    assert len(mailoutbox) == 2


def test_requeueing_a_followed_job_runs_it_again(
    staff_client, queue, enterprise, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job(
            export_numbers,
            title="Exporting numbers",
            permission="",
            enterprise=enterprise,
            created_by=admin_user,
        )
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    [rq_id] = queue.failed_job_registry.get_job_ids()
    assert "Exporting numbers" in staff_client.get(URL).text

    Enterprise.objects.filter(pk=enterprise.pk).update(name="Ready")
    staff_client.post(URL, {"job": rq_id, "action": "requeue"})
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_url == "/help/"
    assert job.attempts == 3


def test_staff_delete_a_failed_job(staff_client, failed, queue):
    response = staff_client.post(URL, {"job": failed, "action": "delete"})
    assert response.status_code == 302
    assert queue.failed_job_registry.count == 0
    assert queue.fetch_job(failed) is None


def test_a_job_that_is_gone_is_reported(staff_client, queue):
    response = staff_client.post(URL, {"job": "no-such-job", "action": "requeue"}, follow=True)
    assert "Job no-such-job is no longer among the failed jobs." in response.text


@pytest.mark.parametrize("persona", [None, "admin_user", "general_user", "outsider"])
def test_customers_cannot_see_or_requeue_failed_jobs(client, failed, queue, persona, request):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    for response in (client.get(URL), client.post(URL, {"job": failed, "action": "requeue"})):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert queue.failed_job_registry.get_job_ids() == [failed]


def test_staff_without_the_job_permissions_cannot_see_or_requeue(client, failed, queue):
    staff = UserFactory(enterprise=None, role=None, is_staff=True)
    enable_totp(staff)
    client.force_login(staff)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"job": failed, "action": "requeue"}).status_code == 403
    assert queue.failed_job_registry.get_job_ids() == [failed]
