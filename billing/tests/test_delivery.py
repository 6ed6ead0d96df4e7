"""The daily ADR files put on a real SFTP server (the portal's own, started by the test): which
days are due, the file's content and name, exactly one file a day, catch-up, failures that are
retried and never dropped, and the 45-day clean-up."""

import csv
import hashlib
import io
import os
import signal
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scopes_disabled

from billing import delivery, loading
from billing.columns import APP_COLUMNS
from billing.credentials import account_for
from billing.models import AdrFile, AppRecord, RecordKind
from billing.tests.test_loading import ACME_NUMBER
from core.jobs import RetryPolicy, recover_jobs
from core.models import Job
from core.partitions import ensure_partitions
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.sftp import free_port
from tests.workers import start_worker, wait_for

NEW_YORK = ZoneInfo("America/New_York")
# 10:00 in New York on 2026-12-07: the 6th has ended, the 7th has not.
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
DAY = date(2026, 12, 6)


@pytest.fixture
def acme(admin_user):
    """Acme's number the events are on."""
    add_numbers(package_of(admin_user, "Denver Usage"), [ACME_NUMBER])


def event(event_id, at, **changes):
    return {
        "event_id": event_id,
        "time": at,
        "application": "SmartFlows",
        "event": "flow_completed",
        "customer_number": ACME_NUMBER,
        "other_party": "+13125550111",
        "channel": "voice",
        "result": "completed",
        "duration": "95",
        "units": "1",
        **changes,
    }


def load_events(*events):
    outcome = loading.load_rows(RecordKind.APP, list(events))
    assert outcome.loaded == len(events), outcome.report


def enable(enterprise, at=NOW - timedelta(hours=2)):
    enterprise.adr_delivery_enabled = True
    enterprise.adr_delivery_changed_at = at
    enterprise.save()


def folder_of(server, enterprise):
    with scopes_disabled():
        return server.root / account_for(enterprise).directory


def files_on(server, enterprise):
    folder = folder_of(server, enterprise)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def read_rows(server, enterprise, name):
    text = (folder_of(server, enterprise) / name).read_text()
    return list(csv.reader(io.StringIO(text)))


# Which days are due


def test_the_first_day_due_is_the_day_before_delivery_was_enabled(enterprise):
    enable(enterprise, at=datetime(2026, 12, 4, 20, 0, tzinfo=UTC))  # the 4th in New York

    days = delivery.due_days(enterprise, NOW)

    assert days == [date(2026, 12, 3) + timedelta(n) for n in range(4)]


def test_a_day_is_due_an_hour_after_it_ends_in_the_enterprises_zone(enterprise):
    enable(enterprise, at=datetime(2026, 12, 1, tzinfo=UTC))
    just_after_midnight = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)  # 00:30 in New York

    assert delivery.due_days(enterprise, just_after_midnight)[-1] == date(2026, 12, 5)
    assert delivery.due_days(enterprise, just_after_midnight + timedelta(hours=1))[-1] == DAY


def test_nothing_is_due_in_the_first_hour_after_midnight_of_the_day_it_was_enabled(
    enterprise, sftp_server, deliver
):
    enable(enterprise, at=datetime(2026, 12, 7, 5, 10, tzinfo=UTC))  # 00:10 in New York

    assert deliver(now=datetime(2026, 12, 7, 5, 30, tzinfo=UTC)) == 0
    assert deliver(now=datetime(2026, 12, 7, 6, 30, tzinfo=UTC)) == 1
    assert files_on(sftp_server, enterprise) == ["adr-2026-12-06.csv"]


def test_catching_up_goes_back_45_days_at_most(enterprise):
    enable(enterprise, at=NOW - timedelta(days=200))

    days = delivery.due_days(enterprise, NOW)

    assert (days[0], days[-1], len(days)) == (DAY - timedelta(days=44), DAY, 45)


def test_a_day_when_the_clocks_change_lasts_23_hours(enterprise):
    start, end = delivery.day_bounds(enterprise, date(2026, 3, 8))

    assert end - start == timedelta(hours=23)
    assert start == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)


# The file


def test_the_file_holds_the_days_events_in_order_with_the_documented_columns(
    acme_scope, acme, other_enterprise
):
    load_events(
        event("late", "2026-12-07T04:59:59Z"),  # 23:59:59 on the 6th in New York
        event("early", "2026-12-06T05:00:00Z", duration="", units="", other_party=""),
        event("next-day", "2026-12-07T05:00:00Z"),
        event("day-before", "2026-12-06T04:59:59Z"),
    )
    out = io.BytesIO()

    rows = delivery.write_adr_csv(acme_scope, DAY, out)

    lines = list(csv.reader(io.StringIO(out.getvalue().decode())))
    assert rows == 2
    assert lines[0] == [column.name for column in APP_COLUMNS]
    assert lines[1] == [
        "early",
        "2026-12-06T05:00:00Z",
        "SmartFlows",
        "flow_completed",
        ACME_NUMBER,
        "",
        "voice",
        "completed",
        "",
        "1",
    ]
    assert lines[2][:2] == ["late", "2026-12-07T04:59:59Z"]


# Delivery to the real SFTP server


@pytest.fixture
def deliver(run_jobs, django_capture_on_commit_callbacks):
    """The hourly run of the scheduler at `now`, then the worker running what it queued."""

    def run(now=NOW):
        with scopes_disabled(), django_capture_on_commit_callbacks(execute=True):
            started = delivery.schedule_adr_files(now)
        run_jobs()
        return started

    return run


def test_the_days_file_is_put_on_the_enterprises_site_once(enterprise, acme, sftp_server, deliver):
    load_events(event("e1", "2026-12-06T15:00:00Z"), event("e2", "2026-12-06T16:00:00Z"))
    enable(enterprise)

    assert deliver() == 1
    assert deliver() == 0

    assert files_on(sftp_server, enterprise) == ["adr-2026-12-06.csv"]
    with scopes_disabled():
        adr_file = AdrFile.objects.get()
    content = (folder_of(sftp_server, enterprise) / adr_file.name).read_bytes()
    assert adr_file.status == AdrFile.Status.DELIVERED
    assert (adr_file.rows, adr_file.size) == (2, len(content))
    assert adr_file.sha256 == hashlib.sha256(content).hexdigest()
    assert [row[0] for row in read_rows(sftp_server, enterprise, adr_file.name)[1:]] == [
        "e1",
        "e2",
    ]


def test_a_delivery_run_twice_leaves_one_file_and_no_temporary_one(
    enterprise, acme, sftp_server, deliver, run_jobs, django_capture_on_commit_callbacks
):
    load_events(event("e1", "2026-12-06T15:00:00Z"))
    enable(enterprise)
    folder = folder_of(sftp_server, enterprise)
    folder.mkdir(parents=True)
    # A worker that died mid-upload left its temporary file.
    (folder / ".adr-2026-12-06.csv.part").write_text("event_id,ti")
    deliver()
    with scopes_disabled():
        adr_file = AdrFile.objects.get()
        first = (folder / adr_file.name).read_bytes()
        # The job's queue job delivered twice, or staff starting it again: the same file.
        AdrFile.objects.filter(pk=adr_file.pk).update(status=AdrFile.Status.FAILED)
        Job.objects.filter(pk=adr_file.job_id).update(status=Job.Status.FAILED)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.restart_delivery(AdrFile.objects.get())
    run_jobs()

    assert files_on(sftp_server, enterprise) == ["adr-2026-12-06.csv"]
    assert sorted(path.name for path in folder.iterdir()) == ["adr-2026-12-06.csv"]
    assert (folder / "adr-2026-12-06.csv").read_bytes() == first
    with scopes_disabled():
        assert AdrFile.objects.get().deliveries == 2


def test_events_that_come_after_their_days_file_was_delivered_are_delivered_again_with_it(
    enterprise, acme, sftp_server, deliver, run_jobs, django_capture_on_commit_callbacks
):
    load_events(event("e1", "2026-12-06T15:00:00Z"))
    enable(enterprise, at=NOW - timedelta(days=1))
    deliver()
    with scopes_disabled():
        first_sha256 = AdrFile.objects.get(day=DAY).sha256

    with django_capture_on_commit_callbacks(execute=True):
        # Late: one of the 6th (New York), one of the 5th, whose file is also delivered.
        load_events(event("late", "2026-12-07T04:00:00Z"), event("early", "2026-12-05T12:00:00Z"))
        # Not late: a day that has no file yet.
        load_events(event("today", "2026-12-07T14:00:00Z"))
    run_jobs()

    with scopes_disabled():
        files = {adr_file.day: adr_file for adr_file in AdrFile.objects.all()}
    assert set(files) == {DAY, DAY - timedelta(days=1)}
    assert [f.status for f in files.values()] == [AdrFile.Status.DELIVERED] * 2
    assert (files[DAY].deliveries, files[DAY].rows) == (2, 2)
    assert files[DAY].sha256 != first_sha256
    assert [row[0] for row in read_rows(sftp_server, enterprise, "adr-2026-12-06.csv")[1:]] == [
        "e1",
        "late",
    ]
    assert files_on(sftp_server, enterprise) == ["adr-2026-12-05.csv", "adr-2026-12-06.csv"]


def test_missed_days_are_caught_up(enterprise, acme, sftp_server, deliver):
    enable(enterprise, at=NOW - timedelta(days=3))

    assert deliver() == 4

    assert files_on(sftp_server, enterprise) == [f"adr-2026-12-0{day}.csv" for day in (3, 4, 5, 6)]
    # A day without events is a file with its header alone.
    assert read_rows(sftp_server, enterprise, "adr-2026-12-03.csv") == [
        [column.name for column in APP_COLUMNS]
    ]


def test_nothing_is_made_while_delivery_is_disabled(enterprise, acme, sftp_server, deliver):
    assert deliver() == 0
    assert files_on(sftp_server, enterprise) == []


def test_a_site_that_is_down_fails_the_delivery_which_is_retried_until_it_goes_through(
    enterprise, acme, sftp_server, deliver, settings, monkeypatch, mailoutbox
):
    load_events(event("e1", "2026-12-06T15:00:00Z"))
    enable(enterprise)
    # Two retries at once rather than after minutes.
    monkeypatch.setattr(delivery.deliver_adr_file, "retry_policy", RetryPolicy(waits=(0, 0)))
    settings.ADMINS = ["ops@carrier.example"]
    reachable = settings.ADR_SFTP
    settings.ADR_SFTP = {**reachable, "PORT": free_port(), "TIMEOUT": 2}

    deliver()

    with scopes_disabled():
        adr_file = AdrFile.objects.select_related("job").get()
    assert (adr_file.job.status, adr_file.job.attempts) == (Job.Status.FAILED, 3)
    assert adr_file.status == AdrFile.Status.FAILED
    assert "did not answer" in adr_file.error
    assert files_on(sftp_server, enterprise) == []
    assert "ADR file adr-2026-12-06.csv" in mailoutbox[-1].subject

    # The site is back: the next hourly run starts it again, and it goes through.
    settings.ADR_SFTP = reachable
    assert deliver() == 1
    with scopes_disabled():
        adr_file = AdrFile.objects.get()
    assert (adr_file.status, adr_file.deliveries, adr_file.error) == (
        AdrFile.Status.DELIVERED,
        2,
        "",
    )
    assert files_on(sftp_server, enterprise) == ["adr-2026-12-06.csv"]


def test_files_older_than_45_days_are_removed(enterprise, acme, sftp_server, deliver):
    enable(enterprise, at=NOW - timedelta(days=60))
    deliver(now=NOW - timedelta(days=10))
    assert len(files_on(sftp_server, enterprise)) == 45
    folder = folder_of(sftp_server, enterprise)
    (folder / "notes.txt").write_text("not ours")

    with scopes_disabled():
        removed = delivery.remove_old_adr_files(NOW)
        kept = AdrFile.objects.exclude(status=AdrFile.Status.REMOVED)
        oldest_kept = min(kept.values_list("day", flat=True))

    today = NOW.astimezone(NEW_YORK).date()
    assert oldest_kept == today - timedelta(days=45)
    assert removed == 45 - len(kept)
    names = files_on(sftp_server, enterprise)
    assert "notes.txt" in names
    assert min(name for name in names if name.startswith("adr-")) == (
        f"adr-{today - timedelta(days=45)}.csv"
    )


def copy_events(enterprise, count):
    """count events on DAY in New York, straight into the table: a file that takes a while."""
    start, end = delivery.day_bounds(enterprise, DAY)
    ensure_partitions(AppRecord, start, end)
    step = (end - start) / count
    with (
        connection.cursor() as cursor,
        cursor.copy(
            "COPY billing_apprecord (event_id, occurred_at, enterprise_id, application, event,"
            " number, counterpart, channel, result, units) FROM STDIN"
        ) as copy,
    ):
        for n in range(count):
            copy.write_row(
                (
                    f"big-{n:07}",
                    start + step * n,
                    enterprise.pk,
                    "Engage",
                    "message_sent",
                    ACME_NUMBER,
                    "+13125550111",
                    "sms",
                    "delivered",
                    1,
                )
            )


def work_horses(worker):
    """The pids of the worker's work horses: RQ starts each in a session of its own."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_upload_leaves_exactly_one_complete_file(enterprise, acme, sftp_server):
    copy_events(enterprise, 300_000)
    enable(enterprise)
    folder = folder_of(sftp_server, enterprise)
    temporary, final = folder / ".adr-2026-12-06.csv.part", folder / "adr-2026-12-06.csv"
    site = {
        "SFTP_DIR": str(sftp_server.directory),
        "SFTP_ROOT": str(sftp_server.root),
        "SFTP_HOST": sftp_server.host,
        "SFTP_PORT": str(sftp_server.port),
    }
    with scopes_disabled():
        delivery.schedule_adr_files(NOW)

    worker = start_worker(burst=False, **site)
    try:
        wait_for(temporary.exists, seconds=60)
        for horse in work_horses(worker):
            os.kill(horse, signal.SIGKILL)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    # Cut mid-upload: the half file is under its temporary name only.
    assert not final.exists()
    with scopes_disabled():
        assert AdrFile.objects.get().status == AdrFile.Status.PENDING
        Job.objects.update(lease_expires_at=timezone.now() - timedelta(minutes=1))
        assert recover_jobs() == 1

    worker = start_worker(burst=False, **site)
    try:
        with scopes_disabled():
            wait_for(
                lambda: AdrFile.objects.filter(status=AdrFile.Status.DELIVERED).exists(),
                seconds=120,
            )
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()

    with scopes_disabled():
        adr_file = AdrFile.objects.get()
    assert sorted(path.name for path in folder.iterdir()) == ["adr-2026-12-06.csv"]
    content = final.read_bytes()
    assert adr_file.rows == 300_000
    assert content.count(b"\n") == 300_001
    assert adr_file.sha256 == hashlib.sha256(content).hexdigest()
