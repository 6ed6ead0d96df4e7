r"""Benchmark of the daily ADR file: one day of a million application events, delivered.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/adr_delivery.py [--rows 1000000] [--keep]

It creates the database bench_adr_delivery beside the one DATABASE_URL names (dropped again at
the end unless --keep), migrates it, makes one enterprise with ADR File Delivery enabled and
ROWS application events on one day of its time zone (PostgreSQL's COPY, not the loader), starts
the portal's SFTP server (`manage.py sftp_server`) on a free port with its files in a temporary
folder, and then prints
- the delivery job (billing.delivery.deliver_adr_file, run by core.jobs.run_job as the worker
  runs it, here inline as without Redis: COPY of the day's records to a local file, checksum,
  upload under a temporary name, rename), in rows/s, and how much this process's peak memory
  grew while it ran;
- beside it, PostgreSQL's own COPY of the same rows to a file (psycopg, no upload).
Target (issue 16): over 200,000 rows/s, the memory growing less than 50 MB.
"""

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import tables

BENCH_DB = "bench_adr_delivery"
DAY = date(2026, 12, 6)
APPLICATIONS = [
    ("SmartFlows", "flow_completed", "voice", "completed"),
    ("Engage", "message_sent", "sms", "delivered"),
    ("Engage", "campaign_reply", "sms", "received"),
    ("Insights", "survey_answered", "web", "completed"),
]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def copy_events(enterprise, rows):
    """COPY rows events of the enterprise spread over DAY in its time zone."""
    from django.db import connection

    from billing.delivery import day_bounds
    from billing.models import AppRecord
    from core.partitions import ensure_partitions

    start, end = day_bounds(enterprise, DAY)
    ensure_partitions(AppRecord, start, end)
    step = (end - start) / rows
    with connection.cursor() as cursor:
        with cursor.copy(
            "COPY billing_apprecord (event_id, occurred_at, enterprise_id, application, event,"
            " number, counterpart, channel, result, duration, units) FROM STDIN"
        ) as copy:
            for n in range(rows):
                application, event, channel, result = APPLICATIONS[n % len(APPLICATIONS)]
                copy.write_row(
                    (
                        f"adr-bench-{n:08}",
                        start + step * n,
                        enterprise.pk,
                        application,
                        event,
                        f"+1303555{n % 10000:04}",
                        f"+1312555{(n * 7) % 10000:04}",
                        channel,
                        result,
                        (n % 300) + 1 if channel == "voice" else None,
                        1 + n % 3,
                    )
                )
        cursor.execute("ANALYZE billing_apprecord")


def postgres_copy(enterprise, path):
    """Seconds of PostgreSQL's COPY of the day's records to a file."""
    from django.db import connection

    from billing.delivery import day_bounds

    start, end = day_bounds(enterprise, DAY)
    started = time.perf_counter()
    with connection.cursor() as cursor, open(path, "wb") as out:
        statement = connection.ops.compose_sql(
            "COPY (SELECT * FROM billing_apprecord WHERE enterprise_id = %s AND occurred_at >= %s"
            " AND occurred_at < %s ORDER BY occurred_at, event_id) TO STDOUT WITH (FORMAT csv)",
            (enterprise.pk, start, end),
        )
        with cursor.copy(statement) as copy:
            for block in copy:
                out.write(block)
    return time.perf_counter() - started


def report(label, seconds, rows):
    print(f"{label:<52} {rows:>10,} rows {seconds:8.2f} s {rows / seconds:>12,.0f} rows/s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    folder = Path(tempfile.mkdtemp(prefix="bench-adr-"))
    port = tables.free_port()
    os.environ.update({"SFTP_DIR": str(folder), "SFTP_PORT": str(port), "SFTP_MIN_FREE_BYTES": "0"})
    tables.setup_django()
    from django.conf import settings
    from django.db import connection
    from django_scopes import scopes_disabled

    from billing.delivery import schedule_adr_files
    from billing.models import AdrFile

    enterprise, _user = tables.migrated_enterprise("Bench ADR", "BENCH-ADR")
    started = time.perf_counter()
    with scopes_disabled():
        copy_events(enterprise, args.rows)
    print(f"{args.rows:,} events of {DAY} stored in {time.perf_counter() - started:.1f} s")

    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "sftp_server"],
        cwd=tables.PROJECT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        enterprise.adr_delivery_enabled = True
        enterprise.adr_delivery_changed_at = datetime.combine(
            DAY + timedelta(days=1), datetime.min.time(), UTC
        ) + timedelta(hours=12)
        enterprise.save()
        # Without Redis the job runs in this process, by core.jobs.run_job as the worker runs
        # it, as soon as the scheduler's transaction commits.
        now = enterprise.adr_delivery_changed_at + timedelta(hours=1)
        memory_before = peak_rss_mb()
        started = time.perf_counter()
        with scopes_disabled():
            schedule_adr_files(now)
        seconds = time.perf_counter() - started
        with scopes_disabled():
            adr_file = AdrFile.objects.get(day=DAY)
        growth = peak_rss_mb() - memory_before
        delivered = settings.ADR_SFTP["ROOT"] / "adr-bench-adr" / adr_file.name
        print(
            f"\nADR file {adr_file.name}: {adr_file.status}, {adr_file.rows:,} rows, "
            f"{adr_file.size / 2**20:.0f} MiB on the site: {delivered.exists()}"
        )
        report("delivery job (COPY, checksum, upload, rename)", seconds, adr_file.rows)
        print(f"  peak memory of this process grew {growth:.1f} MB (target: under 50 MB)")
        with scopes_disabled():
            seconds = postgres_copy(enterprise, folder / "postgres-copy.csv")
        report("PostgreSQL COPY of the same rows to a file", seconds, adr_file.rows)
    finally:
        server.terminate()
        server.wait()
        connection.close()
        if not args.keep:
            tables.drop_database()


if __name__ == "__main__":
    main()
