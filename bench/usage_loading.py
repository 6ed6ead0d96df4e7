r"""Benchmark of loading usage records: a file of a million calls, loaded and loaded again.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/usage_loading.py [--lines 1000000] [--keep]

It creates the database bench_usage_loading beside the one DATABASE_URL names (dropped again at
the end unless --keep), migrates it, makes one enterprise with NUMBERS numbers in a package,
and writes a call file of LINES lines over 30 days (deterministic, from --seed): the numbers of
the enterprise, every disposition, some international. Then it prints
- load_file of the file (check, map, COPY, insert, rollups), in records/s;
- load_file of the same rows as another file (all duplicates: the idempotent re-load);
- beside them, PostgreSQL's own COPY of the same rows into an unlogged copy of the record table
  (its primary key and indexes included), and each load's rate as a share of it;
- the machine's load average before and after: the machine is shared, and the rates follow it
  (the share of PostgreSQL's COPY much less).
Target (issue 16): over 100,000 records/s, the re-load included.
"""

import argparse
import csv
import gzip
import io
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tables

BENCH_DB = "bench_usage_loading"
NUMBERS = 3_000
DISPOSITIONS = [
    ("answered", 200, 16, 55),
    ("no_answer", 480, 19, 18),
    ("busy", 486, 17, 12),
    ("failed", 503, 34, 8),
    ("cancelled", 487, 31, 7),
]


def make_numbers(enterprise):
    """NUMBERS active numbers of the enterprise in one package: their E.164."""
    from django_scopes import scopes_disabled

    from phone_numbers.models import PhoneNumber
    from trunks.models import Package

    e164s = [f"+1303555{n:04}" for n in range(NUMBERS)]
    with scopes_disabled():
        package = Package.objects.create(enterprise=enterprise, name="Bench Usage", type="usage")
        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(
                    enterprise=enterprise,
                    package=package,
                    e164=e164,
                    kind="us_domestic",
                    country="US",
                    status=PhoneNumber.Status.ACTIVE,
                )
                for e164 in e164s
            ],
            batch_size=1000,
        )
    return e164s


def write_call_file(path, lines, numbers, seed):
    """A call file of `lines` calls of the numbers over 30 days."""
    from billing.columns import CALL_COLUMNS

    rng = random.Random(seed)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    seconds = 30 * 86400
    weights = [weight for *_values, weight in DISPOSITIONS]
    with open(path, "w", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow([column.name for column in CALL_COLUMNS])
        for n in range(lines):
            started = start + timedelta(seconds=n * seconds // lines)
            disposition, sip, cause, _weight = rng.choices(DISPOSITIONS, weights)[0]
            number = rng.choice(numbers)
            other = f"+1{rng.randrange(201, 990)}555{rng.randrange(10000):04}"
            outbound = rng.random() < 0.6
            international = outbound and rng.random() < 0.05
            if international:
                other = f"+44207{rng.randrange(1000000):07}"
            ring = rng.randrange(2, 25)
            if disposition == "answered":
                talk = int(rng.expovariate(1 / 180)) + 1
                answered = started + timedelta(seconds=ring)
                duration, billable = ring + talk, -(-talk // 6) * 6
                answer_time = f"{answered:%Y-%m-%dT%H:%M:%SZ}"
            else:
                duration, billable, answer_time = ring, 0, ""
            writer.writerow(
                [
                    f"bench-{seed}-{n:08}",
                    f"{started:%Y-%m-%dT%H:%M:%SZ}",
                    answer_time,
                    f"{started + timedelta(seconds=duration):%Y-%m-%dT%H:%M:%SZ}",
                    duration,
                    billable,
                    "outbound" if outbound else "inbound",
                    number if outbound else other,
                    other if outbound else number,
                    number,
                    "",
                    "international" if international else rng.choice(["local", "long_distance"]),
                    "GB" if international else "",
                    disposition,
                    sip,
                    cause,
                    rng.randrange(800, 4000) if rng.random() < 0.9 else "",
                ]
            )


def timed_load(path, name):
    from billing.loading import load_file
    from billing.models import RecordKind

    started = time.perf_counter()
    with open(path, "rb") as fileobj:
        record_file = load_file(RecordKind.CALL, fileobj, name=name)
    return time.perf_counter() - started, record_file


def postgres_copy():
    """Seconds of PostgreSQL's COPY of the stored calls into an unlogged copy of the table."""
    from django.db import connection

    with connection.cursor() as cursor:
        buffer = io.BytesIO()
        with cursor.copy("COPY (SELECT * FROM billing_callrecord) TO STDOUT") as copy:
            for block in copy:
                buffer.write(block)
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_callrecord_copy (LIKE billing_callrecord INCLUDING ALL)"
        )
        started = time.perf_counter()
        with cursor.copy("COPY bench_callrecord_copy FROM STDIN") as copy:
            copy.write(buffer.getvalue())
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_callrecord_copy")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_callrecord_copy")
    return seconds, rows


def report(label, seconds, rows, copy_rate=None):
    rate = rows / seconds
    beside = f"  {rate / copy_rate:5.2f} x PostgreSQL's COPY" if copy_rate else ""
    print(f"{label:<48} {rows:>10,} rows {seconds:8.2f} s {rate:>12,.0f} rows/s{beside}")


def load_average():
    """The machine's load (1, 5, 15 minutes): the figures depend on what else runs."""
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    # bench/tables.py's helpers create, name and drop the database its BENCH_DB names.
    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    tables.setup_django()
    from django.db import connection
    from django_scopes import scopes_disabled

    from billing.models import CallRecord, UsageHour

    enterprise, _user = tables.migrated_enterprise("Bench Usage", "BENCH-USAGE")
    numbers = make_numbers(enterprise)
    with tempfile.TemporaryDirectory(prefix="bench-usage-") as folder:
        path = Path(folder) / "calls.csv"
        started = time.perf_counter()
        write_call_file(path, args.lines, numbers, args.seed)
        size = path.stat().st_size
        print(
            f"Call file: {args.lines:,} lines, {size / 2**20:.0f} MiB,"
            f" written in {time.perf_counter() - started:.1f} s"
        )
        # The same rows as another file: one more (blank) line makes another sha256.
        again = Path(folder) / "calls-again.csv"
        again.write_bytes(path.read_bytes() + b"\n")
        zipped = Path(folder) / "calls-again.csv.gz"
        zipped.write_bytes(gzip.compress(again.read_bytes() + b"\n", compresslevel=6))

        print(f"\nLoad average before: {load_average()}")
        first_seconds, first = timed_load(path, "calls.csv")
        again_seconds, second = timed_load(again, "calls-again.csv")
        zipped_seconds, third = timed_load(zipped, "calls-again.csv.gz")
    with scopes_disabled():
        stored = CallRecord.objects.count()
        hours = UsageHour.objects.count()
    seconds, rows = postgres_copy()
    print(f"Load average after: {load_average()}\n")
    copy_rate = rows / seconds
    report("load_file, new records", first_seconds, first.lines, copy_rate)
    print(f"  {first.loaded:,} new, {first.duplicates:,} duplicates, {first.rejected} rejected")
    report("load_file again as another file (duplicates)", again_seconds, second.lines, copy_rate)
    print(f"  {second.loaded:,} new, {second.duplicates:,} duplicates")
    report("the same, gzipped", zipped_seconds, third.lines, copy_rate)
    report("PostgreSQL COPY into an unlogged copy", seconds, rows)
    print(f"\nStored: {stored:,} calls, {hours:,} rollup rows.")
    connection.close()
    if not args.keep:
        tables.drop_database()
    if first.loaded != args.lines or second.loaded or stored != args.lines:
        sys.exit("The loads did not store each record exactly once.")


if __name__ == "__main__":
    main()
