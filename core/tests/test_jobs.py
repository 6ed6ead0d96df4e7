"""Background jobs (core.jobs): queued after commit, run by the worker, retried, followed."""

from contextlib import suppress
from datetime import timedelta

import django_rq
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import ScopeError, scope
from rq.cron import CronScheduler

from core.jobs import enqueue, purge_finished_jobs, recover_jobs, retry_policy, run_job, start_job
from core.models import Job
from core.permissions import GENERAL_USER
from core.tests.url_cases import ADMINISTRATORS_ONLY
from tests.factories import role

STAFF = ["Ops Team <ops@carrier.test>", "oncall@carrier.test"]
# The tenant, as core knows it: what a Job belongs to.
Enterprise = Job._meta.get_field("enterprise").related_model

# Jobs are run by RQ, which imports them by name: they live at module level.


def rename_enterprise(enterprise_id, name):
    Enterprise.objects.filter(pk=enterprise_id).update(name=name)


def count_to_three(job):
    for done in range(1, 4):
        job.report_progress(done, total=3, message=f"Step {done} of 3")
    Enterprise.objects.filter(pk=job.enterprise_id).update(name=f"Counted by job {job.pk}")
    return "/help/"


def always_fails(job):
    raise ConnectionError("The carrier's API did not answer.")


# Retried at once, so that one burst of the worker sees every attempt.
@retry_policy(waits=(0, 0, 0))
def always_fails_at_once(job):
    raise ConnectionError("The carrier's API did not answer.")


@retry_policy(waits=(0,))
def fails_to_rename(enterprise_id):
    raise ConnectionError("The carrier's API did not answer.")


def fails_to_rename_for_now(enterprise_id):
    raise ConnectionError("The carrier's API did not answer.")


def visible_job_titles():
    return sorted(Job.objects.values_list("title", flat=True))


def note_visible_jobs(job):
    job.report_progress(0, message=", ".join(visible_job_titles()))


@pytest.fixture
def queue():
    return django_rq.get_queue("default")


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.ADMINS = STAFF


@pytest.fixture
def forget_failed(queue):
    """Leave RQ's failed and scheduled registries as they were found."""
    yield
    for registry in (queue.failed_job_registry, queue.scheduled_job_registry):
        for rq_id in registry.get_job_ids():
            registry.remove(rq_id, delete_job=True)


def test_it_queues_a_job_only_once_the_transaction_commits(
    enterprise, queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(rename_enterprise, enterprise.pk, "Renamed", kind="Renaming")
        assert queue.count == 0
    assert queue.count == 1


def test_it_queues_nothing_when_the_transaction_rolls_back(
    enterprise, queue, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        suppress(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(rename_enterprise, enterprise.pk, "Renamed", kind="Renaming")
        raise RuntimeError("the view failed after queueing")
    assert callbacks == []
    assert queue.count == 0


def test_the_worker_runs_a_queued_job(enterprise, run_jobs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(rename_enterprise, enterprise.pk, "Renamed by the worker", kind="Renaming")
    assert run_jobs() == 1
    enterprise.refresh_from_db()
    assert enterprise.name == "Renamed by the worker"


@pytest.fixture
def start(enterprise, admin_user, django_capture_on_commit_callbacks):
    def start(func, title="Counting"):
        with django_capture_on_commit_callbacks(execute=True):
            return start_job(
                func, title=title, permission="", enterprise=enterprise, created_by=admin_user
            )

    return start


def test_a_started_job_reports_progress_and_its_result(start, run_jobs, enterprise):
    job = start(count_to_three)
    assert job.status == Job.Status.QUEUED
    assert job.function == "core.tests.test_jobs.count_to_three"
    assert run_jobs() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert (job.progress_done, job.progress_total, job.percent) == (3, 3, 100)
    assert job.message == "Step 3 of 3"
    assert job.result_url == "/help/"
    assert job.attempts == 1
    assert job.started_at <= job.finished_at
    enterprise.refresh_from_db()
    assert enterprise.name == f"Counted by job {job.pk}"


def test_progress_is_a_percentage_of_the_total(start):
    job = start(count_to_three)
    assert job.percent == 0
    job.report_progress(1, total=4)
    job.refresh_from_db()
    assert job.percent == 25


def test_running_a_finished_job_again_does_no_harm(start, run_jobs, enterprise):
    job = start(count_to_three)
    run_jobs()
    job.refresh_from_db()
    finished_at = job.finished_at
    Enterprise.objects.filter(pk=enterprise.pk).update(name="Changed since")

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.finished_at) == (Job.Status.SUCCEEDED, 1, finished_at)
    enterprise.refresh_from_db()
    assert enterprise.name == "Changed since"


def test_a_failing_job_is_retried_later(start, run_jobs, queue, mailoutbox, forget_failed):
    job = start(always_fails, title="Submitting")
    [first_rq_id] = queue.job_ids
    before = timezone.now()
    run_jobs()
    after = timezone.now()
    job.refresh_from_db()
    assert job.status == Job.Status.RETRYING
    assert job.message == "ConnectionError: The carrier's API did not answer."
    assert job.attempts == 1
    # The default policy waits 10 s before the first retry, scheduled as a new queue job.
    assert job.retry_waits == [10, 60, 300]
    ten_seconds = timedelta(seconds=10)
    assert before + ten_seconds <= job.next_attempt_at <= after + ten_seconds
    assert job.queue_job_id != first_rq_id
    rq_job = queue.fetch_job(job.queue_job_id)
    assert rq_job.get_status() == "scheduled"
    scheduled_at = queue.scheduled_job_registry.get_scheduled_time(rq_job)
    assert abs(scheduled_at - job.next_attempt_at) < timedelta(seconds=1)
    assert mailoutbox == []  # staff hear of it only once it has failed for good


def test_a_job_that_keeps_failing_ends_failed_and_visible_to_staff(
    start, run_jobs, queue, client, staff_user, mailoutbox
):
    job = start(always_fails_at_once, title="Submitting")
    run_jobs()

    job.refresh_from_db()
    rq_id = job.queue_job_id  # the last attempt's
    assert job.status == Job.Status.FAILED
    assert job.attempts == 4
    assert job.finished_at is not None
    assert rq_id in queue.failed_job_registry.get_job_ids()
    # Three failures were retried in silence; the fourth, the last, alerted staff once.
    [alert] = mailoutbox
    assert alert.to == STAFF
    assert alert.subject.startswith("[Carrier Portal] Job failed: Submitting (Acme Telecom")
    assert "Kind: Submitting" in alert.body
    assert f"Enterprise: Acme Telecom (ACC000001), id {job.enterprise_id}" in alert.body
    assert "ConnectionError: The carrier's API did not answer." in alert.body
    assert rq_id in alert.body

    client.force_login(staff_user)
    response = client.get(reverse("django_rq:failed_jobs", args=[0]))
    assert response.status_code == 200
    assert rq_id in response.text
    queue.failed_job_registry.remove(rq_id, delete_job=True)


def test_a_plain_job_that_fails_for_good_alerts_staff_once(
    enterprise, run_jobs, queue, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(fails_to_rename, enterprise.pk, kind="Renaming", enterprise=enterprise)
    [rq_id] = queue.job_ids
    assert queue.fetch_job(rq_id).meta == {
        "kind": "Renaming",
        "enterprise_id": enterprise.pk,
        "enterprise": "Acme Telecom (ACC000001)",
    }
    run_jobs()

    assert rq_id in queue.failed_job_registry.get_job_ids()
    [alert] = mailoutbox
    assert "Renaming" in alert.subject and "Acme Telecom" in alert.subject
    assert "Function: core.tests.test_jobs.fails_to_rename" in alert.body
    assert "ConnectionError: The carrier's API did not answer." in alert.body
    queue.failed_job_registry.remove(rq_id, delete_job=True)


def test_a_job_with_retries_left_alerts_nobody(
    enterprise, run_jobs, queue, mailoutbox, forget_failed, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(fails_to_rename_for_now, enterprise.pk, kind="Renaming", enterprise=enterprise)
    run_jobs()
    assert queue.scheduled_job_registry.count == 1
    assert queue.failed_job_registry.count == 0
    assert mailoutbox == []


def test_without_redis_a_failing_job_alerts_staff_at_once(
    settings, start, enterprise, queue, mailoutbox
):
    settings.JOBS_INLINE = True
    job = start(always_fails, title="Submitting")  # runs on commit, in this process

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1
    assert queue.count == 0
    [alert] = mailoutbox
    assert alert.to == STAFF
    assert "Submitting" in alert.subject and "Acme Telecom" in alert.subject
    assert "ConnectionError: The carrier's API did not answer." in alert.body


def test_without_redis_a_job_that_works_alerts_nobody(
    settings, enterprise, mailoutbox, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(rename_enterprise, enterprise.pk, "Renamed inline", kind="Renaming")
    enterprise.refresh_from_db()
    assert enterprise.name == "Renamed inline"
    assert mailoutbox == []


def test_a_job_sees_only_its_own_enterprises_rows(start, run_jobs, enterprise, other_enterprise):
    Job.objects.create(title="Acme export", function="x.y", enterprise=enterprise)
    Job.objects.create(title="Globex export", function="x.y", enterprise=other_enterprise)
    job = start(note_visible_jobs, title="Looking around")
    run_jobs()
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.message == "Acme export, Looking around"


def test_a_tenant_query_outside_any_scope_fails(enterprise):
    Job.objects.create(title="Acme export", function="x.y", enterprise=enterprise)
    with scope(), pytest.raises(ScopeError):
        visible_job_titles()


def test_a_job_says_who_may_follow_it(enterprise):
    with pytest.raises(TypeError, match="permission"):
        start_job(count_to_three, title="Counting", enterprise=enterprise)


@pytest.fixture
def job(start):
    return start(count_to_three, title="Exporting numbers")


def test_the_job_page_shows_progress_to_the_enterprise(admin_client, job):
    job.report_progress(1, total=3)
    response = admin_client.get(reverse("job_status", args=[job.public_id]))
    assert response.status_code == 200
    assert "<h1>Exporting numbers</h1>" in response.text
    assert 'value="33"' in response.text
    assert "1 of 3" in response.text


def test_other_users_of_the_enterprise_see_the_job_too(client, read_only_user, job):
    client.force_login(read_only_user)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 200


def test_htmx_gets_the_polling_part_while_the_job_runs(admin_client, job):
    assert job.claim()
    response = admin_client.get(reverse("job_status", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'hx-trigger="every 1s"' in response.text
    assert f'hx-get="{reverse("job_status", args=[job.public_id])}"' in response.text


def test_htmx_polling_stops_when_the_job_has_finished(admin_client, job, run_jobs):
    run_jobs()
    response = admin_client.get(reverse("job_status", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in response.text and "hx-get" not in response.text
    assert "Done" in response.text
    assert 'href="/help/"' in response.text


def test_a_failed_job_says_so(admin_client, job):
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, message="ConnectionError: boom")
    response = admin_client.get(reverse("job_status", args=[job.public_id]), HTTP_HX_REQUEST="true")
    assert "This could not be completed" in response.text
    assert "hx-trigger" not in response.text


def test_it_checks_ownership_of_the_job(client, outsider, job):
    client.force_login(outsider)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 404


def test_it_requires_the_permission_of_the_jobs_kind(client, general_user, admin_user, job):
    Job.objects.filter(pk=job.pk).update(permission=ADMINISTRATORS_ONLY)
    assert ADMINISTRATORS_ONLY not in role(GENERAL_USER).permissions
    client.force_login(general_user)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 200


def test_an_outsider_gets_404_even_with_the_permission(client, outsider, job):
    Job.objects.filter(pk=job.pk).update(permission=ADMINISTRATORS_ONLY)
    client.force_login(outsider)
    assert client.get(reverse("job_status", args=[job.public_id])).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, job):
    response = client.get(reverse("job_status", args=[job.public_id]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def make_job(enterprise, status, finished_days_ago=None):
    job = Job.objects.create(title=status, function="x.y", enterprise=enterprise, status=status)
    if finished_days_ago is not None:
        job.finished_at = timezone.now() - timedelta(days=finished_days_ago)
        job.save()
    return job


def test_purging_deletes_only_jobs_that_finished_long_ago(enterprise):
    old_done = make_job(enterprise, Job.Status.SUCCEEDED, finished_days_ago=31)
    old_failed = make_job(enterprise, Job.Status.FAILED, finished_days_ago=45)
    recent = make_job(enterprise, Job.Status.SUCCEEDED, finished_days_ago=29)
    running = make_job(enterprise, Job.Status.RUNNING)
    Job.objects.filter(pk=running.pk).update(created_at=timezone.now() - timedelta(days=90))
    retrying = make_job(enterprise, Job.Status.RETRYING)

    assert purge_finished_jobs() == 2
    remaining = set(Job.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, running.pk, retrying.pk}
    assert not {old_done.pk, old_failed.pk} & remaining
    assert purge_finished_jobs() == 0


def test_the_cron_process_loads_the_periodic_jobs(enterprise, queue, run_jobs):
    scheduler = CronScheduler(connection=queue.connection)
    scheduler.load_config_from_file("portal.cron")
    registered = {job.func: job for job in scheduler.get_jobs()}
    assert registered[recover_jobs].cron == "* * * * *"
    purge = registered[purge_finished_jobs]
    assert purge.cron == "17 3 * * *"
    assert purge.queue_name == "default"
    assert purge.job_options["meta"] == {"kind": "Purge finished jobs"}

    old = make_job(enterprise, Job.Status.SUCCEEDED, finished_days_ago=40)
    purge.enqueue(queue.connection)
    assert run_jobs() == 1
    assert not Job.objects.filter(pk=old.pk).exists()
