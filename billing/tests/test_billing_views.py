"""The Billing page, an invoice's page, and a month's downloads: what the customer sees."""

import re
from datetime import UTC, date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from billing import loading, spend, views_billing
from billing.invoicing import month_bounds
from billing.models import (
    BillingProfile,
    Dispute,
    Invoice,
    InvoiceLine,
    RecordKind,
    UsageHour,
)
from billing.spend import current_month
from tests.downloads import body, csv_rows
from trunks.models import Package

from .test_loading import ACME_NUMBER, call

BILLING_URL = reverse("billing:billing")
PDF = b"%PDF-1.4\n% a small invoice\n"


def invoice_of(enterprise, period_start, *, status=Invoice.Status.OPEN, pdf=None, **fields):
    """An invoice of the month, issued on the 1st after it, with its figures as given."""
    issued = (period_start + timedelta(days=32)).replace(day=1)
    total = fields.pop("total", Decimal("100.00"))
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number=f"{enterprise.account_number}-{period_start:%Y%m}",
        period_start=period_start,
        period_end=issued - timedelta(days=1),
        issued_on=fields.pop("issued_on", issued),
        due_on=fields.pop("due_on", issued + timedelta(days=30)),
        status=status,
        total=total,
        usage=fields.pop("usage", total),
        **fields,
    )
    if pdf is not None:
        invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(pdf))
    return invoice


def usage_line(
    invoice, position, package, destination_class, *, calls, minutes, amount, usage_month=None
):
    return InvoiceLine.objects.create(
        enterprise=invoice.enterprise,
        invoice=invoice,
        position=position,
        section=InvoiceLine.Section.USAGE,
        description=f"{package.name}: {destination_class} calls",
        package=package,
        destination_class=destination_class,
        calls=calls,
        quantity=Decimal(minutes),
        amount=Decimal(amount),
        usage_month=usage_month or invoice.period_start,
    )


def usage_hour(
    enterprise, hour, package=None, destination_class="local", direction="outbound", **figures
):
    return UsageHour.objects.create(
        enterprise=enterprise,
        hour=hour,
        package=package,
        direction=direction,
        destination_class=destination_class,
        destination_country="GB" if destination_class == "international" else "",
        **figures,
    )


def figure(page, name):
    """The text of one of the page's figures (data-figure="...")."""
    found = re.search(rf'data-figure="{name}">(.*?)</dd>', page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).split()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def package(enterprise):
    return Package.objects.create(enterprise=enterprise, name="Denver Usage", type="usage")


@pytest.fixture
def this_month(enterprise):
    since, _until = month_bounds(enterprise, current_month(enterprise))
    return since


def test_the_page_shows_the_balance_the_next_due_date_and_the_usage_so_far(
    admin_client, enterprise, other_enterprise, package, this_month
):
    first = current_month(enterprise)
    last = (first - timedelta(days=1)).replace(day=1)
    before = (last - timedelta(days=1)).replace(day=1)
    invoice_of(enterprise, last, total=Decimal("100.00"), paid=Decimal("40.00"))
    invoice_of(
        enterprise,
        before,
        total=Decimal("80.00"),
        paid=Decimal("80.00"),
        status=Invoice.Status.PAID,
    )
    invoice_of(other_enterprise, last, total=Decimal("999.00"))
    usage_hour(
        enterprise,
        this_month,
        package,
        calls=14,
        answered=10,
        unrated=2,
        rated_seconds=600,
        charge=Decimal("1.234567"),
    )
    usage_hour(
        enterprise,
        this_month + timedelta(hours=5),
        package,
        "international",
        calls=3,
        answered=3,
        rated_seconds=126,
        charge=Decimal("2.100003"),
    )
    # The month before (its first hour in UTC is still last month here) and another's.
    usage_hour(
        enterprise,
        this_month - timedelta(hours=1),
        package,
        calls=50,
        answered=50,
        rated_seconds=3000,
        charge=Decimal(50),
    )
    usage_hour(
        other_enterprise, this_month, calls=7, answered=7, rated_seconds=60, charge=Decimal(7)
    )

    page = admin_client.get(BILLING_URL).text

    assert figure(page, "balance") == ["$60.00"]
    due = first.replace(day=1) + timedelta(days=30)
    assert f"Next due {due.isoformat()}" in page
    assert figure(page, "calls") == ["11"]  # 13 answered, 2 of them not rated yet
    assert "2 more being rated" in page
    assert figure(page, "minutes") == ["12.1"]  # 726 billed seconds
    assert figure(page, "charges") == ["$3.33"]  # 3.33457 rounded once


def test_the_months_are_listed_newest_first_a_page_at_a_time(admin_client, enterprise):
    month = current_month(enterprise)
    numbers = []
    for _ in range(14):
        month = (month - timedelta(days=1)).replace(day=1)
        numbers.append(invoice_of(enterprise, month).number)

    page = admin_client.get(BILLING_URL).text
    listed = re.findall(r">(ACC000001-\d{6})</a>", page)
    assert listed == numbers[:12]
    assert "Month in progress" in page
    older = re.search(r'href="(\?before=[\d-]+)" rel="next"', page).group(1)

    page = admin_client.get(BILLING_URL + older).text
    assert re.findall(r">(ACC000001-\d{6})</a>", page) == numbers[12:]
    assert "Month in progress" not in page
    assert "Older months" not in page


def test_an_invoice_is_downloaded_as_its_pdf(admin_client, client, outsider, enterprise, media):
    invoice = invoice_of(enterprise, date(2026, 10, 1), pdf=PDF)
    url = reverse("billing:invoice_pdf", kwargs={"number": invoice.number})

    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="invoice-ACC000001-202610.pdf"'
    )
    assert body(response) == PDF

    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_an_invoice_being_prepared_has_no_pdf_yet(admin_client, enterprise, media):
    invoice = invoice_of(enterprise, date(2026, 10, 1), status=Invoice.Status.RENDERING)

    page = admin_client.get(BILLING_URL).text
    assert "PDF being prepared" in page
    url = reverse("billing:invoice_pdf", kwargs={"number": invoice.number})
    assert url not in page
    assert admin_client.get(url).status_code == 404


def test_the_invoice_page_shows_its_lines_payments_credits_and_disputes(
    admin_client, admin_user, enterprise, package
):
    invoice = invoice_of(
        enterprise,
        date(2026, 11, 1),
        issued_on=timezone.localdate(),
        total=Decimal("30.00"),
        credited=Decimal("5.00"),
    )
    line = usage_line(invoice, 1, package, "local", calls=3, minutes="4.5", amount="30.00")
    InvoiceLine.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        position=2,
        section="recurring",
        description="Local numbers",
        quantity=Decimal("2000.0000"),
        unit_price=Decimal("0.01250"),
        amount=Decimal("25.00"),
    )
    Dispute.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        line=line,
        reason="Never made these calls.",
        raised_by=admin_user,
    )

    page = admin_client.get(reverse("billing:invoice", kwargs={"number": invoice.number})).text

    assert "Denver Usage: local calls" in page
    assert re.search(r'"Quantity">2,000</td>\s*<td data-label="Unit price">\$0.0125</td>', page)
    assert '"Quantity">4.5</td>' in page
    assert "Monthly charges" in page and "Usage" in page
    assert figure(page, "balance") == ["$25.00"]
    assert "Never made these calls." in page and "Being looked into" in page
    # The disputed line cannot be disputed again; the other one can.
    assert (
        reverse("billing:dispute_line", kwargs={"number": invoice.number, "position": 1})
        not in page
    )
    assert reverse("billing:dispute_line", kwargs={"number": invoice.number, "position": 2}) in page
    assert reverse("billing:pay_invoice", kwargs={"number": invoice.number}) in page


def test_a_closed_months_summary_is_its_invoices_usage_lines(admin_client, enterprise, package):
    invoice = invoice_of(enterprise, date(2026, 11, 1))
    usage_line(invoice, 1, package, "local", calls=10, minutes="12.5", amount="1.25")
    usage_line(invoice, 2, package, "local", calls=5, minutes="7.5", amount="0.75")
    usage_line(invoice, 3, package, "international", calls=2, minutes="3.2", amount="4.10")
    # A call of November loaded after its close, billed late on December's invoice.
    december = invoice_of(enterprise, date(2026, 12, 1))
    november = date(2026, 11, 1)
    usage_line(
        december, 1, package, "local", calls=1, minutes="1", amount="0.10", usage_month=november
    )
    # The month's hourly totals are not read once it is invoiced.
    usage_hour(
        enterprise,
        month_bounds(enterprise, date(2026, 11, 1))[0],
        package,
        calls=999,
        answered=999,
        rated_seconds=99_900,
        charge=Decimal(999),
    )

    response = admin_client.get(reverse("billing:month_summary", kwargs={"month": "2026-11"}))

    rows = re.findall(
        r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td>"
        r"<td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>",
        response.text,
    )
    assert rows == [
        ("Denver Usage", "International", "2", "3.2", "$4.10"),
        ("Denver Usage", "Local", "16", "21.0", "$2.10"),
    ]
    assert "$6.20" in response.text
    december_page = admin_client.get(reverse("billing:month_summary", kwargs={"month": "2026-12"}))
    assert "Local" not in december_page.text


def test_the_open_months_summary_is_its_hourly_totals(
    admin_client, enterprise, package, this_month
):
    usage_hour(
        enterprise,
        this_month,
        package,
        calls=9,
        answered=6,
        unrated=1,
        rated_seconds=300,
        charge=Decimal("0.504999"),
    )
    usage_hour(
        enterprise,
        this_month + timedelta(hours=1),
        package,
        direction="inbound",
        calls=4,
        answered=4,
        rated_seconds=240,
        charge=Decimal("0.400001"),
    )

    month = f"{current_month(enterprise):%Y-%m}"
    page = admin_client.get(reverse("billing:month_summary", kwargs={"month": month})).text

    assert "Denver Usage" in page
    assert re.search(r">9</td><td[^>]*>9.0</td><td[^>]*>\$0.91</td>", page)
    assert "1 call of the month is being rated" in page


def test_a_month_that_is_no_month_is_not_found(admin_client):
    url = reverse("billing:month_summary", kwargs={"month": "2026-13"})
    assert admin_client.get(url).status_code == 404


def test_the_call_records_of_a_month_of_the_enterprises_time_zone(
    admin_client, enterprise, outsider, client
):
    from phone_numbers.tests.inventory_factories import add_numbers, package_of

    admin = enterprise.users.get(email="alice@acme.test")
    add_numbers(package_of(admin, "Denver Usage"), [ACME_NUMBER])
    loading.load_rows(
        RecordKind.CALL,
        [
            call(
                "nov-first",
                start_time="2026-11-01T05:00:00Z",
                answer_time="2026-11-01T05:00:05Z",
                end_time="2026-11-01T05:01:05Z",
            ),
            # 10 pm on November 30 in New York.
            call(
                "nov-last",
                start_time="2026-12-01T03:00:00Z",
                answer_time="2026-12-01T03:00:05Z",
                end_time="2026-12-01T03:01:05Z",
            ),
            # October 31 in New York.
            call(
                "october",
                start_time="2026-11-01T02:00:00Z",
                answer_time="2026-11-01T02:00:05Z",
                end_time="2026-11-01T02:01:05Z",
            ),
        ],
    )
    from billing.models import CallRecord

    CallRecord.objects.filter(call_id="nov-first").update(rated_seconds=60, charge=Decimal("0.012"))

    response = admin_client.get(reverse("billing:month_calls", kwargs={"month": "2026-11"}))

    assert response.streaming
    assert response["Content-Disposition"] == (
        'attachment; filename="call-records-ACC000001-2026-11.csv"'
    )
    rows = csv_rows(response)
    assert rows[0][:2] == ["call_id", "start_time"]
    assert rows[0][-2:] == ["billed_seconds", "charge"]
    assert [(row[0], row[-2], row[-1]) for row in rows[1:]] == [
        ("nov-first", "60", "0.012000"),
        ("nov-last", "", ""),
    ]

    # Another enterprise's month has none of Acme's calls.
    client.force_login(outsider)
    other = client.get(reverse("billing:month_calls", kwargs={"month": "2026-11"}))
    assert csv_rows(other) == [rows[0]]


def test_the_message_records_of_a_month(admin_client, enterprise):
    from phone_numbers.tests.inventory_factories import add_numbers, package_of

    admin = enterprise.users.get(email="alice@acme.test")
    add_numbers(package_of(admin, "Denver Usage"), [ACME_NUMBER])
    message = {
        "direction": "outbound",
        "kind": "sms",
        "from": ACME_NUMBER,
        "to": "+13125550111",
        "customer_number": ACME_NUMBER,
        "segments": "2",
        "status": "delivered",
        "error_code": "",
    }
    loading.load_rows(
        RecordKind.MESSAGE,
        [
            {**message, "message_id": "m-nov", "sent_time": "2026-11-15T12:00:00Z"},
            {**message, "message_id": "m-dec", "sent_time": "2026-12-01T06:00:00Z"},
        ],
    )

    response = admin_client.get(reverse("billing:month_messages", kwargs={"month": "2026-11"}))

    assert csv_rows(response) == [
        [
            "message_id",
            "sent_time",
            "direction",
            "kind",
            "from",
            "to",
            "customer_number",
            "segments",
            "status",
            "error_code",
        ],
        [
            "m-nov",
            "2026-11-15T12:00:00Z",
            "outbound",
            "sms",
            ACME_NUMBER,
            "+13125550111",
            ACME_NUMBER,
            "2",
            "delivered",
            "",
        ],
    ]


def test_the_dashboard_and_the_menu_show_billing_to_those_who_see_it(
    client, admin_user, general_user, enterprise
):
    invoice_of(enterprise, date(2026, 10, 1), total=Decimal("42.50"), due_on=date(2026, 12, 1))

    client.force_login(admin_user)
    page = client.get(reverse("dashboard")).text
    assert figure(page, "balance") == ["$42.50"]
    assert "2026-12-01" in page
    assert f'href="{BILLING_URL}"' in page

    client.force_login(general_user)
    page = client.get(reverse("dashboard")).text
    assert 'id="billing-title"' not in page
    assert f'href="{BILLING_URL}"' not in page


def test_an_administrator_sets_the_spend_alerts(admin_client, enterprise):
    url = reverse("billing:spend_alerts")
    response = admin_client.post(url, {"monthly_spend": "500", "international_hourly": ""})

    assert response.status_code == 302
    profile = BillingProfile.objects.get(enterprise=enterprise)
    assert (profile.monthly_spend_threshold, profile.international_hourly_threshold) == (
        Decimal("500.00"),
        None,
    )
    page = admin_client.get(BILLING_URL).text
    assert 'value="500.00"' in page


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "International calls alert ($ an hour) must be more than $0"),
        ("-10", "International calls alert ($ an hour) must be more than $0"),
        ("ten", "International calls alert ($ an hour) must be a number."),
    ],
)
def test_a_threshold_must_be_an_amount_over_zero(admin_client, enterprise, value, message):
    response = admin_client.post(
        reverse("billing:spend_alerts"), {"monthly_spend": "", "international_hourly": value}
    )

    assert response.status_code == 200
    errors = re.search(r'class="field__errors">(.*?)</div>', response.text, re.S).group(1)
    assert message in errors
    assert not BillingProfile.objects.filter(enterprise=enterprise).exists()


def test_the_pages_queries_do_not_grow_with_the_months(admin_client, enterprise, monkeypatch):
    # The month's figures so far read at every request too.
    monkeypatch.setattr(views_billing, "USAGE_CACHE_SECONDS", 0)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(BILLING_URL).status_code == 200
        return len(captured)

    month = current_month(enterprise)
    admin_client.get(BILLING_URL)  # the session's first request reads more
    counts = []
    for months in (1, 13):
        while Invoice.objects.count() < months:
            month = (month - timedelta(days=1)).replace(day=1)
            invoice_of(enterprise, month)
        counts.append(queries())
    assert counts[0] == counts[1]


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kolkata"])
def test_a_months_hours_are_those_that_start_in_it_in_the_enterprises_zone(enterprise, zone):
    enterprise.time_zone = zone
    enterprise.save(update_fields=["time_zone"])
    # New York's November has 721 hours (summer time ends); India's starts at 18:30 UTC.
    since, until = (
        moment.astimezone(UTC) for moment in month_bounds(enterprise, date(2026, 11, 1))
    )
    first = since.replace(minute=0) + timedelta(hours=1 if since.minute else 0)
    last = (until - timedelta(microseconds=1)).replace(minute=0, second=0, microsecond=0)
    hour = timedelta(hours=1)
    for start, calls in [(first - hour, 1), (first, 10), (last, 100), (last + hour, 1000)]:
        usage_hour(enterprise, start, calls=calls)
    hours = spend.usage_hours(enterprise, since, until)
    assert sum(row.calls for row in hours) == 110
