r"""Benchmark of the Traffic Analytics page over ten million call records.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/usage_analytics.py [--records 10000000] [--big 3000000] \
        [--days 45] [--keep] [--reuse [--rollups] [--loading]]

It creates the database bench_usage_analytics beside the one DATABASE_URL names (dropped again
at the end unless --keep), migrates it, makes one big enterprise (an Administrator, three
packages each with a trunk, NUMBERS numbers) and OTHERS other enterprises, and writes RECORDS
call records over DAYS days up to yesterday, BIG of them the big enterprise's, the rest spread
over the others. The records are made in SQL (generate_series straight into the record table,
a day at a time; deterministic), not through the loader, and the rollups are then added from
them by billing.rollups.add_calls, as a load adds them, and vacuumed. --reuse times the pages
of the database a run with --keep left instead (migrated first; with --rollups its rollups
emptied and added again from its records), so that the records are not written again at each
run.

Then, signed in as the big enterprise's Administrator with django.test.Client, it times the
whole page (`billing:analytics`: every query and the rendering) for the last 30 days, median of
20, with no filter, each filter alone (package, trunk, number, direction, destination class)
and all of them together, and unfiltered for a reader in another time zone than the
enterprise's. Beside each: PostgreSQL's own time for the figures the filter asks for (median of
20 of one aggregate over the hourly rollup, or over the number's records for the number filter:
the least the page has to read), and the page's slowest queries.
Target (issue 16): every page under 200 ms at 10,000,000 records.

With --reuse --loading it times instead what the index the top numbers read under a filter
(usage_number_group_day_read) costs a load: the rollup statement a load runs for a chunk of
CHUNK_CALLS calls (billing.rollups.add_calls), and the same cut to the number group days (the
part the index adds to: the whole statement varies by more than that on a shared machine), with
the index and without it (dropped inside the statement's transaction), alternating, median of
LOADING_RUNS each, every run rolled back and the rollups vacuumed before it. Twice: the calls of
a chunk stored again (their rows are added to) and moved to days no rollup holds yet (their
rows are inserted), the two things a chunk's statement does. The statement without the index
is PostgreSQL's figure to compare with.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

import tables

BENCH_DB = "bench_usage_analytics"
NUMBERS = 2_000
OTHERS = 20
REPEAT = 20
# A slow page is timed fewer times: the big run must end in minutes.
BUDGET_SECONDS = 20
RANGE_DAYS = 30
TARGET_MS = 200
SLOWEST = 3
OTHER_ZONE = "America/Los_Angeles"
READ_INDEX = "usage_number_group_day_read"
CHUNK_CALLS = 50_000  # billing.loading's chunk
LOADING_RUNS = 8
NEW_DAYS_LATER = timedelta(days=90)

# One day of calls of one enterprise: the n-th of `count` starts n * 86400 / count seconds into
# the day; its number, direction, destination, disposition and durations follow from n.
RECORDS_OF_A_DAY = """
INSERT INTO {table} (
    call_id, started_at, answered_at, ended_at, duration, billable_seconds, direction,
    from_number, to_number, enterprise_id, number, package_id, trunk_id, destination_class,
    destination_country, disposition, sip_code, q850_cause, post_dial_delay_ms
)
SELECT
    call_id, started_at,
    CASE WHEN answered THEN started_at + ring * interval '1 second' END,
    started_at + (ring + talk) * interval '1 second',
    ring + talk, CASE WHEN answered THEN (talk + 5) / 6 * 6 ELSE 0 END,
    CASE WHEN outbound THEN 'outbound' ELSE 'inbound' END,
    CASE WHEN outbound THEN own ELSE other END, CASE WHEN outbound THEN other ELSE own END,
    %(enterprise)s, own,
    (%(packages)s::bigint[])[1 + slot %% 3],
    CASE WHEN slot %% 10 < 7 THEN (%(trunks)s::bigint[])[1 + slot %% 3] END,
    destination, CASE WHEN destination = 'international' THEN 'GB' ELSE '' END,
    disposition,
    CASE disposition WHEN 'answered' THEN 200 WHEN 'no_answer' THEN 480 WHEN 'busy' THEN 486
        WHEN 'failed' THEN 503 ELSE 487 END,
    CASE disposition WHEN 'answered' THEN 16 WHEN 'no_answer' THEN 19 WHEN 'busy' THEN 17
        WHEN 'failed' THEN 34 ELSE 31 END,
    CASE WHEN n %% 10 < 9 THEN 800 + n * 37 %% 3200 END
FROM (
    SELECT n, %(prefix)s || n AS call_id,
        %(day)s::timestamptz + n * interval '86400 seconds' / %(count)s AS started_at,
        (%(numbers)s::text[])[1 + n * 7919 %% %(number_count)s] AS own,
        '+1' || (201 + n %% 700) || '555' || lpad((n * 13 %% 10000)::text, 4, '0') AS other,
        n * 7919 %% %(number_count)s AS slot,
        -- From n / number_count, which the number (n mod number_count) does not decide: a
        -- number calls both ways and to every class, as real ones do.
        n / %(number_count)s %% 5 < 3 AS outbound,
        CASE WHEN n / %(number_count)s %% 20 = 0 THEN 'international'
            WHEN n / %(number_count)s %% 20 = 1 THEN 'toll_free'
            WHEN n / %(number_count)s %% 20 < 10 THEN 'long_distance' ELSE 'local' END
            AS destination,
        CASE WHEN n * 31 %% 100 < 55 THEN 'answered' WHEN n * 31 %% 100 < 73 THEN 'no_answer'
            WHEN n * 31 %% 100 < 85 THEN 'busy' WHEN n * 31 %% 100 < 93 THEN 'failed'
            ELSE 'cancelled' END AS disposition,
        n * 31 %% 100 < 55 AS answered,
        2 + n %% 23 AS ring,
        CASE WHEN n * 31 %% 100 < 55 THEN 1 + n * 17 %% 420 ELSE 0 END AS talk
    FROM generate_series(0, %(count)s - 1) AS n
) AS calls
"""


def make_big_enterprise(enterprise):
    """Three packages with a trunk each, NUMBERS numbers spread over them: (packages, trunks,
    numbers)."""
    from django_scopes import scopes_disabled

    from phone_numbers.models import PhoneNumber

    made = [tables.package_with_trunk(enterprise, name) for name in ("Denver", "Chicago", "Dallas")]
    packages, trunks = [package for package, _ in made], [trunk for _, trunk in made]
    with scopes_disabled():
        numbers = [f"+1303555{n:04}" for n in range(NUMBERS)]
        PhoneNumber.objects.bulk_create(
            [
                PhoneNumber(
                    enterprise=enterprise,
                    package=packages[n % 3],
                    e164=e164,
                    kind="us_domestic",
                    country="US",
                    status=PhoneNumber.Status.ACTIVE,
                )
                for n, e164 in enumerate(numbers)
            ],
            batch_size=1000,
        )
    return packages, trunks, numbers


def make_others():
    from accounts.models import Enterprise

    return Enterprise.objects.bulk_create(
        Enterprise(name=f"Other {n}", account_number=f"BENCH-OTHER-{n}") for n in range(OTHERS)
    )


def month_of(day):
    return day.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def write_records(big, big_count, others, other_count, days, packages, trunks, numbers):
    """The records, a day at a time, in SQL, into each month's partition made beside the
    record table without its indexes and attached after (its indexes then built at once, much
    faster than row by row); then their rollups, a day at a time."""
    from django.db import connection

    from billing.models import CallRecord
    from core.partitions import partition_name

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    first = today - timedelta(days=days)
    started = time.perf_counter()
    months = sorted({month_of(first + timedelta(days=n)) for n in range(days)})
    with connection.cursor() as cursor:
        for month in months:
            cursor.execute(
                f"CREATE TABLE {partition_name(CallRecord, month)} (LIKE billing_callrecord"
                " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            )
        for day_number in range(days):
            day = first + timedelta(days=day_number)
            insert = RECORDS_OF_A_DAY.format(table=partition_name(CallRecord, month_of(day)))
            share = big_count // days + (day_number < big_count % days)
            cursor.execute(
                insert,
                {
                    "prefix": f"big-{day:%Y%m%d}-",
                    "day": day,
                    "count": share,
                    "enterprise": big.pk,
                    "packages": [package.pk for package in packages],
                    "trunks": [trunk.pk for trunk in trunks],
                    "numbers": numbers,
                    "number_count": len(numbers),
                },
            )
            for position, other in enumerate(others):
                share = other_count // (days * len(others))
                cursor.execute(
                    insert,
                    {
                        "prefix": f"other{position}-{day:%Y%m%d}-",
                        "day": day,
                        "count": share,
                        "enterprise": other.pk,
                        "packages": [None],
                        "trunks": [None],
                        "numbers": [f"+1720{position:03}{n:04}" for n in range(100)],
                        "number_count": 100,
                    },
                )
            if day_number % 5 == 4 or day_number == days - 1:
                print(
                    f"  {day_number + 1} of {days} days written,"
                    f" {time.perf_counter() - started:.0f} s",
                    flush=True,
                )
        for month in months:
            following = month_of(month + timedelta(days=32))
            cursor.execute(
                f"ALTER TABLE billing_callrecord ATTACH PARTITION"
                f" {partition_name(CallRecord, month)} FOR VALUES FROM (%s) TO (%s)",
                [month, following],
            )
        print(f"  partitions attached, {time.perf_counter() - started:.0f} s", flush=True)
    add_rollups(first, days, started)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_callrecord")
        stored = cursor.fetchone()[0]
    return stored, time.perf_counter() - started


def add_rollups(first, days, started):
    """The rollups of the records of `days` days from `first`, added a day at a time."""
    from django.db import connection

    from billing import rollups

    with connection.cursor() as cursor:
        for day_number in range(days):
            day = first + timedelta(days=day_number)
            rollups.add_calls(
                cursor,
                f"SELECT {', '.join(rollups.CALL_COLUMNS)} FROM billing_callrecord "  # noqa: S608
                "WHERE started_at >= %s AND started_at < %s",
                [day, day + timedelta(days=1)],
            )
        print(f"  rollups added, {time.perf_counter() - started:.0f} s", flush=True)
        # As autovacuum would have long before anyone reads them (a test server may run without
        # it): until a page is marked all-visible, a read of an index that holds the columns
        # still visits the table for each row.
        cursor.execute("VACUUM ANALYZE")


def rollup_tables():
    from billing import rollups

    return [model._meta.db_table for model in rollups.ROLLUPS]


def add_rollups_again():
    """Empty every rollup of the kept database and add them again from its records."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in rollup_tables():
            cursor.execute(f"TRUNCATE {table}")
        cursor.execute("SELECT min(started_at), max(started_at) FROM billing_callrecord")
        first, last = cursor.fetchone()
    first = first.replace(hour=0, minute=0, second=0, microsecond=0)
    add_rollups(first, (last - first).days + 1, started)


def kept_enterprise():
    """The big enterprise of a kept database, as make_big_enterprise made it: (user, packages,
    trunks, numbers)."""
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from accounts.models import User
    from trunks.models import Package, Trunk

    with scopes_disabled():
        call_command("migrate", verbosity=0)
        user = User.objects.select_related("enterprise").get(email="admin@bench.example")
        packages = list(Package.objects.filter(enterprise=user.enterprise).order_by("pk"))
        trunks = [Trunk.objects.get(package=package) for package in packages]
    return user, packages, trunks, [f"+1303555{n:04}" for n in range(NUMBERS)]


def timed_ms(function):
    """The median time of REPEAT runs (ms), or of those that fit in BUDGET_SECONDS (at least
    3), and how many ran."""
    timings = []
    deadline = time.perf_counter() + BUDGET_SECONDS
    while len(timings) < REPEAT and (len(timings) < 3 or time.perf_counter() < deadline):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), len(timings)


def postgres_figures(enterprise_id, since, until, query):
    """PostgreSQL's time (median, ms) for the figures the filter asks for: one aggregate over
    the hourly rollup, or over the number's records for the number filter."""
    from django.db import connection

    conditions = ["enterprise_id = %s", "{time} >= %s", "{time} < %s"]
    params = [enterprise_id, since, until]
    for name in ("package", "trunk", "direction", "destination_class"):
        if query.get(name):
            conditions.append(f"{name}{'_id' if name in ('package', 'trunk') else ''} = %s")
            params.append(query[name])
    if query.get("number"):
        table, time_column = "billing_callrecord", "started_at"
        conditions.append("number = %s")
        params.append(query["number"])
        figures = "count(*), sum(duration), sum(billable_seconds)"
    else:
        table, time_column = "billing_usagehour", "hour"
        figures = "sum(calls), sum(answered), sum(seconds), sum(billable_seconds)"
    where = " AND ".join(conditions).format(time=time_column)
    sql = f"SELECT {figures} FROM {table} WHERE {where}"  # noqa: S608

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return timed_ms(run)[0]


def time_pages(user, packages, trunks, numbers):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    url = reverse("billing:analytics")
    client = Client()
    client.force_login(user)
    today = timezone.localdate(timezone=user.zone)
    date_from = today - timedelta(days=RANGE_DAYS)
    base = {"date_from": date_from.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    since = datetime.combine(date_from, datetime.min.time(), tzinfo=user.zone)
    until = datetime.combine(today, datetime.min.time(), tzinfo=user.zone)
    filters = {
        "package": str(packages[0].pk),
        "trunk": str(trunks[1].pk),
        "number": numbers[7],
        "direction": "outbound",
        "destination_class": "long_distance",
    }
    cases = [("no filter", {}, "")]
    cases += [(name.replace("_", " "), {name: value}, "") for name, value in filters.items()]
    cases.append(("all filters", filters, ""))
    # A reader whose days are not the enterprise's (the top numbers then read some records).
    cases.append(("another zone", {}, OTHER_ZONE))
    print(
        f"\nTraffic Analytics, the last {RANGE_DAYS} days, whole page (median of {REPEAT}, or of"
        f" the runs that fit in {BUDGET_SECONDS} s) beside PostgreSQL's aggregate;"
        f" target {TARGET_MS} ms"
    )
    print(f"{'':<20} {'page':>9} {'runs':>5} {'queries':>8} {'PostgreSQL':>11}")
    for label, query, zone in cases:
        user.time_zone = zone
        user.save(update_fields=["time_zone"])
        response = client.get(url, {**base, **query})
        if response.status_code != 200 or b"errorlist" in response.content:
            sys.exit(f"The page with {query} did not answer as expected: {response.status_code}.")
        page_ms, runs = timed_ms(lambda query=query: client.get(url, {**base, **query}))
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {**base, **query})
        postgres_ms = postgres_figures(user.enterprise_id, since, until, query)
        verdict = "ok" if page_ms < TARGET_MS else "OVER"
        print(
            f"{label:<20} {page_ms:7.1f} ms {runs:>5} {len(captured):>8} {postgres_ms:8.1f} ms"
            f"  {verdict}"
        )
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:SLOWEST]
        for query_run in slowest:
            sql = " ".join(query_run["sql"].split())
            print(f"{'':<6}{float(query_run['time']) * 1000:7.1f} ms  {sql[:150]}")


def load_average():
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


def number_group_days_part(new_calls, statement):
    """The rollup statement cut to its UsageNumberGroupDay rows (its WITH queries
    number_group_totals and number_group_days): the part READ_INDEX adds to."""
    part = statement[
        statement.index("number_group_totals AS (") : statement.index(",\nnumber_days AS (")
    ]
    return f"WITH new_calls AS ({new_calls}), {part} SELECT count(*) FROM number_group_days"  # noqa: S608


def rolled_back_ms(sql, params, indexed):
    """The time of one statement (ms), run after a VACUUM of the rollups and rolled back, with
    READ_INDEX or without it (dropped inside the transaction); and what it counted."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {', '.join(rollup_tables())}")
    with transaction.atomic(), connection.cursor() as cursor:
        if not indexed:
            cursor.execute(f"DROP INDEX {READ_INDEX}")
        started = time.perf_counter()
        cursor.execute(sql, params)
        counted = cursor.fetchone()[0]
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return elapsed, counted


def time_loading():
    """The rollup statement of a chunk and its number group days alone, with READ_INDEX and
    without (see the docstring)."""
    from django.db import connection

    from billing import rollups

    with connection.cursor() as cursor:
        cursor.execute("SELECT min(started_at) FROM billing_callrecord")
        start = cursor.fetchone()[0] + timedelta(days=20, hours=12)
        cursor.execute(
            "SELECT started_at FROM billing_callrecord WHERE started_at >= %s"
            " ORDER BY started_at OFFSET %s LIMIT 1",
            [start, CHUNK_CALLS],
        )
        params = [start, cursor.fetchone()[0]]
    later = f"interval '{NEW_DAYS_LATER.days} days'"
    moved = [
        f"{column} + {later} AS {column}" if column in ("started_at", "ended_at") else column
        for column in rollups.CALL_COLUMNS
    ]
    statements = {}
    for chunk, columns in (("stored again", rollups.CALL_COLUMNS), ("on new days", moved)):
        new_calls = (
            f"SELECT {', '.join(columns)} FROM billing_callrecord"  # noqa: S608
            " WHERE started_at >= %s AND started_at < %s"
        )
        statement = rollups._statement(new_calls)  # what add_calls runs
        statements[chunk] = statement, number_group_days_part(new_calls, statement)
    rows = rolled_back_ms(statements["on new days"][1], params, indexed=True)[1]
    print(
        f"\nThe rollup statement of a chunk of {CHUNK_CALLS:,} calls from {start:%Y-%m-%d %H:%M}"
        f" UTC ({rows:,} number group days), and its number group days alone, with and without"
        f" {READ_INDEX}: median of {LOADING_RUNS}, each rolled back.\n"
        f"Load average before: {load_average()}"
    )
    timings = {}
    for run in range(LOADING_RUNS):
        for statement, part in statements.values():
            for sql in (statement, part):
                # Each first in turn: the machine's load drifts.
                for indexed in (run % 2 == 0, run % 2 == 1):
                    elapsed, _counted = rolled_back_ms(sql, params, indexed)
                    timings.setdefault((sql, indexed), []).append(elapsed)
    medians = {key: statistics.median(values) for key, values in timings.items()}
    print(f"{'':<14} {'statement with / without':>26} {'number group days':>24} {'cost':>7}")
    for chunk, (statement, part) in statements.items():
        added = statistics.median(
            with_index - without
            for with_index, without in zip(timings[part, True], timings[part, False], strict=True)
        )
        print(
            f"{chunk:<14} {medians[statement, True]:9.0f} ms / {medians[statement, False]:6.0f} ms"
            f" {medians[part, True]:9.0f} ms / {medians[part, False]:5.0f} ms"
            f" {added / medians[statement, False]:6.1%}"
        )
    print(
        "(cost: the median of what the index added to the number group days, run by run, as a"
        " share of the statement without it)"
    )
    print(f"Load average after: {load_average()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--big", type=int, default=3_000_000, help="the big enterprise's")
    parser.add_argument("--days", type=int, default=45)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument(
        "--reuse", action="store_true", help=f"time the pages of the {BENCH_DB} database kept"
    )
    parser.add_argument(
        "--rollups", action="store_true", help="with --reuse: add the rollups again first"
    )
    parser.add_argument(
        "--loading",
        action="store_true",
        help=f"with --reuse: time what {READ_INDEX} costs a load instead of the pages",
    )
    args = parser.parse_args()
    if args.days <= RANGE_DAYS or args.big > args.records:
        sys.exit(f"Give more than {RANGE_DAYS} days, and --big at most --records.")

    tables.BENCH_DB = BENCH_DB
    if args.reuse:
        tables.setup_django()
        user, packages, trunks, numbers = kept_enterprise()
        if args.rollups:
            add_rollups_again()
        if args.loading:
            time_loading()
        else:
            time_pages(user, packages, trunks, numbers)
        return
    tables.recreate_database()
    tables.setup_django()
    from django.db import connection

    big, user = tables.migrated_enterprise("Bench Analytics", "BENCH-ANALYTICS")
    packages, trunks, numbers = make_big_enterprise(big)
    others = make_others()
    print(
        f"Writing {args.records:,} call records over {args.days} days,"
        f" {args.big:,} of them one enterprise's, the rest {OTHERS} others':"
    )
    stored, seconds = write_records(
        big, args.big, others, args.records - args.big, args.days, packages, trunks, numbers
    )
    print(f"Stored {stored:,} records with their rollups in {seconds:.0f} s.")
    time_pages(user, packages, trunks, numbers)
    connection.close()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
