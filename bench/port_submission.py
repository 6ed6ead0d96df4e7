r"""Benchmark of sending a port order of 20 batches of 500 numbers to the carriers.

Run on demand, never in the suite; it needs Redis for the real RQ worker:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/port_submission.py \
        [--batches 20] [--keep]

It creates the database bench_port_submission beside the one DATABASE_URL names (dropped again
at the end unless --keep), migrates it, makes one enterprise with an Administrator and submits a
port order of --batches x 500 numbers of one carrier, as the form does. Then it uploads the
signed LOA and the invoice (the upload that sends the batches: documents_added, which records a
send job per batch), and runs one real `manage.py rqworker --burst` process that sends them all
through the sandbox carrier gateway. It prints:
- the upload's transaction (recording the batches as Submitted and their jobs);
- the worker: wall time of the burst, process start included, and the jobs' own time (from the
  first claim to the last finish, and summed), with each batch's numbers read and sent;
- beside them, PostgreSQL's own time to read the same numbers: a plain SELECT of the order's
  numbers with their batch, fetched with a cursor.
Target (issue 15): an order of 20 batches of 500 numbers takes under 10 s of worker time.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tables

BENCH_DB = "bench_port_submission"
BATCH_SIZE = 500


def numbers(count):
    """count wireline numbers of area code 303 the sandbox ports (one carrier: Lakeshore)."""
    found = []
    for exchange in range(747, 760):
        for line in range(10000):
            if line % 100 in (13, 44, 66, 97) or (line // 10) % 10 in (7, 8):
                continue
            found.append(f"+1303{exchange}{line:04d}")
            if len(found) == count:
                return found
    raise ValueError("Not enough numbers")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("Set REDIS_URL: the batches are sent by a real RQ worker.")

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    media = tempfile.TemporaryDirectory(prefix="bench-port-")
    os.environ["PORTAL_VAR_DIR"] = media.name
    tables.setup_django()
    os.environ["REDIS_URL"] = redis_url
    from django.conf import settings

    settings.JOBS_INLINE = False
    settings.RQ_QUEUES["default"]["URL"] = redis_url

    import django_rq
    from django.core.files.base import ContentFile
    from django.db import connection, transaction
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from core.models import Job
    from core.tenancy import enterprise_scope
    from porting import calendar, checking, services, submission
    from porting.models import PortBatch, PortDocument, PortKind, SandboxPortRequest
    from porting.tests.factories import ACME_ACCOUNT
    from trunks.models import Package

    django_rq.get_queue("default").empty()
    enterprise, user = tables.migrated_enterprise("Acme Telecom", "BENCH-PORT")
    with enterprise_scope(enterprise):
        package = Package.objects.create(enterprise=enterprise, name="Bench Usage", type="usage")
        started = time.perf_counter()
        port_list = checking.check_list(
            enterprise, PortKind.US_DOMESTIC, numbers(args.batches * BATCH_SIZE), by=user
        )
        order = services.submit(
            by=user,
            package=package,
            kind=PortKind.US_DOMESTIC,
            values={
                **ACME_ACCOUNT,
                "requested_at": calendar.slots(PortKind.US_DOMESTIC, timezone.now())[0],
            },
            port_list=port_list,
            notify=False,
        )
        batch_count = order.port.batches.count()
        print(
            f"Port order {order.reference}: {port_list.total:,} numbers in {batch_count} batches"
            f" (made in {time.perf_counter() - started:.1f} s)"
        )

        started = time.perf_counter()
        with transaction.atomic():
            for kind in (PortDocument.Kind.LOA, PortDocument.Kind.INVOICE):
                document = PortDocument(
                    enterprise=enterprise,
                    port_order=order.port,
                    kind=kind,
                    name=f"{kind}.pdf",
                    content_type="application/pdf",
                    size=15,
                    sha256="0" * 64,
                )
                document.file.save(document.name, ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
                document.save()
            submission.documents_added(order.port, by=user, notify=False)
        print(
            f"\nUpload that completes the documents (batches Submitted, {batch_count} jobs"
            f" recorded and queued): {time.perf_counter() - started:.2f} s"
        )
        connection.close()

    worker_environment = {
        **os.environ,
        "DATABASE_URL": tables.database_url(BENCH_DB),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }
    started = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "rqworker", "default", "--burst"],
        cwd=Path(__file__).resolve().parent.parent,
        env=worker_environment,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - started

    with scopes_disabled():
        jobs = Job.objects.filter(function="porting.submission.send_batch")
        statuses = set(jobs.values_list("status", flat=True))
        first = min(jobs.values_list("started_at", flat=True))
        last = max(jobs.values_list("finished_at", flat=True))
        summed = sum((job.finished_at - job.started_at).total_seconds() for job in jobs)
        sent = PortBatch.objects.filter(port_order__order=order, sent_version=0).count()
        received = SandboxPortRequest.objects.count()
    print(f"\nThe worker (one rqworker --burst process): {wall:.2f} s wall, process start included")
    print(
        f"  the jobs: {(last - first).total_seconds():.2f} s from the first claim to the last "
        f"finish, {summed:.2f} s summed; statuses {sorted(statuses)}; {sent} batches sent, "
        f"{received} requests at the carrier"
    )

    timings = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT n.e164, n.batch_id FROM porting_portnumber n WHERE n.port_list_id = %s",
                [port_list.pk],
            )
            rows = cursor.fetchall()
        timings.append(time.perf_counter() - started)
    print(
        f"\nPostgreSQL alone: SELECT of the order's {len(rows):,} numbers with their batch, "
        f"cursor fetch: {min(timings) * 1000:.1f} ms"
    )
    connection.close()
    media.cleanup()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
