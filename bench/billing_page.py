r"""Benchmark of the Billing page of an enterprise with 3,000,000 calls a month and 36 invoices.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/billing_page.py [--calls 3000000] [--months 36] [--keep]

It creates the database bench_billing_page beside the one DATABASE_URL names (dropped again at
the end unless --keep), migrates it and makes one big enterprise (an Administrator, three
packages each with a trunk) and OTHERS other enterprises. The big one gets the hourly totals
(UsageHour, what rating keeps and the page reads) of CALLS calls a month for this month and the
MONTHS before, every hour of each month, by package, trunk, direction and destination (a dozen
international countries): the rows a month of that many calls makes. It gets an invoice with
its lines for each of the MONTHS months; the others a month of totals each. All in SQL
(generate_series; deterministic).

Then, signed in as the big enterprise's Administrator with django.test.Client, it times the whole
request (median of REPEAT: every query and the rendering) of the Billing page, its older months'
page, the open month's summary and an invoice's page, each cold (the month's figures so far,
which the page keeps a minute, computed again at each request) and warm. Beside each:
PostgreSQL's own time for the page's queries (the sum of their EXPLAIN ANALYZE execution times,
median of REPEAT) and the slowest of them. Target (issue 17): the Billing page under 100 ms.
"""

import argparse
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal

import tables

BENCH_DB = "bench_billing_page"
OTHERS = 20
REPEAT = 20
TARGET_MS = 100
SLOWEST = 3
COUNTRIES = ["GB", "DE", "FR", "MX", "IN", "PH", "NG", "BR", "CN", "JP", "AU", "CU"]

# The hourly totals of one month of one enterprise: every hour, each package (with its trunk)
# and direction, each destination class and international country; %(calls)s calls spread over
# the rows, 55 % of them answered, 90 s billed on average at a cent a minute, and a few calls
# of the month not rated (%(unrated)s: the open month's).
HOURS_OF_A_MONTH = """
INSERT INTO billing_usagehour (
    enterprise_id, hour, package_id, trunk_id, direction, destination_class,
    destination_country, calls, answered, busy, no_answer, failed, cancelled, seconds,
    billable_seconds, post_dial_delay_ms, post_dial_delay_calls, rated_seconds, charge, unrated
)
SELECT
    %(enterprise)s, hour, packages.package, packages.trunk, direction, destination.class,
    destination.country, calls, answered, 0, calls - answered, 0, 0, answered * 95,
    answered * 90, calls * 1800, calls, answered * 90, answered * 90 / 60.0 * 0.01,
    CASE WHEN %(unrated)s AND answered > 0 AND extract(hour FROM hour) = 3 THEN 1 ELSE 0 END
FROM generate_series(%(since)s::timestamptz, %(until)s::timestamptz - interval '1 hour',
                     interval '1 hour') AS hour,
    unnest(%(packages)s::bigint[], %(trunks)s::bigint[]) AS packages(package, trunk),
    unnest(ARRAY['inbound', 'outbound']) AS direction,
    (SELECT unnest(ARRAY['local', 'long_distance', 'toll_free']) AS class, '' AS country
     UNION ALL SELECT 'international', unnest(%(countries)s::text[])) AS destination,
    LATERAL (SELECT %(per_row)s AS calls, %(per_row)s * 55 / 100 AS answered) AS figures
"""


def make_big_enterprise(enterprise):
    """Three packages with a trunk each: (packages, trunks)."""
    made = [tables.package_with_trunk(enterprise, name) for name in ("Denver", "Chicago", "Dallas")]
    return [package for package, _ in made], [trunk for _, trunk in made]


def months_back(first, count):
    """first (a month's first day) and the count months before it, newest first."""
    months = [first]
    for _ in range(count):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    return months


def write_hours(enterprise, month, calls, packages, trunks, *, unrated):
    """The month's hourly totals of the enterprise, by each of packages (None: calls of no
    package) with its trunk; returns the rows written."""
    from django.db import connection

    from billing.invoicing import month_bounds

    since, until = month_bounds(enterprise, month)
    hours = int((until - since).total_seconds() // 3600)
    rows_an_hour = len(packages) * 2 * (3 + len(COUNTRIES))
    with connection.cursor() as cursor:
        cursor.execute(
            HOURS_OF_A_MONTH,
            {
                "enterprise": enterprise.pk,
                "since": since,
                "until": until,
                "packages": [package and package.pk for package in packages],
                "trunks": [trunk and trunk.pk for trunk in trunks],
                "countries": COUNTRIES,
                "per_row": max(1, calls // (hours * rows_an_hour)),
                "unrated": unrated,
            },
        )
        return cursor.rowcount


def write_invoices(enterprise, months, packages):
    """An invoice of each month, with a recurring line, a usage line per package and class, and
    a tax line."""

    from django_scopes import scopes_disabled

    from billing.models import Invoice, InvoiceLine

    with scopes_disabled():
        for month in months:
            issued = (month + timedelta(days=32)).replace(day=1)
            invoice = Invoice.objects.create(
                enterprise=enterprise,
                number=f"{enterprise.account_number}-{month:%Y%m}",
                period_start=month,
                period_end=issued - timedelta(days=1),
                issued_on=issued,
                due_on=issued + timedelta(days=30),
                status=Invoice.Status.PAID,
            )
            lines = [
                InvoiceLine(
                    section=InvoiceLine.Section.RECURRING,
                    description="Local numbers",
                    quantity=2000,
                    unit_price=Decimal("1.00"),
                    amount=Decimal("2000.00"),
                )
            ]
            for package in packages:
                for destination_class in ("local", "long_distance", "toll_free", "international"):
                    lines.append(
                        InvoiceLine(
                            section=InvoiceLine.Section.USAGE,
                            description=f"{package.name}: {destination_class} calls",
                            package=package,
                            destination_class=destination_class,
                            calls=137_500,
                            quantity=Decimal("206250"),
                            amount=Decimal("2062.50"),
                        )
                    )
            lines.append(
                InvoiceLine(
                    section=InvoiceLine.Section.TAX,
                    description="Federal USF",
                    amount=Decimal("120.00"),
                )
            )
            for position, line in enumerate(lines, 1):
                line.enterprise, line.invoice, line.position = enterprise, invoice, position
            InvoiceLine.objects.bulk_create(lines)
            total = sum(line.amount for line in lines)
            Invoice.objects.filter(pk=invoice.pk).update(total=total, paid=total)


def timed_ms(function):
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def postgres_ms(queries):
    """PostgreSQL's own time for the page's queries: the sum of their EXPLAIN ANALYZE execution
    times (ms), median of REPEAT, and each one's."""
    from django.db import connection

    selects = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith("SELECT")]

    def each():
        times = []
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}")
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else plan
                times.append(plan["Execution Time"])
        return times

    runs = [each() for _ in range(REPEAT)]
    totals = [sum(run) for run in runs]
    by_query = [statistics.median(run[n] for run in runs) for n in range(len(selects))]
    return statistics.median(totals), sorted(zip(by_query, selects, strict=True), reverse=True)


def time_pages(user, enterprise):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from billing.models import Invoice
    from billing.spend import current_month

    client = Client()
    client.force_login(user)
    with scopes_disabled():
        invoice = Invoice.objects.filter(enterprise=enterprise).order_by("-period_start").first()
    pages = [
        ("Billing page", reverse("billing:billing")),
        ("older months", reverse("billing:billing") + "?before=" + f"{invoice.period_start:%Y-%m}"),
        (
            "open month summary",
            reverse(
                "billing:month_summary", kwargs={"month": f"{current_month(enterprise):%Y-%m}"}
            ),
        ),
        ("an invoice", reverse("billing:invoice", kwargs={"number": invoice.number})),
    ]
    print(
        f"\nWhole request (median of {REPEAT}) beside PostgreSQL's own time for the page's"
        f" queries (sum of EXPLAIN ANALYZE execution times); target {TARGET_MS} ms"
    )
    print(
        "The month's figures so far are kept a minute: 'cold' pages compute them again at every"
        " request, 'warm' ones read them kept."
    )
    print(f"{'':<26} {'page':>9} {'queries':>8} {'PostgreSQL':>11}")
    usage_key = f"billing:usage-so-far:{enterprise.pk}:{current_month(enterprise):%Y-%m}"

    def cold(url):
        cache.delete(usage_key)
        return client.get(url)

    for label, url in pages:
        response = client.get(url)
        if response.status_code != 200:
            sys.exit(f"{url} answered {response.status_code}.")
        for state, get in (("cold", cold), ("warm", client.get)):
            page_ms = timed_ms(lambda url=url, get=get: get(url))
            with CaptureQueriesContext(connection) as captured:
                get(url)
            sql_ms, slowest = postgres_ms(captured.captured_queries)
            verdict = "ok" if page_ms < TARGET_MS else "OVER"
            name = f"{label}, {state}"
            print(f"{name:<26} {page_ms:6.1f} ms {len(captured):>8} {sql_ms:8.1f} ms  {verdict}")
            for ms, sql in slowest[:SLOWEST]:
                print(f"{'':<6}{ms:7.1f} ms  {' '.join(sql.split())[:150]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3_000_000, help="a month's calls")
    parser.add_argument("--months", type=int, default=36, help="invoiced months")
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    tables.setup_django()
    from django.db import connection

    from accounts.models import Enterprise
    from billing.spend import current_month

    big, user = tables.migrated_enterprise("Bench Billing", "BENCH-BILLING")
    packages, trunks = make_big_enterprise(big)
    months = months_back(current_month(big), args.months)
    started = time.perf_counter()
    rows = 0
    for month in months:
        rows += write_hours(big, month, args.calls, packages, trunks, unrated=month == months[0])
    others = Enterprise.objects.bulk_create(
        Enterprise(name=f"Other {n}", account_number=f"BENCH-OTHER-{n}") for n in range(OTHERS)
    )
    for other in others:
        rows += write_hours(other, months[0], args.calls // 10, [None], [None], unrated=False)
    write_invoices(big, months[1:], packages)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"Wrote {rows:,} hourly rows ({args.calls:,} calls a month for {len(months)} months) and"
        f" {len(months) - 1} invoices in {time.perf_counter() - started:.0f} s."
    )
    time_pages(user, big)
    connection.close()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
