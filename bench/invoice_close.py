r"""Benchmark of closing a month's invoice for an enterprise of a million numbers.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/invoice_close.py [--numbers 1000000] [--calls 3000000] [--keep]

It creates the database bench_invoice_close beside the one DATABASE_URL names (dropped again
at the end unless --keep), migrates it and makes one enterprise (in UTC, so that its month is
one partition of the call records) with three packages
(Bundle, Usage, Outbound Only), an active trunk each, the standard plans and the taxes, and in
the last month that has ended there:
- NUMBERS numbers, written in SQL (generate_series, deterministic): most in service all month,
  one in 50 activated during it (one in two of those by a number order), one in 70
  disconnected during it; a third with CNAM, half with an E911 address; 5% toll-free;
- CALLS call records spread over the month, rated (rate, billed seconds, charge) as they are
  written, into the month's partition, then added to the rollups a day at a time by
  billing.rollups.add_calls, as a load adds them;
- a completed port of 100 numbers.

Then it closes the month as the worker does (billing.invoicing.close_due_months: the
aggregates, the lines, the invoice, and its PDF rendered with WeasyPrint once the close
commits; jobs run inline here), three times (the invoice deleted between), and prints the
median beside its parts and PostgreSQL's own time for bare aggregates over the same rows (a
SELECT ... GROUP BY over the numbers, and over the month's hourly totals).
Target (issue 17): under 30 s of worker time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import tables

BENCH_DB = "bench_invoice_close"
RUNS = 3
TARGET_SECONDS = 30
# The enterprise's zone: its months are then the record table's partitions (UTC months).
ZONE = UTC

NUMBERS = """
INSERT INTO phone_numbers_phonenumber (
    public_id, enterprise_id, e164, kind, country, package_id, status, forward_to, cnam,
    e911_address_id, sms_enabled, area_code, city, state, order_id, created_at, activated_at,
    disconnected_at
)
SELECT gen_random_uuid(), %(enterprise)s,
    CASE WHEN toll_free THEN '+1888' ELSE '+1303' END || lpad(n::text, 7, '0'),
    CASE WHEN toll_free THEN 'toll_free' ELSE 'us_domestic' END, 'US',
    (%(packages)s::bigint[])[1 + n %% 3],
    CASE WHEN n %% 70 = 0 THEN 'disconnected' ELSE 'active' END, '',
    CASE WHEN n %% 3 = 0 THEN 'BENCH' ELSE '' END,
    CASE WHEN n %% 2 = 0 THEN %(address)s END, false, '303', 'Denver', 'CO',
    CASE WHEN n %% 100 = 0 THEN %(order)s END,
    activated, activated,
    CASE WHEN n %% 70 = 0 THEN %(since)s::timestamptz + (n %% 29 + 1) * interval '1 day' END
FROM (
    SELECT n, n %% 20 = 0 AS toll_free,
        CASE WHEN n %% 50 = 0 THEN %(since)s::timestamptz + (n %% 29) * interval '1 day'
            + interval '9 hours'
            ELSE %(since)s::timestamptz - interval '40 days' END AS activated
    FROM generate_series(1, %(count)s) AS n
) AS numbers
"""

# One day of calls: the n-th of `count` starts n * 86400 / count seconds into the day; its
# number, direction, class, disposition and durations follow from n; it is rated as it is
# written (6/6 increments, the class's per-minute rate).
CALLS_OF_A_DAY = """
INSERT INTO {table} (
    call_id, started_at, answered_at, ended_at, duration, billable_seconds, direction,
    from_number, to_number, enterprise_id, number, package_id, trunk_id, destination_class,
    destination_country, disposition, sip_code, q850_cause, post_dial_delay_ms, rate_id,
    rated_seconds, charge
)
SELECT call_id, started_at,
    CASE WHEN answered THEN started_at + 3 * interval '1 second' END,
    started_at + (3 + talk) * interval '1 second', 3 + talk,
    CASE WHEN answered THEN talk ELSE 0 END,
    CASE WHEN outbound THEN 'outbound' ELSE 'inbound' END,
    CASE WHEN outbound THEN own ELSE other END, CASE WHEN outbound THEN other ELSE own END,
    %(enterprise)s, own, package, trunk, destination,
    CASE WHEN destination = 'international' THEN 'GB' ELSE '' END,
    CASE WHEN answered THEN 'answered' ELSE 'no_answer' END,
    CASE WHEN answered THEN 200 ELSE 480 END, CASE WHEN answered THEN 16 ELSE 19 END, 900,
    CASE WHEN answered THEN rate END,
    CASE WHEN answered THEN (talk + 5) / 6 * 6 END,
    CASE WHEN answered THEN round((talk + 5) / 6 * 6 * per_minute / 60, 6) END
FROM (
    SELECT n, %(prefix)s || n AS call_id,
        %(day)s::timestamptz + n * interval '86400 seconds' / %(count)s AS started_at,
        '+1303' || lpad((1 + n * 7919 %% %(numbers)s)::text, 7, '0') AS own,
        '+1' || (201 + n %% 700) || '555' || lpad((n * 13 %% 10000)::text, 4, '0') AS other,
        (%(packages)s::bigint[])[1 + n %% 3] AS package,
        (%(trunks)s::bigint[])[1 + n %% 3] AS trunk,
        n %% 5 < 3 AS outbound, n * 31 %% 100 < 60 AS answered, 1 + n * 17 %% 400 AS talk,
        classes.destination, classes.rate, classes.per_minute
    FROM generate_series(0, %(count)s - 1) AS n
    JOIN (SELECT * FROM unnest(%(classes)s::text[], %(rates)s::bigint[], %(prices)s::numeric[]))
        AS classes (destination, rate, per_minute)
        ON classes.destination = CASE WHEN n %% 20 = 0 THEN 'international'
            WHEN n %% 20 = 1 THEN 'toll_free' WHEN n %% 20 < 10 THEN 'long_distance'
            ELSE 'local' END
) AS calls
"""
PRICES = {
    "local": Decimal("0.004"),
    "long_distance": Decimal("0.009"),
    "toll_free": Decimal("0.012"),
    "international": Decimal("0.045"),
}


def last_ended_month():
    today = datetime.now(ZONE).date()
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def make_enterprise(enterprise, first):
    """Packages, trunks, plans, taxes, an order and a completed port: (packages, trunks,
    usage rates by class)."""
    from django_scopes import scopes_disabled

    from billing.models import BillingProfile, NumberRate, RatePlan, TaxRate, UsageRate
    from orders.models import Order
    from phone_numbers.models import E911Address, NumberOrder
    from porting.models import PortBatch, PortList, PortNumber, PortOrder

    since = datetime.combine(first, datetime.min.time(), tzinfo=ZONE)
    with scopes_disabled():
        BillingProfile.objects.create(enterprise=enterprise, address_state="CO")
        packages, trunks, rates = [], [], {}
        for name, package_type in [
            ("Denver Bundle", "bundle"),
            ("Chicago Usage", "usage"),
            ("Dialer", "outbound"),
        ]:
            package, trunk = tables.package_with_trunk(
                enterprise, name, package_type, activated_at=since - timedelta(days=60)
            )
            packages.append(package)
            trunks.append(trunk)
            plan = RatePlan.objects.create(
                name=f"Standard {name}",
                package_type=package_type,
                effective_from=date(2020, 1, 1),
                package_monthly=Decimal("250.00") if package_type == "bundle" else 0,
                included_channels=100,
                channel_monthly=Decimal("12.00"),
                cnam_monthly=Decimal("0.35"),
                e911_monthly=Decimal("0.85"),
                port_fee=Decimal("3.00"),
            )
            for kind, monthly in [("us_domestic", "0.90"), ("toll_free", "1.50")]:
                NumberRate.objects.create(
                    plan=plan, kind=kind, monthly=Decimal(monthly), order_fee=Decimal("1.00")
                )
            for destination, price in PRICES.items():
                rate = UsageRate.objects.create(
                    plan=plan,
                    direction="outbound",
                    destination_class=destination,
                    per_minute=price,
                )
                rates.setdefault(destination, rate.pk)
        for kind, state, percent, amount in [
            ("federal_usf", "", "36.6", "0"),
            ("e911_fee", "", "0", "0.25"),
            ("sales_tax", "CO", "2.9", "0"),
        ]:
            TaxRate.objects.create(
                kind=kind,
                state=state,
                rate=Decimal(percent),
                amount=Decimal(amount),
                effective_from=date(2020, 1, 1),
            )
        address = E911Address.objects.create(
            enterprise=enterprise,
            street="1801 California St",
            city="Denver",
            state="CO",
            zip_code="80202",
        )
        order = Order.objects.create(
            enterprise=enterprise, reference="NO-BENCH1", kind="numbers", status="completed"
        )
        NumberOrder.objects.create(
            enterprise=enterprise,
            order=order,
            package=packages[0],
            kind="us_domestic",
            country="US",
            quantity=20_000,
            address_street="1801 California St",
            address_city="Denver",
            address_state="CO",
            address_zip="80202",
        )
        port = Order.objects.create(
            enterprise=enterprise, reference="PO-BENCH1", kind="port", status="completed"
        )
        port_list = PortList.objects.create(
            enterprise=enterprise, kind="us_domestic", digest="bench"
        )
        port_order = PortOrder.objects.create(
            enterprise=enterprise,
            order=port,
            package=packages[1],
            kind="us_domestic",
            port_list=port_list,
        )
        batch = PortBatch.objects.create(
            enterprise=enterprise,
            port_order=port_order,
            sequence=1,
            reference="PB-BENCH1",
            carrier="Bench Carrier",
            status="completed",
            number_count=100,
            completed_at=since + timedelta(days=10),
        )
        PortNumber.objects.bulk_create(
            PortNumber(
                enterprise=enterprise,
                port_list=port_list,
                position=n + 1,
                entry=f"+1720555{n:04}",
                e164=f"+1720555{n:04}",
                batch=batch,
            )
            for n in range(100)
        )
    return packages, trunks, rates, address, order


def write_numbers(enterprise, first, count, packages, address, order):
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            NUMBERS,
            {
                "enterprise": enterprise.pk,
                "packages": [package.pk for package in packages],
                "address": address.pk,
                "order": order.pk,
                "since": datetime.combine(first, datetime.min.time(), tzinfo=ZONE),
                "count": count,
            },
        )
        cursor.execute("ANALYZE phone_numbers_phonenumber")
    print(f"  {count:,} numbers written, {time.perf_counter() - started:.0f} s", flush=True)


def write_calls(enterprise, first, count, numbers, packages, trunks, rates):
    """The month's calls a day at a time into its partition, made beside the record table
    without indexes and attached after (its indexes then built at once); then their rollups,
    a day at a time."""
    from django.db import connection

    from billing import rollups
    from billing.models import CallRecord
    from core.partitions import partition_name

    started = time.perf_counter()
    start = datetime.combine(first, datetime.min.time(), tzinfo=ZONE)
    following = (first + timedelta(days=32)).replace(day=1)
    days = (following - first).days
    table = partition_name(CallRecord, first)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {table} (LIKE billing_callrecord"
            " INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        for day_number in range(days):
            day = start + timedelta(days=day_number)
            cursor.execute(
                CALLS_OF_A_DAY.format(table=table),
                {
                    "prefix": f"bench-{day:%Y%m%d}-",
                    "day": day,
                    "count": count // days + (day_number < count % days),
                    "enterprise": enterprise.pk,
                    "numbers": numbers,
                    "packages": [package.pk for package in packages],
                    "trunks": [trunk.pk for trunk in trunks],
                    "classes": list(PRICES),
                    "rates": [rates[name] for name in PRICES],
                    "prices": list(PRICES.values()),
                },
            )
        cursor.execute(
            f"ALTER TABLE billing_callrecord ATTACH PARTITION {table} FOR VALUES FROM (%s) TO (%s)",
            [start, datetime.combine(following, datetime.min.time(), tzinfo=ZONE)],
        )
        print(f"  {count:,} calls written, {time.perf_counter() - started:.0f} s", flush=True)
        for day_number in range(days):
            day = start + timedelta(days=day_number)
            rollups.add_calls(
                cursor,
                f"SELECT {', '.join(rollups.CALL_COLUMNS)} FROM billing_callrecord "  # noqa: S608
                "WHERE started_at >= %s AND started_at < %s",
                [day, day + timedelta(days=1)],
            )
        cursor.execute("ANALYZE")
    print(f"  rollups added, {time.perf_counter() - started:.0f} s", flush=True)


def seconds_of(function, runs=RUNS, between=None):
    """The median of `runs` timings of function() (s), and its last result."""
    timings, result = [], None
    for _ in range(runs):
        if between:
            between()
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def postgres_seconds(sql, params):
    from django.db import connection

    def run():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return seconds_of(run)[0]


def time_close(enterprise, first):
    from django_scopes import scopes_disabled

    from billing import invoice_pdf
    from billing.invoicing import Figures, close_due_months, hold_reasons, month_bounds, month_of
    from billing.models import Invoice, InvoiceLine
    from core.tenancy import enterprise_scope

    def forget_the_invoice():
        with scopes_disabled():
            InvoiceLine.objects.all().delete()
            Invoice.objects.all().delete()

    def close():
        close_due_months(enterprise.pk)  # the PDF is rendered inline once the close commits
        with scopes_disabled():
            invoice = Invoice.objects.filter(enterprise=enterprise, period_start=first).first()
            if invoice is None:
                sys.exit(f"The close was held: {hold_reasons(enterprise, first)}")
        return invoice

    whole, invoice = seconds_of(close, between=forget_the_invoice)
    if invoice.status != Invoice.Status.OPEN or not invoice.pdf:
        sys.exit(f"The invoice was not rendered: {invoice.status}.")
    month = month_of(enterprise, first)
    with enterprise_scope(enterprise):
        aggregates, _ = seconds_of(lambda: Figures.of(month))
        pdf, _ = seconds_of(lambda: invoice_pdf.render_pdf(invoice))
        lines = invoice.lines.count()
        total = invoice.total
    since, until = month_bounds(enterprise, first)
    params = {"enterprise": enterprise.pk, "since": since, "until": until}
    numbers_sql = postgres_seconds(
        "SELECT package_id, kind, count(*), count(*) FILTER (WHERE cnam <> ''),"
        " count(e911_address_id) FROM phone_numbers_phonenumber"
        " WHERE enterprise_id = %(enterprise)s GROUP BY 1, 2",
        params,
    )
    hours_sql = postgres_seconds(
        "SELECT package_id, destination_class, sum(answered), sum(rated_seconds), sum(charge)"
        " FROM billing_usagehour WHERE enterprise_id = %(enterprise)s"
        " AND hour >= %(since)s AND hour < %(until)s GROUP BY 1, 2",
        params,
    )
    verdict = "ok" if whole < TARGET_SECONDS else "OVER"
    print(
        f"\nClosing {first:%B %Y} (median of {RUNS}): invoice {invoice.number}, {lines} lines,"
        f" total ${total:,}"
    )
    print(
        f"  close_due_months, PDF included   {whole:7.2f} s   target {TARGET_SECONDS} s  {verdict}"
    )
    print(f"    of which the month's aggregates {aggregates:7.2f} s")
    print(f"    of which the PDF (WeasyPrint)    {pdf:7.2f} s")
    print(f"  PostgreSQL, bare GROUP BY over the numbers      {numbers_sql:7.2f} s")
    print(f"  PostgreSQL, bare GROUP BY over the month's hours {hours_sql:7.2f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=3_000_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    tables.BENCH_DB = BENCH_DB
    tables.recreate_database()
    # The PDFs go to a media folder of the bench's own.
    media = tempfile.TemporaryDirectory(prefix="bench-invoices-")
    os.environ["PORTAL_VAR_DIR"] = media.name
    tables.setup_django()
    from django.db import connection

    from accounts.models import Enterprise

    enterprise, user = tables.migrated_enterprise("Bench Invoices", "BENCH-INVOICES")
    # No one to e-mail that the invoice is ready: the console stays for the figures.
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    Enterprise.objects.filter(pk=enterprise.pk).update(
        time_zone="UTC", created_at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    enterprise.refresh_from_db()
    first = last_ended_month()
    print(f"Making {first:%B %Y} of one enterprise: {args.numbers:,} numbers, {args.calls:,} calls")
    packages, trunks, rates, address, order = make_enterprise(enterprise, first)
    write_numbers(enterprise, first, args.numbers, packages, address, order)
    write_calls(enterprise, first, args.calls, args.numbers, packages, trunks, rates)
    time_close(enterprise, first)
    connection.close()
    media.cleanup()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
