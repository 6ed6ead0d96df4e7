r"""Benchmark of rating: a month of three million call records rated again.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/rating.py [--records 3000000] [--keep]

It creates the database bench_rating beside the one DATABASE_URL names (dropped again at the
end unless --keep), migrates it, makes ENTERPRISES enterprises with a package of each type, a
standard plan of each type (6/6, a connect fee, local, long distance and toll-free rates each
way and PREFIXES international prefixes, country codes and longer mobile ones) and, for the
first enterprise, its own Usage plan from the middle of the month. Then RECORDS call records of
October 2026 (half of them the first enterprise's; 45 % local, 35 % long distance, 12 %
toll-free, 8 % international, a few of those to a prefix no rate covers), written in SQL
straight into the month's partition, unrated.

It prints
- the re-rate job of the month for every enterprise, as the worker runs it (billing.rating's
  rerate_month: the calls rated, each enterprise's hourly totals moved by what changed), in
  records/s; then the same job again (nothing changes: no call is written, no total moved);
- beside it, PostgreSQL's own figure for the same rows: a bare UPDATE setting each call's
  charge from its billable seconds, with no join (the least a re-rate writes), on a copy of
  the month's partition with pages half empty as the portal makes them (fillfactor 50: each
  new version stays on its page and no index is written, HOT), and the re-rate as a share of
  it; and the same UPDATE on a packed copy (every version moves, every index is written), with
  both sizes; and where the re-rate's time goes (the rating join alone, the rest: writing the
  calls and moving the totals), beside what counting the hourly totals again would take;
- the nightly packing of the month once it is settled (billing.partitions), with the sizes;
- the loader's rating overhead: for a chunk of CHUNK calls, the rate table made and the
  INSERT ... SELECT of the chunk with and without the join to it.
Target (issue 17): over 100,000 records/s for the re-rate.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import tables

BENCH_DB = "bench_rating"
ENTERPRISES = 6
MONTH = date(2026, 10, 1)
CHUNK = 50_000
TARGET = 100_000
# Country codes; the first MOBILE of them also get a mobile prefix (the code and a 7).
COUNTRY_CODES = [
    "44",
    "33",
    "49",
    "39",
    "34",
    "31",
    "32",
    "41",
    "43",
    "45",
    "46",
    "47",
    "48",
    "351",
    "353",
    "358",
    "30",
    "36",
    "40",
    "420",
    "421",
    "380",
    "7",
    "90",
    "972",
    "971",
    "966",
    "20",
    "27",
    "234",
    "254",
    "212",
    "213",
    "216",
    "91",
    "92",
    "880",
    "94",
    "86",
    "81",
    "82",
    "852",
    "853",
    "886",
    "65",
    "60",
    "62",
    "63",
    "66",
    "84",
    "61",
    "64",
    "52",
    "55",
    "54",
    "56",
    "57",
    "58",
    "51",
    "593",
    "591",
    "595",
    "598",
    "502",
    "503",
    "504",
    "505",
    "506",
    "507",
    "509",
    "1242",
    "1246",
    "1264",
    "1268",
    "1284",
    "1340",
    "1345",
    "1441",
    "1473",
    "1649",
    "1664",
    "1670",
    "1671",
    "1684",
    "1721",
    "1758",
    "1767",
    "1784",
    "1787",
    "1809",
    "1868",
    "1869",
    "1876",
    "355",
    "359",
    "370",
    "371",
    "372",
    "373",
    "374",
    "375",
    "376",
    "377",
    "378",
    "381",
    "382",
    "385",
    "386",
    "387",
    "389",
    "350",
    "352",
    "354",
    "356",
    "357",
    "960",
    "961",
    "962",
    "963",
    "964",
    "965",
    "967",
    "968",
    "970",
    "973",
    "974",
    "975",
    "976",
    "977",
    "992",
    "993",
    "994",
    "995",
    "996",
    "998",
    "221",
    "222",
    "223",
    "224",
    "225",
    "226",
    "227",
    "228",
    "229",
    "230",
    "231",
    "232",
    "233",
    "235",
    "236",
    "237",
    "238",
    "239",
    "240",
    "241",
    "242",
    "243",
    "244",
    "245",
    "246",
    "248",
    "249",
    "250",
    "251",
    "252",
    "253",
    "255",
    "256",
    "257",
    "258",
    "260",
    "261",
    "262",
    "263",
    "264",
    "265",
    "266",
    "267",
    "268",
]
MOBILE = 60
UNCOVERED_PREFIX = "999"  # no rate: its calls are unrated

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
    ring + talk, CASE WHEN answered THEN talk ELSE 0 END,
    direction,
    CASE WHEN direction = 'outbound' THEN own ELSE other END,
    CASE WHEN direction = 'outbound' THEN other ELSE own END,
    %(enterprise)s, own, (%(packages)s::bigint[])[1 + n %% 3], NULL,
    destination, CASE WHEN destination = 'international' THEN 'ZZ' ELSE '' END,
    CASE WHEN answered THEN 'answered' ELSE 'no_answer' END,
    CASE WHEN answered THEN 200 ELSE 480 END, CASE WHEN answered THEN 16 ELSE 19 END, NULL
FROM (
    SELECT n, %(prefix)s || n AS call_id,
        %(day)s::timestamptz + n * interval '86400 seconds' / %(count)s AS started_at,
        '+1720' || lpad((n * 7919 %% 1000000)::text, 7, '0') AS own,
        CASE WHEN n %% 100 >= 92
            THEN '+' || (%(prefixes)s::text[])[1 + (n * 7 + n / 100) %% %(prefix_count)s]
                || lpad((n %% 100000000)::text, 8, '0')
            ELSE '+1' || (201 + n %% 700) || '555' || lpad((n * 13 %% 10000)::text, 4, '0')
        END AS other,
        CASE WHEN n %% 100 BETWEEN 80 AND 91 THEN 'inbound'
            WHEN n %% 5 < 3 THEN 'outbound' ELSE 'inbound' END AS direction,
        CASE WHEN n %% 100 < 45 THEN 'local' WHEN n %% 100 < 80 THEN 'long_distance'
            WHEN n %% 100 < 92 THEN 'toll_free' ELSE 'international' END AS destination,
        n * 31 %% 100 < 55 AS answered,
        2 + n %% 23 AS ring,
        CASE WHEN n * 31 %% 100 < 55 THEN 1 + n * 17 %% 420 ELSE 0 END AS talk
    FROM generate_series(0, %(count)s - 1) AS n
) AS calls
"""


def prefixes():
    """The international prefixes of the plans: the country codes and the mobile ones."""
    return COUNTRY_CODES + [f"{code}7" for code in COUNTRY_CODES[:MOBILE]]


def make_enterprises(first):
    """ENTERPRISES enterprises (first the one made with the database), each with a package of
    each type: [(enterprise, [package ids])]."""
    from django_scopes import scopes_disabled

    from accounts.models import Enterprise
    from trunks.models import Package

    made = []
    with scopes_disabled():
        for position in range(ENTERPRISES):
            enterprise = first
            if position:
                enterprise = Enterprise.objects.create(
                    name=f"Bench Rating {position}", account_number=f"BENCH-RATE-{position}"
                )
            packages = [
                Package.objects.create(enterprise=enterprise, name=f"Bench {kind}", type=kind).pk
                for kind in Package.Type.values
            ]
            made.append((enterprise, packages))
    return made


def make_plans(first_enterprise):
    """A standard plan of each package type with every rate, and the first enterprise's own
    Usage plan from the 16th: how many rates they hold."""
    from billing.models import RatePlan, UsageRate
    from trunks.models import Package

    plans = [
        RatePlan.objects.create(
            name=f"Standard {kind}",
            package_type=kind,
            effective_from=date(2026, 1, 1),
            connect_fee=Decimal("0.0025"),
        )
        for kind in Package.Type.values
    ]
    RatePlan.objects.filter(package_type="usage").update(effective_to=date(2026, 10, 15))
    plans.append(
        RatePlan.objects.create(
            name="Standard usage from the 16th",
            package_type="usage",
            effective_from=date(2026, 10, 16),
            connect_fee=Decimal("0.003"),
        )
    )
    plans.append(
        RatePlan.objects.create(
            name="Bench contract",
            package_type="usage",
            enterprise=first_enterprise,
            effective_from=date(2026, 10, 16),
            first_increment=30,
        )
    )
    rates = []
    for number, plan in enumerate(plans):
        for direction in ("inbound", "outbound"):
            for kind, per_minute in (("local", "0.004"), ("long_distance", "0.009")):
                rates.append(
                    UsageRate(
                        plan=plan,
                        direction=direction,
                        destination_class=kind,
                        per_minute=Decimal(per_minute) + Decimal(number) / 1000,
                    )
                )
            rates.append(
                UsageRate(
                    plan=plan,
                    direction=direction,
                    destination_class="toll_free",
                    per_minute=Decimal("0.018"),
                )
            )
            for position, prefix in enumerate(prefixes()):
                rates.append(
                    UsageRate(
                        plan=plan,
                        direction=direction,
                        destination_class="international",
                        prefix=prefix,
                        per_minute=Decimal("0.05") + Decimal(position) / 1000,
                    )
                )
    UsageRate.objects.bulk_create(rates)
    return len(rates)


def write_records(enterprises, count):
    """count calls of MONTH, half the first enterprise's, in SQL into the month's partition
    made without indexes and attached after, with room on its pages as the portal makes it."""
    from django.db import connection

    from billing.models import CallRecord
    from core.partitions import partition_name

    table = partition_name(CallRecord, datetime(MONTH.year, MONTH.month, 1, tzinfo=UTC))
    first_day = datetime(MONTH.year, MONTH.month, 1, 6, tzinfo=UTC)
    days = 30
    known = [*prefixes(), UNCOVERED_PREFIX]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        exists = cursor.fetchone()[0]
        if exists:
            cursor.execute(f"ALTER TABLE billing_callrecord DETACH PARTITION {table}")
            cursor.execute(f"DROP TABLE {table}")
        # With the room on its pages that the portal's partitions have (core.partitions).
        cursor.execute(
            f"CREATE TABLE {table} (LIKE billing_callrecord"
            " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
            f" WITH (fillfactor = {CallRecord.partition_fillfactor})"
        )
        shares = [count // 2] + [count // 2 // (len(enterprises) - 1)] * (len(enterprises) - 1)
        for day_number in range(days):
            day = first_day + timedelta(days=day_number)
            for (enterprise, packages), share in zip(enterprises, shares, strict=True):
                cursor.execute(
                    RECORDS_OF_A_DAY.format(table=table),
                    {
                        "prefix": f"{enterprise.pk}-{day:%Y%m%d}-",
                        "day": day,
                        "count": share // days,
                        "enterprise": enterprise.pk,
                        "packages": packages,
                        "prefixes": known,
                        "prefix_count": len(known),
                    },
                )
        following = datetime(MONTH.year, MONTH.month + 1, 1, tzinfo=UTC)
        cursor.execute(
            f"ALTER TABLE billing_callrecord ATTACH PARTITION {table} FOR VALUES FROM (%s) TO (%s)",
            [first_day.replace(hour=0), following],
        )
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - ours
        stored = cursor.fetchone()[0]
    print(f"Records: {stored:,} calls written in {time.perf_counter() - started:.0f} s", flush=True)
    return stored


def timed_rerate(user):
    """Seconds of the whole re-rate job of MONTH for every enterprise, run as the worker runs
    it (without Redis, start_job runs it at once in this process)."""
    from billing.rating import start_rerate
    from core.models import Job

    started = time.perf_counter()
    job = start_rerate(MONTH, None, by=user)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    if job.status != Job.Status.SUCCEEDED:
        sys.exit(f"The re-rate job ended {job.status}: {job.message}")
    return seconds


def breakdown(enterprises):
    """Seconds of the re-rate's parts, each over the whole month: the rating join alone (its
    rows written to a temporary table, not to the records), and counting the hourly totals
    again from the calls (rollups.rebuild_hours), which the re-rate's statement spares."""
    from django.db import connection, transaction

    from billing import rating, rollups
    from billing.invoicing import month_bounds

    join = hours = 0
    for enterprise, packages in enterprises:
        since, until = month_bounds(enterprise, MONTH)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '256MB'")
            started = time.perf_counter()
            joins = rating.rate_tables(cursor, packages, since, until)
            cursor.execute(
                "CREATE TEMPORARY TABLE bench_rated AS"  # noqa: S608 - ours
                f" SELECT c.started_at, c.call_id, {rating.RATING}"
                f" FROM billing_callrecord AS c {joins}"
                " WHERE c.enterprise_id = %s AND c.started_at >= %s AND c.started_at < %s",
                [enterprise.pk, since, until],
            )
            join += time.perf_counter() - started
            cursor.execute("DROP TABLE bench_rated")
            rating.drop_rate_tables(cursor)
        started = time.perf_counter()
        rollups.rebuild_hours(enterprise.pk, since, until - timedelta(microseconds=1))
        hours += time.perf_counter() - started
    return join, hours


def postgres_update(fillfactor=100):
    """PostgreSQL's own figure: (seconds, rows, table's MB) of a bare UPDATE setting the
    charge of every call of the month from its billable seconds, with no join, on a copy of the
    month's partition with its indexes. At fillfactor 100 the copy is packed as a load leaves
    it (the re-rate's first run meets the same); at 50 each page keeps room for a new version
    of each of its rows, so that the update stays on the page and writes no index entry (HOT),
    as on the portal's partitions of open months."""
    from django.db import connection

    from billing.models import CallRecord
    from core.partitions import partition_name

    table = partition_name(CallRecord, datetime(MONTH.year, MONTH.month, 1, tzinfo=UTC))
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE bench_month (LIKE {table} INCLUDING ALL)"
            f" WITH (fillfactor = {fillfactor})"
        )
        cursor.execute(f"INSERT INTO bench_month SELECT * FROM {table}")  # noqa: S608 - ours
        cursor.execute("VACUUM ANALYZE bench_month")
        cursor.execute("SELECT pg_relation_size('bench_month') / 1e6")
        megabytes = cursor.fetchone()[0]
        started = time.perf_counter()
        cursor.execute("UPDATE bench_month SET charge = billable_seconds * 0.0001")
        seconds, rows = time.perf_counter() - started, cursor.rowcount
        cursor.execute("DROP TABLE bench_month")
    return seconds, rows, megabytes


def pack_month():
    """Seconds of packing the month's partition as the nightly job does once it is settled,
    and its size with its indexes before and after, in MB."""
    from django.db import connection

    from billing.models import CallRecord
    from core.partitions import pack_partitions_before, partition_name

    table = partition_name(CallRecord, datetime(MONTH.year, MONTH.month, 1, tzinfo=UTC))
    size = f"SELECT pg_total_relation_size('{table}') / 1e6"
    with connection.cursor() as cursor:
        cursor.execute(size)
        before = cursor.fetchone()[0]
        started = time.perf_counter()
        assert pack_partitions_before(CallRecord, date(MONTH.year, MONTH.month + 1, 1)) == [table]
        seconds = time.perf_counter() - started
        cursor.execute(size)
        return seconds, before, cursor.fetchone()[0]


def loader_overhead(packages):
    """The loader's rating of a chunk of CHUNK calls: ms to make the rate table, and the ms of
    the chunk's INSERT ... SELECT without and with the join (median of 5)."""
    from django.db import connection, transaction

    from billing import rating

    since = datetime(MONTH.year, MONTH.month, 20, tzinfo=UTC)
    until = since + timedelta(days=1)
    columns = (
        "call_id, started_at, answered_at, ended_at, duration, billable_seconds, direction,"
        " from_number, to_number, enterprise_id, number, package_id, trunk_id,"
        " destination_class, destination_country, disposition, sip_code, q850_cause,"
        " post_dial_delay_ms"
    )
    made, plain, joined = [], [], []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_staged AS SELECT * FROM billing_callrecord"  # noqa: S608
            " WHERE started_at >= %s AND started_at < %s ORDER BY started_at LIMIT %s",
            [since, until, CHUNK],
        )
        for _run in range(5):
            for name, sql in (
                ("plain", f"SELECT {columns} FROM bench_staged AS c"),  # noqa: S608
                ("joined", None),
            ):
                started = time.perf_counter()
                if sql is None:
                    joins = rating.rate_tables(cursor, packages, since, until)
                    made.append(time.perf_counter() - started)
                    sql = f"SELECT {columns}, {rating.RATING} FROM bench_staged AS c {joins}"  # noqa: S608
                    started = time.perf_counter()
                cursor.execute(f"CREATE TEMPORARY TABLE bench_out AS {sql}")
                (plain if name == "plain" else joined).append(time.perf_counter() - started)
                cursor.execute("DROP TABLE bench_out")
                if name == "joined":
                    rating.drop_rate_tables(cursor)
        cursor.execute("DROP TABLE bench_staged")
    return [statistics.median(values) * 1000 for values in (made, plain, joined)]


def report(label, seconds, rows, floor=None):
    rate = rows / seconds
    beside = f"  {rate / floor:5.2f} x PostgreSQL's UPDATE" if floor else ""
    print(f"{label:<52} {rows:>10,} rows {seconds:8.2f} s {rate:>12,.0f} rows/s{beside}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=3_000_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    tables.setup_django()
    from django.db import connection
    from django_scopes import scopes_disabled

    from billing.models import CallRecord, UsageHour
    from billing.rating import unrated_calls

    first, user = tables.migrated_enterprise("Bench Rating", "BENCH-RATE-0")
    with scopes_disabled():
        enterprises = make_enterprises(first)
        rates = make_plans(first)
    print(f"Plans: {rates:,} rates, {len(prefixes())} international prefixes", flush=True)
    stored = write_records(enterprises, args.records)

    print(f"\nLoad average before: {tables_load()}", flush=True)
    first_seconds = timed_rerate(user)
    again_seconds = timed_rerate(user)
    with scopes_disabled():
        month = CallRecord.objects.filter(started_at__month=MONTH.month)
        rated = month.filter(rate__isnull=False).count()
        hours = UsageHour.objects.count()
        since = datetime(MONTH.year, MONTH.month, 1, tzinfo=UTC)
        unrated = sum(
            unrated_calls(enterprise.pk, since, since + timedelta(days=31))
            for enterprise, _packages in enterprises
        )
    join_seconds, hours_seconds = breakdown(enterprises)
    made_ms, plain_ms, joined_ms = loader_overhead(
        [pk for _enterprise, packages in enterprises for pk in packages]
    )
    update_seconds, updated, packed_mb = postgres_update()
    roomy_seconds, roomy_updated, roomy_mb = postgres_update(fillfactor=50)
    pack_seconds, month_mb, month_packed_mb = pack_month()
    print(f"Load average after: {tables_load()}\n")

    floor = roomy_updated / roomy_seconds
    report("re-rate job of the month (rating and rollups)", first_seconds, stored, floor)
    report("the same again (nothing changes)", again_seconds, stored, floor)
    report("PostgreSQL: bare UPDATE of the charge, no join", roomy_seconds, roomy_updated)
    report("PostgreSQL: the same on packed pages", update_seconds, updated)
    print(f"  the month's table: {roomy_mb:,.0f} MB half empty, {packed_mb:,.0f} MB packed")
    print(f"  {rated:,} calls rated, {unrated:,} answered unrated; {hours:,} hourly rows")
    print(
        f"Of the re-rate: the rating join alone {join_seconds:.2f} s; the rest is the UPDATE"
        f" writing the calls and moving their hourly totals ({first_seconds - join_seconds:.2f} s"
        f" the first time). Counting the hourly totals again instead: {hours_seconds:.2f} s."
    )
    print(
        f"Packing the month once settled (nightly, billing.partitions): {pack_seconds:.1f} s,"
        f" {month_mb:,.0f} MB to {month_packed_mb:,.0f} MB with its indexes"
    )
    print(
        f"\nLoader's rating of a chunk of {CHUNK:,} calls: rate table {made_ms:.1f} ms;"
        f" INSERT ... SELECT {plain_ms:.1f} ms plain, {joined_ms:.1f} ms rated"
        f" (+{joined_ms + made_ms - plain_ms:.1f} ms,"
        f" {(joined_ms + made_ms - plain_ms) * 1000 / CHUNK:.1f} µs a call)"
    )
    rate = stored / first_seconds
    print(f"\nTarget: over {TARGET:,} records/s: {'met' if rate > TARGET else 'missed'}.")
    connection.close()
    if not args.keep:
        tables.drop_database()


def tables_load():
    return ", ".join(f"{load:.2f}" for load in os.getloadavg())


if __name__ == "__main__":
    main()
