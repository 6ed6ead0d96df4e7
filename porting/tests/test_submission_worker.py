"""Port batches sent by real RQ workers that are killed mid-submission: none lost, none sent
twice; and a worker dying as it takes a batch, or Redis down when the documents came in, loses
nothing."""

import os
import random
import signal
import time
from datetime import timedelta

import django_rq
import django_rq.settings
import pytest
from django.db.models import Count, F
from django.utils import timezone
from django_scopes import scopes_disabled

from core.jobs import recover_jobs
from core.models import Job
from orders.models import Order
from porting import submission
from porting.carriers.sandbox import SandboxGateway
from porting.models import PortBatch, SandboxPortRequest
from tests.scopes import as_a_server
from tests.workers import start_worker, wait_for

from .factories import submitted_order, with_documents

Status = Order.Status
# One batch per carrier: the sandbox gives area codes 720, 415, 212, 303, 304 and 617 a
# carrier each.
ENTRIES = [
    f"+1{npa}747{n:04d}"
    for npa in ("720", "415", "212", "303", "304", "617")
    for n in range(1200, 1203)
]
KILLS = 6


class SlowSandbox(SandboxGateway):
    """The sandbox carrier, taking its time to answer once it has the request (or has looked it
    up): a worker killed then leaves a request the carrier has and the portal has not recorded."""

    def submit(self, request):
        return self._slowly(super().submit(request))

    def find(self, pon, version):
        return self._slowly(super().find(pon, version))

    def _slowly(self, answer):
        # RQ's work horse runs in a session of its own: the test kills it by its pid.
        with open(os.environ["HORSE_PID_FILE"], "w") as pid_file:
            pid_file.write(str(os.getpid()))
        time.sleep(1)
        return answer


def time_passes():
    """The leases and retry waits of every job run out, as if ten minutes had passed."""
    earlier = timedelta(minutes=10)
    Job.objects.update(
        next_attempt_at=F("next_attempt_at") - earlier,
        lease_expires_at=F("lease_expires_at") - earlier,
    )


def sweep():
    with as_a_server():
        return recover_jobs() + submission.recover_batches()


@pytest.mark.django_db(transaction=True)
def test_workers_killed_mid_submission_leave_no_batch_lost_and_none_sent_twice(
    enterprise, admin_user, tmp_path
):
    with scopes_disabled():
        order = with_documents(
            submitted_order(admin_user, entries=ENTRIES, record_differences_confirmed=True),
            admin_user,
        )
        batch_count = PortBatch.objects.filter(port_order__order=order).count()
    assert batch_count == 6
    horse_pid = tmp_path / "horse.pid"
    gateway = {"PORT_CARRIER_GATEWAY": f"{__name__}.SlowSandbox", "HORSE_PID_FILE": str(horse_pid)}
    randomness = random.Random(15)  # noqa: S311 - when to kill, the same every run

    for _kill in range(KILLS):
        worker = start_worker(burst=False, **gateway)
        try:
            # Mid-submission: the carrier has just received the request (or, for a batch whose
            # worker died so before, looked it up), and is answering.
            wait_for(horse_pid.exists, seconds=30)
            time.sleep(randomness.uniform(0, 0.3))
            os.kill(int(horse_pid.read_text()), signal.SIGKILL)
        finally:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
            horse_pid.unlink(missing_ok=True)
        time_passes()
        sweep()

    # The workers are back for good; the sweep hands them what the dead ones left.
    worker = start_worker(burst=False, **gateway)
    try:
        with scopes_disabled():
            unsent = PortBatch.objects.filter(port_order__order=order, sent_version__isnull=True)

            def all_sent():
                if not unsent.exists():
                    return True
                time_passes()
                sweep()
                time.sleep(0.5)
                return False

            wait_for(all_sent, seconds=90)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    requests = SandboxPortRequest.objects.values("pon").annotate(count=Count("id"))
    assert sorted(row["count"] for row in requests) == [1] * batch_count
    with scopes_disabled():
        jobs = Job.objects.filter(function="porting.submission.send_batch")
        assert set(jobs.values_list("status", flat=True)) == {Job.Status.SUCCEEDED}
        assert max(jobs.values_list("attempts", flat=True)) > 1  # some were killed


def test_a_worker_dying_as_it_takes_a_batch_from_the_queue_loses_no_batch(
    acme_scope, admin_user, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(admin_user, entries=ENTRIES[:3])
    with django_capture_on_commit_callbacks(execute=True):
        with_documents(order, admin_user)
    batch = PortBatch.objects.get(port_order__order=order)
    queue = django_rq.get_queue("default")
    # A worker takes a job by moving it from the queue to the queue's intermediate list, and
    # marks it started only in the work horse: this worker died before it forked one.
    taken = batch.submit_job.queue_job_id
    assert queue.connection.lrem(queue.key, 1, taken) == 1
    queue.connection.rpush(queue.intermediate_queue_key, taken)
    assert queue.fetch_job(taken).get_status() == "queued"

    time_passes()
    assert sweep() == 1
    run_jobs()
    batch.refresh_from_db()
    assert (batch.sent_version, batch.status) == (0, Status.SUBMITTED)
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1


def test_redis_down_when_the_documents_came_in_loses_no_batch(
    acme_scope, admin_user, monkeypatch, run_jobs, django_capture_on_commit_callbacks
):
    order = submitted_order(admin_user, entries=ENTRIES[:3])
    with monkeypatch.context() as redis_down:
        redis_down.setitem(django_rq.settings.QUEUES["default"], "URL", "redis://127.0.0.1:1/0")
        with django_capture_on_commit_callbacks(execute=True):
            with_documents(order, admin_user)
    assert django_rq.get_queue("default").count == 0
    assert SandboxPortRequest.objects.count() == 0

    Job.objects.update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert sweep() == 1
    run_jobs()
    batch = PortBatch.objects.get(port_order__order=order)
    assert (batch.sent_version, batch.status) == (0, Status.SUBMITTED)
    assert SandboxPortRequest.objects.filter(pon=batch.reference).count() == 1
