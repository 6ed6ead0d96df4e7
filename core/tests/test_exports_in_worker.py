"""A long export as production runs it: queued by the web request, written by an RQ worker process.

The worker is `manage.py rqworker --burst` in a process of its own, against the test database,
with its progress step lowered to two rows so that it reports progress several times while the
export's COPY is running.
"""

import csv
import io
import os
import signal
import subprocess
import sys

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from core import progress
from core.models import Job
from core.tables import DataTable
from tests.factories import UserFactory

WORKER = [sys.executable, "manage.py", "rqworker", "--worker-class", "rq.worker.SimpleWorker"]
# A worker that has not finished by then is stuck: the test fails instead of hanging.
WORKER_TIMEOUT_SECONDS = 60


@pytest.fixture
def worker(tmp_path, settings):
    """Run the queued jobs in a worker process sharing the test's database, Redis and media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "worker_settings.py").write_text(
        "from portal.settings_test import *  # noqa\n"
        f"DATABASES['default']['NAME'] = {settings.DATABASES['default']['NAME']!r}\n"
        f"MEDIA_ROOT = {str(settings.MEDIA_ROOT)!r}\n"
        "EXPORT_PROGRESS_ROWS = 2\n"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "worker_settings",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
    }

    def run():
        # A worker that runs the job in its own process rather than in a forked work horse, and
        # in a session of its own: killing it leaves nothing behind to hold the test database.
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [*WORKER, "--burst", "default"],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            output, _ = process.communicate(timeout=WORKER_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            pytest.fail(f"The worker was still busy after {WORKER_TIMEOUT_SECONDS} s:\n{output}")
        assert process.returncode == 0, output

    return run


@pytest.mark.django_db(transaction=True)
def test_a_long_export_reports_its_progress_and_finishes(
    admin_client, admin_user, enterprise, worker, monkeypatch
):
    monkeypatch.setattr(DataTable.registry["users"], "stream_limit", 3)
    for number in range(6):
        UserFactory(email=f"user{number}@acme.test", enterprise=enterprise)

    response = admin_client.get(reverse("accounts:users"), {"format": "csv", "sort": "email"})
    job = Job.objects.get()
    assert response.url == reverse("job_status", args=[job.public_id])
    worker()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress_done == job.progress_total == 7
    page = admin_client.get(reverse("job_status", args=[job.public_id])).text
    assert f'href="{job.result_url}"' in page
    download = admin_client.get(job.result_url)
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode())))
    assert [row[1] for row in rows[1:]] == [
        "alice@acme.test",
        *(f"user{number}@acme.test" for number in range(6)),
    ]


@pytest.mark.django_db(transaction=True)
def test_progress_reported_during_a_copy_is_seen_by_others_at_once(enterprise):
    job = Job.objects.create(title="Export", enterprise=enterprise)
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy("COPY (SELECT 1) TO STDOUT") as copy,
    ):
        progress.report_progress(job, 5, 10)
        other = connections.create_connection("default")
        try:
            with other.cursor() as reading:
                reading.execute(
                    "SELECT progress_done, progress_total FROM core_job WHERE id = %s", [job.pk]
                )
                assert reading.fetchone() == (5, 10)
        finally:
            other.close()
        assert list(copy) == [b"1\n"]
