r"""Benchmark of the LOA of a port order of 5,000 numbers: the whole job, and the PDF alone.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/loa.py \
        [--numbers 5000] [--keep]

It creates the database bench_loa beside the one DATABASE_URL names (dropped again at the end
unless --keep), migrates it, makes one enterprise with an Administrator and submits a port order
of --numbers US numbers of three carriers (checked by the sandbox gateway, split into batches
of 500), as the form does. Documents are stored in a temporary folder. Then it prints:
- the whole job: start_loa() and its job run through the job machinery (core.jobs.run_job,
  inline once the transaction commits, as without Redis), from the call to the stored document;
- render_loa() alone, unsigned and signed (median of 3), split into reading the numbers and
  building the page, and WeasyPrint's layout and PDF;
- beside them, the plain SELECT of the list's numbers (e164) fetched with a cursor.
Target (issue 15): the LOA of 5,000 numbers renders in under 5 s in the worker.
"""

import argparse
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime

import tables

BENCH_DB = "bench_loa"
REPEAT = 3
# Three area codes of three sandbox carriers: Lakeshore (303), Canyon State (212), Summit (720).
AREA_CODES = ("303", "212", "720")
SIGNATURE = {
    "name": "Bench Admin",
    "title": "CTO",
    "signed_at": datetime(2026, 12, 7, 14, 3, 15, tzinfo=UTC).isoformat(),
    "ip": "203.0.113.7",
}


def portable_numbers(count):
    """count numbers the sandbox ports: none ending 13, 44, 66 or 97, none the BTN."""
    numbers = []
    for serial in range(count * 2):
        area = AREA_CODES[serial % len(AREA_CODES)]
        line = 1000 + serial // len(AREA_CODES)
        if line % 100 in (13, 44, 66, 97):
            continue
        numbers.append(f"+1{area}555{line:04d}")
        if len(numbers) == count:
            return numbers
    raise ValueError("Not enough numbers")


def port_order(enterprise, user, count):
    from django.utils import timezone

    from porting import calendar, checking, services
    from porting.models import PortKind
    from porting.tests.factories import ACME_ACCOUNT
    from trunks.models import Package

    package = Package.objects.create(enterprise=enterprise, name="Bench Usage", type="usage")
    started = time.perf_counter()
    port_list = checking.check_list(
        enterprise, PortKind.US_DOMESTIC, portable_numbers(count), by=user
    )
    order = services.submit(
        by=user,
        package=package,
        kind=PortKind.US_DOMESTIC,
        values={
            **ACME_ACCOUNT,
            "account_pin": "4821",
            "requested_at": calendar.slots(PortKind.US_DOMESTIC, timezone.now())[0],
        },
        port_list=port_list,
        notify=False,
    )
    print(
        f"Port order {order.reference}: {port_list.total:,} numbers in "
        f"{order.port.batches.count()} batches (made in {time.perf_counter() - started:.1f} s)"
    )
    return order.port


def whole_job(port, user):
    from django.db import transaction

    from core.models import Job
    from porting.loa import start_loa
    from porting.models import PortDocument

    print("\nThe whole job: start_loa + produce_loa run by core.jobs.run_job once committed")
    for signature in (None, SIGNATURE):
        started = time.perf_counter()
        with transaction.atomic():
            job = start_loa(port, by=user, signature=signature)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        if job.status != Job.Status.SUCCEEDED:
            raise SystemExit(f"The job ended {job.status}: {job.message}")
        document = PortDocument.objects.filter(port_order=port).latest("id")
        worker = (job.finished_at - job.started_at).total_seconds()
        label = "signed" if signature else "to sign"
        print(
            f"  LOA {label:<8} {seconds:6.2f} s  (in the job {worker:.2f} s)"
            f"  {document.size / 1024:.0f} KB  {document.name}"
        )


def render_alone(port):
    from porting import loa

    print(f"\nrender_loa alone (median of {REPEAT})")
    for signature in (None, SIGNATURE):
        totals, reads, pages = [], [], []
        for _ in range(REPEAT):
            started = time.perf_counter()
            context = loa._context(port, signature)
            read = time.perf_counter()
            pdf = loa._pdf(context)
            done = time.perf_counter()
            totals.append(done - started)
            reads.append(read - started)
            pages.append(done - read)
        started = time.perf_counter()
        loa.render_loa(port, signature=signature)
        whole = time.perf_counter() - started
        label = "signed" if signature else "to sign"
        print(
            f"  {label:<8} {statistics.median(totals):6.2f} s"
            f"  (reading the numbers {statistics.median(reads):.2f} s,"
            f" template + WeasyPrint {statistics.median(pages):.2f} s)"
            f"  render_loa() once more {whole:.2f} s  {len(pdf) / 1024:.0f} KB"
        )


def plain_select(port):
    from django.db import connection

    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT e164 FROM porting_portnumber WHERE port_list_id = %s", [port.port_list_id]
            )
            rows = cursor.fetchall()
        timings.append(time.perf_counter() - started)
    print(
        f"\nPlain SELECT e164 of the list ({len(rows):,} rows, cursor fetch, median of {REPEAT}):"
        f" {statistics.median(timings) * 1000:.1f} ms"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    media = tempfile.TemporaryDirectory(prefix="bench-loa-")
    os.environ["PORTAL_VAR_DIR"] = media.name
    tables.setup_django()
    from django.db import connection

    from core.tenancy import enterprise_scope

    enterprise, user = tables.migrated_enterprise("Acme Telecom", "BENCH-LOA")
    with enterprise_scope(enterprise):
        port = port_order(enterprise, user, args.numbers)
        whole_job(port, user)
        render_alone(port)
        plain_select(port)
    connection.close()
    media.cleanup()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
