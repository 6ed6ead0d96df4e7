"""Late usage, against PostgreSQL: calls of an invoiced month loaded (by the real loader) after
its close are billed on the next invoice, to the cent and taxed as usage is, and never twice;
the same figures by the rules in Python, for SQLite."""

import importlib
import logging
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes import scopes_disabled

from billing import invoice_pdf
from billing.invoicing import LATE_USAGE, _late_usage_in_python, close_month, month_bounds, month_of
from billing.models import Invoice, InvoiceLine, RatePlan, TaxRate, UsageHour, UsageRate
from core.tenancy import enterprise_scope
from phone_numbers.tests.inventory_factories import add_numbers, package_of

from .test_loading import ACME_NUMBER, call, csv_bytes, load

D = Decimal
OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def answered(call_id, day, seconds, *, hour=15, **changes):
    """An answered long-distance call of Acme's of `seconds` billable seconds, at hour:00 UTC."""
    start = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)
    return call(
        call_id,
        start_time=f"{start:%Y-%m-%dT%H:%M:%SZ}",
        answer_time=f"{start + timedelta(seconds=5):%Y-%m-%dT%H:%M:%SZ}",
        end_time=f"{start + timedelta(seconds=5 + seconds):%Y-%m-%dT%H:%M:%SZ}",
        duration=str(5 + seconds),
        billable_seconds=str(seconds),
        **changes,
    )


def load_calls(*lines):
    load(csv_bytes(list(lines)), name=f"{lines[0]['call_id']}.csv")


@pytest.fixture
def acme(enterprise, admin_user):
    """Acme's Usage package and number, the standard plan's long-distance and local rates
    (6/6 increments, no connect fee), and Federal USF at 20%."""
    package = package_of(admin_user, "Denver Usage")
    add_numbers(package, [ACME_NUMBER])
    standard = RatePlan.objects.create(
        name="Standard usage", package_type="usage", effective_from=date(2026, 1, 1)
    )
    for destination_class, per_minute in [("long_distance", "0.0125"), ("local", "0.01")]:
        UsageRate.objects.create(
            plan=standard,
            direction="outbound",
            destination_class=destination_class,
            per_minute=D(per_minute),
        )
    TaxRate.objects.create(
        kind=TaxRate.Kind.FEDERAL_USF, rate=D("20"), effective_from=date(2026, 1, 1)
    )
    return package


def close(enterprise, month):
    """The month closed as the worker closes it, in the enterprise's scope."""
    with enterprise_scope(enterprise):
        return close_month(enterprise, month)


def lines_of(invoice):
    with scopes_disabled():
        return [
            (line.description, line.calls, line.quantity, line.amount)
            for line in invoice.lines.order_by("position")
        ]


OCTOBERS_LINES = [
    ("Denver Usage: Long distance calls", 1, D("1.1"), D("0.01")),
    # 20% of $0.01: a line, of nothing once rounded.
    (
        "Federal Universal Service Fund, 20% of $0.01 interstate and international usage",
        None,
        None,
        D("0.00"),
    ),
]


@pytest.fixture
def october_invoiced(enterprise, acme):
    """October closed with one long-distance call of 61 s: 66 s billed, $0.01375, $0.01."""
    load_calls(answered("oct-first", date(2026, 10, 5), 61))
    october = close(enterprise, OCTOBER)
    assert lines_of(october) == OCTOBERS_LINES
    return october


def test_a_call_loaded_after_octobers_close_is_billed_on_novembers_invoice(
    enterprise, october_invoiced, admin_client
):
    load_calls(
        # Late: 3,601 s, 3,606 s billed, $0.75125. October's long distance is now $0.765,
        # $0.77, of which its invoice billed $0.01: $0.76 late (not $0.75 rounded alone).
        answered("oct-late", date(2026, 10, 20), 3601),
        answered("oct-late-local", date(2026, 10, 21), 60, destination_class="local"),
        # November's own: 600 s, $0.125.
        answered("nov", date(2026, 11, 10), 600),
    )

    november = close(enterprise, NOVEMBER)

    assert lines_of(november) == [
        ("Denver Usage: Long distance calls", 1, D("10"), D("0.13")),
        ("Late usage, October 2026: Denver Usage: Local calls", 1, D("1"), D("0.01")),
        ("Late usage, October 2026: Denver Usage: Long distance calls", 1, D("60.1"), D("0.76")),
        # 20% of the interstate usage, late included: $0.13 + $0.76.
        (
            "Federal Universal Service Fund, 20% of $0.89 interstate and international usage",
            None,
            None,
            D("0.18"),
        ),
    ]
    with scopes_disabled():
        late = november.lines.get(destination_class="long_distance", usage_month=OCTOBER)
        own = november.lines.get(destination_class="long_distance", usage_month=NOVEMBER)
    assert (late.interstate, late.direction, late.package.name) == (True, "", "Denver Usage")
    assert own.calls == 1
    assert (november.usage, november.taxes, november.total) == (D("0.90"), D("0.18"), D("1.08"))
    # October's invoice stays as it was made.
    assert lines_of(october_invoiced) == OCTOBERS_LINES

    # The customer's page and the PDF show it in the Usage section.
    page = admin_client.get(reverse("billing:invoice", kwargs={"number": november.number})).text
    assert "Late usage, October 2026: Denver Usage: Long distance calls" in page
    with enterprise_scope(enterprise):
        usage = invoice_pdf.context(november)["sections"][2]
    assert usage["label"] == "Usage" and usage["subtotal"] == "$0.90"
    assert {
        "description": "Late usage, October 2026: Denver Usage: Long distance calls",
        "calls": "1",
        "quantity": "60.1 min",
        "unit_price": "",
        "amount": "$0.76",
    } in usage["rows"]


def test_a_second_late_batch_is_billed_once_on_the_invoice_after(
    enterprise, october_invoiced, monkeypatch
):
    load_calls(answered("oct-late", date(2026, 10, 20), 3601))
    assert len(lines_of(close(enterprise, NOVEMBER))) == 2  # the late line and its USF
    # Another 61 s: October's long distance is now $0.77875, $0.78, of which $0.77 billed.
    load_calls(answered("oct-later", date(2026, 10, 25), 61))
    january = datetime(2027, 1, 2, 12, tzinfo=UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: january)

    december = close(enterprise, DECEMBER)

    assert lines_of(december) == [
        ("Late usage, October 2026: Denver Usage: Long distance calls", 1, D("1.1"), D("0.01")),
        (
            "Federal Universal Service Fund, 20% of $0.01 interstate and international usage",
            None,
            None,
            D("0.00"),
        ),
    ]
    with scopes_disabled():
        billed = InvoiceLine.objects.filter(usage_month=OCTOBER).values_list("amount", flat=True)
    assert sorted(billed) == [D("0.01"), D("0.01"), D("0.76")]  # $0.78 in all, each call once


def test_nothing_late_bills_no_late_line(enterprise, october_invoiced):
    load_calls(answered("nov", date(2026, 11, 10), 600))

    november = close(enterprise, NOVEMBER)

    assert [line[0] for line in lines_of(november)] == [
        "Denver Usage: Long distance calls",
        "Federal Universal Service Fund, 20% of $0.13 interstate and international usage",
    ]


def test_late_calls_no_rate_covers_are_not_billed_and_do_not_hold_the_close(
    enterprise, october_invoiced, caplog
):
    # The standard plan has no international rate, and is closed to new ones.
    load_calls(
        answered(
            "oct-late-abroad",
            date(2026, 10, 20),
            60,
            to="+442071234567",
            destination_class="international",
            destination_country="GB",
        )
    )

    with caplog.at_level(logging.WARNING, logger="billing.invoicing"):
        november = close(enterprise, NOVEMBER)

    assert november is not None and lines_of(november) == []
    assert (
        "Invoice of Acme Telecom (ACC000001) for November 2026: 1 answered call of October "
        "2026 loaded after its close no rate covers: not billed." in caplog.messages
    )


def test_late_usage_looks_back_twelve_months(enterprise, acme):
    package = acme
    # Invoiced with nothing, and calls of theirs found since: October 2025 is 13 months
    # before November 2026, too long ago to bill.
    for first in (date(2025, 10, 1), date(2025, 11, 1)):
        since, until = month_bounds(enterprise, first)
        Invoice.objects.create(
            enterprise=enterprise,
            number=f"ACC000001-{first:%Y%m}",
            period_start=first,
            period_end=until.date() - timedelta(days=1),
            usage_since=since,
            usage_until=until,
            issued_on=first,
            due_on=first,
        )
        UsageHour.objects.create(
            enterprise_id=enterprise.pk,
            hour=since + timedelta(days=3),
            package=package,
            direction="outbound",
            destination_class="local",
            answered=1,
            rated_seconds=60,
            charge=D("0.5"),
        )

    november = close(enterprise, NOVEMBER)

    assert [line[0] for line in lines_of(november)] == [
        "Late usage, November 2025: Denver Usage: Local calls"
    ]


def test_a_month_is_read_over_the_hours_its_invoice_read_after_a_change_of_zone(enterprise, acme):
    # 01:00 on October 1st in New York: October's, and billed on its invoice.
    load_calls(answered("oct-first-hour", date(2026, 10, 1), 61, hour=5))
    close(enterprise, date(2026, 9, 1))
    close(enterprise, OCTOBER)
    # In Los Angeles, that call would be of September 30th: September, invoiced with nothing,
    # must not bill it again.
    enterprise.time_zone = "America/Los_Angeles"
    enterprise.save(update_fields=["time_zone"])
    load_calls(answered("oct-late", date(2026, 10, 20), 3601))

    november = close(enterprise, NOVEMBER)

    assert [line[0] for line in lines_of(november)] == [
        "Late usage, October 2026: Denver Usage: Long distance calls",
        "Federal Universal Service Fund, 20% of $0.76 interstate and international usage",
    ]


def test_after_a_change_of_zone_the_next_month_starts_where_the_last_invoice_ended(
    enterprise, acme
):
    close(enterprise, date(2026, 9, 1))
    close(enterprise, OCTOBER)  # read up to November 1st 00:00 in New York, 04:00 UTC
    enterprise.time_zone = "America/Los_Angeles"
    enterprise.save(update_fields=["time_zone"])
    # 05:00 UTC on November 1st: October 31st in Los Angeles, but after October's invoice.
    load_calls(answered("between", NOVEMBER, 3601, hour=5))

    november = close(enterprise, NOVEMBER)

    assert november.usage_since == datetime(2026, 11, 1, 4, tzinfo=UTC)
    assert lines_of(november)[0][:2] == ("Denver Usage: Long distance calls", 1)


def test_sqlite_figures_the_late_usage_by_the_same_rules(enterprise, october_invoiced):
    load_calls(
        answered("oct-late", date(2026, 10, 20), 3601),
        answered("oct-late-free", date(2026, 10, 20), 61, destination_class="toll_free"),
        answered(
            "oct-late-abroad",
            date(2026, 10, 31),
            60,
            to="+442071234567",
            destination_class="international",
            destination_country="GB",
        ),
    )
    month = month_of(enterprise, NOVEMBER)

    in_sql = month.sql(LATE_USAGE, looked_back=OCTOBER)
    in_python = _late_usage_in_python(month, OCTOBER)

    assert len(in_sql) == 3
    assert sorted(in_python) == sorted(in_sql)


def test_the_migration_marks_the_usage_lines_made_before_it(enterprise):
    migration = importlib.import_module(
        "billing.migrations.0006_invoice_usage_hours_and_line_usage_month"
    )
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number="ACC000001-202609",
        period_start=date(2026, 9, 1),
        period_end=date(2026, 9, 30),
        issued_on=OCTOBER,
        due_on=OCTOBER,
    )
    for position, (section, description, destination_class) in enumerate(
        [
            ("usage", "Denver Usage: Toll-free inbound calls", "toll_free"),
            ("usage", "Denver Usage: Local calls", "local"),
            ("recurring", "Denver Usage: package", ""),
        ],
        1,
    ):
        InvoiceLine.objects.create(
            enterprise=enterprise,
            invoice=invoice,
            position=position,
            section=section,
            description=description,
            destination_class=destination_class,
            amount=D("1.00"),
        )

    with scopes_disabled():
        migration.backfill(apps, None)
        marked = list(invoice.lines.order_by("position").values_list("usage_month", "direction"))
    invoice.refresh_from_db()

    assert marked == [(date(2026, 9, 1), "inbound"), (date(2026, 9, 1), ""), (None, "")]
    # New York's September: from 04:00 UTC on the 1st to 04:00 UTC on October 1st.
    assert (invoice.usage_since, invoice.usage_until) == (
        datetime(2026, 9, 1, 4, tzinfo=UTC),
        datetime(2026, 10, 1, 4, tzinfo=UTC),
    )
