"""Work that happens exactly once: the claim, the retry policy, and the sweep (recover_jobs)."""

import os
import signal
import threading
import time
from datetime import timedelta

import django_rq
import django_rq.settings
import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from rq.cron import CronScheduler

from core import schedule
from core.jobs import recover_jobs, retry_policy, run_job, start_job
from core.models import Job
from tests.scopes import as_a_server
from tests.workers import start_worker, wait_for

STAFF = ["ops@carrier.test"]
# The tenant, as core knows it: what a Job belongs to.
Enterprise = Job._meta.get_field("enterprise").related_model

# Jobs are run by RQ, which imports them by name: they live at module level.


def submit_to_carrier(job, suffix):
    """Stands for a submission to a carrier: each run leaves its mark on the enterprise."""
    enterprise = Enterprise.objects.get(pk=job.enterprise_id)
    Enterprise.objects.filter(pk=job.enterprise_id).update(name=f"{enterprise.name} {suffix}")
    return "/help/"


@retry_policy(waits=(30, 90), timeout=45)
def carrier_is_down(job):
    raise ConnectionError("The carrier's API did not answer.")


def hangs_the_first_time(job):
    """The first attempt hangs until its worker is killed; a later one finishes."""
    if job.attempts == 1:
        # The pid of the process running it: RQ's work horse, in a process group of its own.
        Enterprise.objects.filter(pk=job.enterprise_id).update(name=f"Attempt 1 in {os.getpid()}")
        time.sleep(120)
    Enterprise.objects.filter(pk=job.enterprise_id).update(name=f"Done by attempt {job.attempts}")
    return "/help/"


def check_stock():
    """A periodic job of some app."""


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.ADMINS = STAFF


@pytest.fixture
def queue():
    queue = django_rq.get_queue("default")
    yield queue
    for registry in (queue.failed_job_registry, queue.scheduled_job_registry):
        for rq_id in registry.get_job_ids():
            registry.remove(rq_id, delete_job=True)


def sweep():
    """Run the sweep as the cron process's worker does: with no tenant scope."""
    with as_a_server():
        return recover_jobs()


def time_passes(job, **since):
    """Move the job's due time and lease back, as if the time had passed."""
    earlier = timedelta(**since)
    job.refresh_from_db()
    Job.objects.filter(pk=job.pk).update(
        next_attempt_at=job.next_attempt_at - earlier if job.next_attempt_at else None,
        lease_expires_at=job.lease_expires_at - earlier if job.lease_expires_at else None,
    )


def start(enterprise, func, *args, capture, lost=False):
    with capture(execute=not lost):
        return start_job(func, *args, title="Submitting", permission="", enterprise=enterprise)


def test_a_job_whose_queueing_was_lost_is_queued_again_by_the_sweep_and_run(
    enterprise, queue, run_jobs, django_capture_on_commit_callbacks
):
    # The transaction committed, its on-commit queueing never happened (Redis was down).
    job = start(
        enterprise,
        submit_to_carrier,
        "submitted",
        capture=django_capture_on_commit_callbacks,
        lost=True,
    )
    assert queue.count == 0
    assert sweep() == 0  # just recorded: its queueing may still be on its way

    time_passes(job, minutes=2)
    assert sweep() == 1
    assert sweep() == 0  # queued once, however often the sweep runs
    assert run_jobs() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts, job.result_url) == (Job.Status.SUCCEEDED, 1, "/help/")
    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom submitted"
    assert sweep() == 0


def test_a_job_started_while_redis_is_down_is_run_once_redis_is_back(
    enterprise, queue, run_jobs, monkeypatch, django_capture_on_commit_callbacks
):
    with monkeypatch.context() as redis_down:
        redis_down.setitem(django_rq.settings.QUEUES["default"], "URL", "redis://127.0.0.1:1/0")
        # The page that starts it still answers: the job is recorded, its queueing failed.
        job = start(
            enterprise, submit_to_carrier, "submitted", capture=django_capture_on_commit_callbacks
        )
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    assert queue.count == 0

    time_passes(job, minutes=2)
    assert sweep() == 1
    assert run_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 1)


def test_the_sweep_leaves_a_job_that_waits_its_turn_in_the_queue(
    enterprise, queue, run_jobs, django_capture_on_commit_callbacks
):
    job = start(
        enterprise, submit_to_carrier, "submitted", capture=django_capture_on_commit_callbacks
    )
    time_passes(job, hours=1)  # a long queue
    assert sweep() == 0
    assert run_jobs() == 1
    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom submitted"


def test_a_job_delivered_twice_runs_once(
    enterprise, queue, run_jobs, django_capture_on_commit_callbacks
):
    job = start(
        enterprise, submit_to_carrier, "submitted", capture=django_capture_on_commit_callbacks
    )
    with django_capture_on_commit_callbacks(execute=True):
        queue.enqueue(run_job, job.pk)  # the same job, delivered a second time
    assert run_jobs() == 2

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 1)
    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom submitted"


def test_a_job_another_worker_has_claimed_is_left_alone(
    enterprise, django_capture_on_commit_callbacks
):
    job = start(
        enterprise,
        submit_to_carrier,
        "submitted",
        capture=django_capture_on_commit_callbacks,
        lost=True,
    )
    other_workers_copy = Job.objects.get(pk=job.pk)
    assert other_workers_copy.claim()

    with as_a_server():
        run_job(job.pk)

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)
    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom"


def test_of_two_claims_of_one_job_only_the_first_wins(enterprise):
    job = Job.objects.create(title="Submitting", function="x.y", enterprise=enterprise)
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)

    assert first.claim() is True
    assert second.claim() is False
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)
    assert job.lease_expires_at > timezone.now() + timedelta(seconds=job.timeout)


def test_a_finished_job_cannot_be_claimed(enterprise):
    for status in Job.FINISHED:
        job = Job.objects.create(title="Done", function="x.y", enterprise=enterprise, status=status)
        assert job.claim() is False
        job.refresh_from_db()
        assert (job.status, job.attempts) == (status, 0)


def claim_at_once(job_id):
    """Two workers, each with its copy of the job read before either claims, claim it at the
    same instant on their own database connections; returns what each claim returned."""
    barrier = threading.Barrier(2)
    results = []

    def claim():
        with scopes_disabled():  # a thread starts with no scope
            copy = Job.objects.get(pk=job_id)
        barrier.wait()
        results.append(copy.claim())
        connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_job_at_the_same_instant_one_wins(enterprise):
    job = Job.objects.create(title="Submitting", function="x.y", enterprise=enterprise)
    for _ in range(20):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED, attempts=0)
        assert claim_at_once(job.pk) == [False, True]
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)


def test_a_failing_job_waits_as_its_policy_says_then_fails_and_alerts_staff(
    enterprise, queue, run_jobs, mailoutbox, django_capture_on_commit_callbacks
):
    job = start(enterprise, carrier_is_down, capture=django_capture_on_commit_callbacks)
    assert (job.retry_waits, job.timeout) == ([30, 90], 45)
    assert queue.fetch_job(job.queue_job_id).timeout == 45

    for attempt, wait in [(1, 30), (2, 90)]:
        before = timezone.now()
        run_jobs()
        after = timezone.now()
        job.refresh_from_db()
        assert (job.status, job.attempts) == (Job.Status.RETRYING, attempt)
        waited = timedelta(seconds=wait)
        assert before + waited <= job.next_attempt_at <= after + waited
        scheduled = queue.fetch_job(job.queue_job_id)
        assert scheduled.get_status() == "scheduled"
        assert sweep() == 0  # not due yet
        assert mailoutbox == []
        # The wait is over; the scheduled queue job is gone (a Redis restart): the sweep queues
        # the attempt, which the next run of the worker makes.
        queue.scheduled_job_registry.remove(scheduled, delete_job=True)
        time_passes(job, seconds=wait + 60)
        assert sweep() == 1

    run_jobs()
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert job.message == "ConnectionError: The carrier's API did not answer."
    assert job.finished_at is not None
    assert queue.failed_job_registry.get_job_ids() == [job.queue_job_id]
    [alert] = mailoutbox
    assert alert.to == STAFF
    assert "Job failed: Submitting (Acme Telecom" in alert.subject
    assert f"Queue job: {job.queue_job_id}" in alert.body
    assert sweep() == 0


def test_a_job_whose_worker_died_on_its_last_attempt_fails_and_alerts_staff(enterprise, mailoutbox):
    job = Job.objects.create(
        title="Submitting", function="x.y", enterprise=enterprise, retry_waits=[10]
    )
    for _ in range(2):
        assert Job.objects.get(pk=job.pk).claim()
        time_passes(job, seconds=job.timeout + 120)  # each attempt's worker died

    assert sweep() == 0
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 2)
    assert job.message == "The worker stopped during attempt 2 of 2."
    [alert] = mailoutbox
    assert "Submitting" in alert.subject and "The worker stopped" in alert.subject
    assert "Enterprise: Acme Telecom (ACC000001)" in alert.body


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_was_killed_mid_run_is_run_again_once(enterprise, queue, run_jobs):
    job = start_job(hangs_the_first_time, title="Submitting", permission="", enterprise=enterprise)
    first_queue_job = job.queue_job_id
    worker = start_worker()
    try:
        wait_for(lambda: Enterprise.objects.get(pk=enterprise.pk).name.startswith("Attempt 1"))
        work_horse = int(Enterprise.objects.get(pk=enterprise.pk).name.split()[-1])
        os.kill(work_horse, signal.SIGKILL)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.RUNNING, 1)
    assert sweep() == 0  # its lease has not expired: the worker might only be slow

    time_passes(job, seconds=job.timeout + 120)
    assert sweep() == 1
    assert sweep() == 0
    assert queue.fetch_job(first_queue_job) is None  # not listed among failed jobs later
    assert run_jobs() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.SUCCEEDED, 2)
    assert Enterprise.objects.get(pk=enterprise.pk).name == "Done by attempt 2"
    assert queue.failed_job_registry.count == 0
    assert sweep() == 0


def test_the_cron_process_queues_what_the_apps_registered(queue, monkeypatch):
    monkeypatch.setattr(schedule, "_registry", dict(schedule._registry))
    schedule.register(check_stock, cron="*/5 * * * *", kind="Check stock")

    scheduler = CronScheduler(connection=queue.connection)
    scheduler.load_config_from_file("portal.cron")

    registered = {job.func_name: job for job in scheduler.get_jobs()}
    crons = {name: job.cron for name, job in registered.items()}
    # Every app's jobs are queued (core's tests name only core's own: the apps sit above it).
    assert crons == {job.name: job.cron for job in schedule.periodic_jobs()}
    assert {
        "core.jobs.recover_jobs": "* * * * *",
        "core.jobs.purge_finished_jobs": "17 3 * * *",
        "core.exports.purge_old_exports": "27 3 * * *",
        "core.tests.test_job_recovery.check_stock": "*/5 * * * *",
    }.items() <= crons.items()
    stock = registered["core.tests.test_job_recovery.check_stock"]
    assert stock.queue_name == "default"
    assert stock.job_options["meta"] == {"kind": "Check stock"}


def test_a_periodic_job_is_registered_once(monkeypatch):
    monkeypatch.setattr(schedule, "_registry", dict(schedule._registry))
    schedule.register(check_stock, cron="*/5 * * * *", kind="Check stock")
    with pytest.raises(ValueError, match="already a periodic job"):
        schedule.register(check_stock, cron="0 * * * *", kind="Check stock hourly")


def test_without_redis_a_started_job_runs_once_after_the_commit(
    settings, enterprise, queue, django_capture_on_commit_callbacks
):
    settings.JOBS_INLINE = True
    job = start(
        enterprise, submit_to_carrier, "submitted", capture=django_capture_on_commit_callbacks
    )
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result_url) == (Job.Status.SUCCEEDED, 1, "/help/")
    assert queue.count == 0
    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom submitted"


def test_staff_see_the_policy_and_the_next_attempt_of_a_job(
    client, staff_user, enterprise, run_jobs, django_capture_on_commit_callbacks
):
    job = start(enterprise, carrier_is_down, capture=django_capture_on_commit_callbacks)
    run_jobs()
    job.refresh_from_db()
    client.force_login(staff_user)
    response = client.get(reverse("admin:core_job_change", args=[job.pk]))
    assert response.status_code == 200
    assert "Failed, will retry" in response.text
    assert "[30, 90]" in response.text
    assert "Next attempt at" in response.text
    assert job.queue_job_id in response.text
