"""Monthly invoices: a month closed by hand-computed figures, exactly once (twice, and by two
threads at once), held while a charge has no rate, rendered by the worker into a PDF read back
with pdftotext; credits and payments refused where they must be; the back office."""

import os
import shutil
import signal
import subprocess
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Enterprise, Role
from billing import invoice_pdf
from billing.invoicing import (
    CHANNELS,
    NUMBERS,
    PORTED,
    USAGE,
    _figures_in_python,
    apply_payment,
    close_due_months,
    close_last_month,
    close_month,
    credit,
    month_bounds,
    month_of,
    months_due,
)
from billing.models import (
    BillingProfile,
    CreditNote,
    Invoice,
    InvoiceLine,
    NumberRate,
    RatePlan,
    TaxRate,
    UsageHour,
)
from phone_numbers.models import E911Address, PhoneNumber
from phone_numbers.tests.factories import order as order_numbers
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from porting.models import PortBatch
from porting.tests.factories import submitted_order
from tests.factories import UserFactory, role
from tests.workers import start_worker
from trunks.models import Package, Trunk

PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
NEW_YORK = ZoneInfo("America/New_York")
NOVEMBER = date(2026, 11, 1)
D = Decimal


def local(day, hour=0, minute=0):
    """A moment of November 2026 (or of another month: day is a date) in Acme's zone."""
    day = day if isinstance(day, date) else NOVEMBER.replace(day=day)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=NEW_YORK)


def plan(package_type, **charges):
    return RatePlan.objects.create(
        name=f"Standard {package_type}",
        package_type=package_type,
        effective_from=date(2026, 1, 1),
        **charges,
    )


def hour(when, package, destination_class, *, direction="outbound", **totals):
    return UsageHour.objects.create(
        enterprise_id=package.enterprise_id,
        hour=when,
        package=package,
        direction=direction,
        destination_class=destination_class,
        **totals,
    )


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """The PDFs are stored under the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def rates(db):
    """The standard Bundle and Usage plans and the taxes (an older and a later rate of each
    kind, to prove the one effective at the month's end applies)."""
    bundle = plan(
        Package.Type.BUNDLE,
        package_monthly=D("100.00"),
        included_channels=23,
        channel_monthly=D("10.00"),
        cnam_monthly=D("0.50"),
        e911_monthly=D("1.00"),
    )
    NumberRate.objects.create(
        plan=bundle, kind="us_domestic", monthly=D("1.00"), order_fee=D("2.00")
    )
    NumberRate.objects.create(plan=bundle, kind="toll_free", monthly=D("2.00"))
    usage = plan(Package.Type.USAGE, port_fee=D("5.00"))
    NumberRate.objects.create(plan=usage, kind="us_domestic", monthly=D("0.80"))
    for kind, state, percent, amount in [
        (TaxRate.Kind.FEDERAL_USF, "", "30", "0"),
        (TaxRate.Kind.E911_FEE, "", "0", "0.50"),
        (TaxRate.Kind.SALES_TAX, "CO", "2", "0"),
    ]:
        TaxRate.objects.create(
            kind=kind, state=state, rate=D(percent), amount=D(amount), effective_from="2026-01-01"
        )
        TaxRate.objects.create(
            kind=kind, state=state, rate=D("40"), amount=D("9"), effective_from="2026-12-01"
        )
    TaxRate.objects.create(
        kind=TaxRate.Kind.FEDERAL_USF, rate=D("36.6"), effective_from="2026-10-01"
    )
    TaxRate.objects.create(
        kind=TaxRate.Kind.E911_FEE, amount=D("0.75"), effective_from="2026-10-01"
    )
    TaxRate.objects.create(
        kind=TaxRate.Kind.SALES_TAX, state="CO", rate=D("2.9"), effective_from="2026-10-01"
    )
    return bundle, usage


@pytest.fixture
def acme_month(admin_user, enterprise, rates):
    """Acme's November 2026 (New York): a Bundle in service all month with 30 channels, its
    numbers in and out of service, a port completed, calls of each class; October's invoice
    left partly paid."""
    Enterprise.objects.filter(pk=enterprise.pk).update(created_at=local(date(2026, 1, 5)))
    enterprise.refresh_from_db()
    BillingProfile.objects.create(
        enterprise=enterprise,
        billing_email="billing@acme.test",
        address_state="co",
        address_street="1801 California St",
        address_city="Denver",
        address_zip="80202",
    )
    bundle = package_of(admin_user, "Denver Bundle", type=Package.Type.BUNDLE)
    Trunk.objects.filter(package=bundle).update(
        status=Trunk.Status.ACTIVE, activated_at=local(date(2026, 10, 15)), max_channels=30
    )
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 California St",
        city="Denver",
        state="CO",
        zip_code="80202",
    )
    october = local(date(2026, 10, 1))
    # All month, with CNAM and E911: 30 days.
    add_numbers(bundle, ["+13035550001"], activated_at=october, cnam="ACME", e911_address=address)
    # Disconnected on the 11th: the 1st to the 10th, 10 days, with E911.
    add_numbers(
        bundle,
        ["+13035550002"],
        status=PhoneNumber.Status.DISCONNECTED,
        activated_at=october,
        disconnected_at=local(11, 9),
        e911_address=address,
    )
    # Toll-free, all month.
    add_numbers(bundle, ["+18005550003"], kind="toll_free", activated_at=october)
    # Gone before November, and never in service: nothing.
    add_numbers(
        bundle,
        ["+13035550004"],
        status=PhoneNumber.Status.DISCONNECTED,
        activated_at=october,
        disconnected_at=local(date(2026, 10, 20)),
    )
    add_numbers(bundle, ["+13035550005"], status=PhoneNumber.Status.PENDING)
    # Ordered, in service from the 21st: 10 days, and its order fee.
    (ordered,) = PhoneNumber.objects.filter(order=order_numbers(admin_user, bundle, 1))
    ordered.status, ordered.activated_at = PhoneNumber.Status.ACTIVE, local(21, 10)
    ordered.save()
    # Two numbers ported into a Usage package on the 15th.
    port = submitted_order(admin_user, entries=["+13037474100", "+13037474101"])
    PortBatch.objects.filter(port_order=port.port).update(
        status="completed", completed_at=local(15, 12)
    )

    hour(local(1, 0), bundle, "local", answered=10, rated_seconds=1200, charge=D("1.234567"))
    # The last hour of November in New York, 04:00 UTC on December 1st.
    hour(
        local(30, 23), bundle, "long_distance", answered=5, rated_seconds=606, charge=D("3.333333")
    )
    hour(
        local(12, 9),
        bundle,
        "toll_free",
        direction="inbound",
        answered=4,
        rated_seconds=240,
        charge=D("0.1"),
    )
    hour(local(12, 9), bundle, "international", answered=2, rated_seconds=120, charge=D("2.505"))
    # Before and after the month in New York: not November's.
    hour(
        local(date(2026, 10, 31), 23), bundle, "local", answered=1, rated_seconds=60, charge=D("9")
    )
    hour(local(date(2026, 12, 1), 0), bundle, "local", answered=1, rated_seconds=60, charge=D("9"))

    october_since, october_until = month_bounds(enterprise, date(2026, 10, 1))
    october_invoice = Invoice.objects.create(
        enterprise=enterprise,
        number="ACC000001-202610",
        period_start="2026-10-01",
        period_end="2026-10-31",
        usage_since=october_since,
        usage_until=october_until,
        issued_on="2026-11-01",
        due_on="2026-12-01",
        status=Invoice.Status.OPEN,
        total=D("50.00"),
        paid=D("20.00"),
    )
    # October's invoice billed its hour above: November has no late usage of October.
    InvoiceLine.objects.create(
        enterprise=enterprise,
        invoice=october_invoice,
        position=1,
        section=InvoiceLine.Section.USAGE,
        description="Denver Bundle: Local calls",
        package=bundle,
        destination_class="local",
        usage_month=date(2026, 10, 1),
        calls=1,
        quantity=1,
        amount=D("9.00"),
    )
    return bundle


EXPECTED_LINES = [
    # Recurring: a month of the package; 7 channels over the 23 included, all month;
    # 30 + 10 + 10 number-days of 30 at $1.00 = $1.6667; the toll-free number's month;
    # one CNAM listing all month; E911 on 30 + 10 days.
    ("recurring", "Denver Bundle: package", D("1.0000"), D("100.00")),
    ("recurring", "Denver Bundle: channels over the 23 included", D("7.0000"), D("70.00")),
    ("recurring", "Denver Bundle: US Domestic numbers", D("1.6667"), D("1.67")),
    ("recurring", "Denver Bundle: Toll-Free numbers", D("1.0000"), D("2.00")),
    ("recurring", "Denver Bundle: Caller ID (CNAM) listings", D("1.0000"), D("0.50")),
    ("recurring", "Denver Bundle: E911 registrations", D("1.3333"), D("1.33")),
    ("one_time", "Denver Bundle: US Domestic numbers ordered", D("1"), D("2.00")),
    ("one_time", "Port Usage: numbers ported in", D("2"), D("10.00")),
    # Usage: each class's charges summed, then rounded once; minutes = rated seconds / 60.
    ("usage", "Denver Bundle: Local calls", D("20"), D("1.23")),
    ("usage", "Denver Bundle: Long distance calls", D("10.1"), D("3.33")),
    ("usage", "Denver Bundle: Toll-free inbound calls", D("4"), D("0.10")),
    ("usage", "Denver Bundle: International calls", D("2"), D("2.51")),
    # USF 36.6% of 3.33 + 0.10 + 2.51 = 5.94: 2.17404; E911 $0.75 x 3 numbers in service at
    # the end; CO 2.9% of 175.50 + 12.00 + 7.17 = 194.67: 5.64543.
    (
        "tax",
        "Federal Universal Service Fund, 36.6% of $5.94 interstate and international usage",
        None,
        D("2.17"),
    ),
    ("tax", "E911 fee, per number in service at the end of the month", D("3"), D("2.25")),
    ("tax", "CO sales tax, 2.9% of $194.67", None, D("5.65")),
]


def test_the_month_is_the_enterprises_own(enterprise):
    assert month_bounds(enterprise, date(2026, 11, 17)) == (
        datetime(2026, 11, 1, 4, tzinfo=UTC),  # still daylight time at midnight on the 1st
        datetime(2026, 12, 1, 5, tzinfo=UTC),
    )


def test_the_invoice_has_the_hand_computed_lines_and_totals(acme_scope, acme_month):
    invoice = close_month(acme_scope, NOVEMBER)

    lines = [
        (line.section, line.description, line.quantity and line.quantity.normalize(), line.amount)
        for line in invoice.lines.order_by("position")
    ]
    assert lines == [
        (section, description, quantity and quantity.normalize(), amount)
        for section, description, quantity, amount in EXPECTED_LINES
    ]
    interstate = set(
        invoice.lines.filter(interstate=True).values_list("destination_class", flat=True)
    )
    assert interstate == {"long_distance", "toll_free", "international"}
    assert invoice.lines.get(destination_class="local").calls == 10
    # Each usage line bills November's calls, read over New York's November.
    usage = invoice.lines.filter(section="usage")
    assert set(usage.values_list("usage_month", flat=True)) == {NOVEMBER}
    assert usage.get(destination_class="toll_free").direction == "inbound"
    assert (invoice.usage_since, invoice.usage_until) == month_bounds(acme_scope, NOVEMBER)
    assert (invoice.recurring, invoice.one_time, invoice.usage, invoice.taxes) == (
        D("175.50"),
        D("12.00"),
        D("7.17"),
        D("10.07"),
    )
    assert invoice.total == D("204.74") == sum(line[3] for line in EXPECTED_LINES)
    assert invoice.previous_balance == D("30.00")
    assert invoice.amount_due == D("234.74")
    assert invoice.number == "ACC000001-202611"
    assert (invoice.period_start, invoice.period_end) == (NOVEMBER, date(2026, 11, 30))
    assert (invoice.issued_on, invoice.due_on) == (date(2026, 12, 1), date(2026, 12, 31))
    assert invoice.status == Invoice.Status.RENDERING


def test_sqlite_figures_the_month_by_the_same_rules(acme_scope, acme_month):
    month = month_of(acme_scope, NOVEMBER)
    in_sql = [month.sql(query) for query in (NUMBERS, CHANNELS, PORTED, USAGE)]

    def same_shape(rows):
        return sorted(tuple(value or 0 for value in row) for row in rows)

    assert [same_shape(rows) for rows in _figures_in_python(month)] == [
        same_shape(rows) for rows in in_sql
    ]


def test_a_number_in_service_10_of_30_days_pays_a_third(acme_scope, admin_user, rates):
    package = package_of(admin_user, "Chicago Usage")
    add_numbers(package, ["+13125550001"], activated_at=local(21, 8))

    invoice = close_month(acme_scope, NOVEMBER)

    line, fee = invoice.lines.order_by("position")
    assert (line.description, line.quantity, line.unit_price, line.amount) == (
        "Chicago Usage: US Domestic numbers",
        D("0.3333"),
        D("0.80"),
        D("0.27"),
    )
    assert (fee.quantity, fee.amount) == (1, D("0.75"))  # in service at the end
    assert invoice.total == D("1.02")


def test_no_sales_tax_when_exempt_or_without_a_state(acme_scope, acme_month):
    BillingProfile.objects.filter(enterprise=acme_scope).update(tax_exempt=True)

    invoice = close_month(acme_scope, NOVEMBER)

    assert not invoice.lines.filter(description__contains="sales tax").exists()
    assert invoice.taxes == D("4.42")
    assert invoice.total == sum(line.amount for line in invoice.lines.all())


def test_closing_twice_makes_one_invoice(
    acme_scope, acme_month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first = close_month(acme_scope, NOVEMBER)
        again = close_month(acme_scope, NOVEMBER)

    assert again == first
    assert Invoice.objects.filter(period_start=NOVEMBER).count() == 1
    assert len(queued) == 1  # one PDF to render
    # The sweep finds nothing left to close.
    close_due_months(acme_scope.pk)
    assert InvoiceLine.objects.filter(invoice=first).count() == len(EXPECTED_LINES)


def test_a_month_of_nothing_is_closed_at_zero_and_paid_once_rendered(acme_scope, rates):
    invoice = close_month(acme_scope, NOVEMBER)
    assert (invoice.total, invoice.lines.count()) == (0, 0)

    invoice_pdf.render_invoice(invoice.pk)

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.pdf


def test_a_month_not_ended_is_refused(acme_scope):
    with pytest.raises(ValueError, match="December 2026 has not ended"):
        close_month(acme_scope, date(2026, 12, 1))


def test_unrated_calls_hold_the_close_and_staff_are_told(acme_scope, acme_month, settings):
    settings.ADMINS = ["ops@carrier.test"]
    hour(local(3, 9), acme_month, "international", answered=3, unrated=3)

    assert close_month(acme_scope, NOVEMBER) is None

    assert not Invoice.objects.filter(period_start=NOVEMBER).exists()
    (message,) = mail.outbox
    assert message.to == ["ops@carrier.test"]
    assert "Invoice held: Acme Telecom (ACC000001), November 2026" in message.subject
    assert "3 answered calls of November 2026 no rate covers" in message.body

    UsageHour.objects.filter(unrated=3).update(unrated=0)
    close_due_months(acme_scope.pk)
    assert Invoice.objects.filter(period_start=NOVEMBER).exists()


def test_a_package_without_a_plan_holds_the_close(acme_scope, admin_user, rates):
    outbound = package_of(admin_user, "Dialer", type=Package.Type.OUTBOUND_ONLY)
    add_numbers(outbound, ["+13035550009"], activated_at=local(2))

    assert close_month(acme_scope, NOVEMBER) is None

    from billing.invoicing import hold_reasons

    assert hold_reasons(acme_scope, NOVEMBER) == [
        "No rate plan for package Dialer (Outbound Only) on 2026-11-30."
    ]


def test_the_sweep_closes_the_months_after_the_last_invoice_in_order(acme_scope, acme_month):
    now = datetime(2027, 1, 2, 12, tzinfo=UTC)
    assert months_due(acme_scope, now) == [NOVEMBER, date(2026, 12, 1)]
    # Before New York's 1st of December, November has not ended there.
    assert months_due(acme_scope, datetime(2026, 12, 1, 3, tzinfo=UTC)) == []


def test_the_cron_has_the_worker_close_each_enterprises_month(
    enterprise, acme_month, other_enterprise, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        close_last_month()
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()

    assert Invoice.objects.get(period_start=NOVEMBER).enterprise == enterprise
    # Globex was made this month: it has no month to close yet.
    assert not Invoice.objects.filter(enterprise=other_enterprise).exists()


def test_credits_and_payments_lower_the_balance_until_paid(acme_scope, admin_user, staff_user):
    invoice = Invoice.objects.create(
        enterprise=acme_scope,
        number="ACC000001-202611",
        period_start=NOVEMBER,
        period_end="2026-11-30",
        issued_on="2026-12-01",
        due_on="2026-12-31",
        status=Invoice.Status.OPEN,
        total=D("100.00"),
    )
    note = credit(invoice, "30.00", "Outage on November 3rd", by=staff_user)
    assert (note.amount, note.created_by, invoice.credited) == (D("30.00"), staff_user, D("30.00"))

    assert apply_payment(invoice.pk, D("60.00")).status == Invoice.Status.OPEN
    paid = apply_payment(invoice.pk, "10.00")
    assert (paid.paid, paid.credited, paid.balance, paid.status) == (
        D("70.00"),
        D("30.00"),
        D("0.00"),
        Invoice.Status.PAID,
    )


@pytest.mark.parametrize(
    ("amount", "reason", "error"),
    [
        ("0", "Goodwill", "Enter an amount greater than zero."),
        ("-5.00", "Goodwill", "Enter an amount greater than zero."),
        ("1.005", "Goodwill", "Enter the amount in dollars and cents."),
        ("abc", "Goodwill", "Enter an amount in dollars and cents."),
        ("100.01", "Goodwill", "Invoice ACC000001-202611 has $100.00 left to pay"),
        ("5.00", "  ", "Say why the credit is given"),
    ],
)
def test_credits_are_refused_at_the_field(acme_scope, staff_user, amount, reason, error):
    invoice = Invoice.objects.create(
        enterprise=acme_scope,
        number="ACC000001-202611",
        period_start=NOVEMBER,
        period_end="2026-11-30",
        issued_on="2026-12-01",
        due_on="2026-12-31",
        status=Invoice.Status.OPEN,
        total=D("100.00"),
    )
    with pytest.raises(ValidationError) as refused:
        credit(invoice, amount, reason, by=staff_user)
    assert error in str(refused.value.message_dict)
    assert not CreditNote.objects.exists()
    with pytest.raises(ValidationError, match="left to pay"):
        apply_payment(invoice.pk, "100.01")
    with pytest.raises(ValidationError, match="greater than zero"):
        apply_payment(invoice.pk, 0)
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.credited) == (0, 0)


def test_a_credit_names_a_line_of_its_own_invoice(acme_scope, acme_month, staff_user):
    november = close_month(acme_scope, NOVEMBER)
    october = Invoice.objects.get(number="ACC000001-202610")

    with pytest.raises(ValidationError, match="not one of invoice ACC000001-202610"):
        credit(october, "1.00", "Disputed", by=staff_user, line=november.lines.first())
    note = credit(november, "1.67", "Disputed", by=staff_user, line=november.lines.all()[2])
    assert note.line.description == "Denver Bundle: US Domestic numbers"


def pdf_text(pdf, tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - Debian's pdftotext on a file of the test
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(result.stdout.split())


def test_the_worker_renders_the_pdf_and_emails_that_it_is_ready(
    enterprise, admin_user, acme_month, run_jobs, django_capture_on_commit_callbacks, tmp_path
):
    UserFactory(email="bill@acme.test", enterprise=enterprise, role=role(Role.BILLING))
    UserFactory(email="gus@acme.test", enterprise=enterprise, role=role(Role.GENERAL_USER))
    with django_capture_on_commit_callbacks(execute=True), scopes_disabled():
        invoice = close_month(enterprise, NOVEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()
    with django_capture_on_commit_callbacks(execute=True):
        run_jobs()  # the e-mail

    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.OPEN
    text = pdf_text(invoice.pdf.read(), tmp_path)
    for expected in [
        "Carrier Portal",
        "Invoice number ACC000001-202611",
        "Period November 1, 2026 to November 30, 2026",
        "Issued December 1, 2026",
        "Due December 31, 2026",
        "Acme Telecom",
        "Account number ACC000001",
        "1801 California St",
        "Denver, CO 80202",
        "Denver Bundle: US Domestic numbers 1.6667 $1.00 $1.67",
        "Denver Bundle: Long distance calls 5 10.1 min $3.33",
        "Monthly charges subtotal $175.50",
        "One-time charges subtotal $12.00",
        "Usage subtotal $7.17",
        "E911 fee, per number in service at the end of the month 3 $0.75 $2.25",
        "CO sales tax, 2.9% of $194.67 $5.65",
        "Taxes and regulatory fees subtotal $10.07",
        "Previous balance $30.00",
        "This month's charges $204.74",
        "Payments and credits $0.00",
        "Amount due by December 31, 2026 $234.74",
    ]:
        assert expected in text
    (message,) = mail.outbox
    assert message.to == ["billing@acme.test", "alice@acme.test", "bill@acme.test"]
    assert message.subject == "[Carrier Portal] Invoice ACC000001-202611 is ready"
    assert "Amount due: $234.74 by December 31, 2026" in message.body
    assert "http://testserver" not in message.body and reverse("billing:billing") in message.body

    # Rendered again (a retry, the sweep): nothing changes, nothing is sent again.
    name = invoice.pdf.name
    invoice_pdf.render_invoice(invoice.pk)
    invoice.refresh_from_db()
    assert invoice.pdf.name == name


def test_the_sweep_queues_again_a_pdf_overdue(
    acme_scope, acme_month, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        invoice = close_month(acme_scope, NOVEMBER)
    Invoice.objects.filter(pk=invoice.pk).update(created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks() as queued, scopes_disabled():
        invoice_pdf.render_again_overdue()
    assert len(queued) == 1


@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_make_one_invoice_and_the_real_worker_renders_it(
    enterprise, admin_user, rates, tmp_path
):
    package = package_of(admin_user, "Chicago Usage")
    add_numbers(package, ["+13125550001"], activated_at=local(21, 8))

    def at_once(work):
        """work() run by two threads at the same moment, each with its connection: the
        results, or the errors raised."""
        results, barrier = [], threading.Barrier(2)

        def run():
            barrier.wait()
            try:
                with scopes_disabled():
                    results.append(work())
            except ValidationError as error:
                results.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return results

    first, second = at_once(lambda: close_month(enterprise, NOVEMBER))
    assert first == second
    assert Invoice.objects.count() == 1
    # Two payments of $0.60 at once on $1.02: the invoice's lock lets one through.
    paid = at_once(lambda: apply_payment(first.pk, "0.60"))
    assert sorted(type(result).__name__ for result in paid) == ["Invoice", "ValidationError"]
    assert Invoice.objects.get().paid == D("0.60")
    worker = start_worker(PORTAL_VAR_DIR=str(tmp_path))  # its MEDIA_ROOT is the test's
    try:
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    invoice = Invoice.objects.get()
    assert invoice.status == Invoice.Status.OPEN
    assert "Chicago Usage: US Domestic numbers 0.3333 $0.80 $0.27" in pdf_text(
        invoice.pdf.read(), tmp_path
    )


# The back office.


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_add_a_credit_note_through_the_service(staff_client, staff_user, acme_month):
    invoice = Invoice.objects.get(number="ACC000001-202610")
    url = reverse("admin:billing_creditnote_add")

    response = staff_client.post(
        url, {"invoice": invoice.pk, "amount": "30.01", "reason": "Outage"}
    )
    assert response.status_code == 200
    assert "Invoice ACC000001-202610 has $30.00 left to pay" in response.text
    assert not CreditNote.objects.exists()

    response = staff_client.post(
        url, {"invoice": invoice.pk, "amount": "30.00", "reason": "Outage"}
    )
    assert response.status_code == 302
    note = CreditNote.objects.get()
    assert (note.amount, note.created_by, note.enterprise_id) == (
        D("30.00"),
        staff_user,
        invoice.enterprise_id,
    )
    invoice.refresh_from_db()
    assert (invoice.credited, invoice.status) == (D("30.00"), Invoice.Status.PAID)


def test_staff_see_the_invoice_its_pdf_and_the_months_not_closed(
    staff_client, enterprise, acme_month, run_jobs, django_capture_on_commit_callbacks, settings
):
    settings.ADMINS = []
    hour(local(3, 9), acme_month, "international", answered=3, unrated=3)
    why = reverse("admin:billing_invoice_why", args=[enterprise.pk])

    held = staff_client.get(reverse("admin:billing_invoice_held")).text
    assert "Acme Telecom (ACC000001)" in held and why in held
    assert "3 answered calls of November 2026 no rate covers" in staff_client.get(why).text

    UsageHour.objects.filter(unrated=3).update(unrated=0)
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_client.post(why).status_code == 302
    for _job in ("the close", "its PDF"):
        with django_capture_on_commit_callbacks(execute=True):
            run_jobs()
    invoice = Invoice.objects.get(period_start=NOVEMBER)
    assert invoice.status == Invoice.Status.OPEN

    page = staff_client.get(reverse("admin:billing_invoice_change", args=[invoice.pk])).text
    assert "Denver Bundle: channels over the 23 included" in page
    pdf = staff_client.get(reverse("admin:billing_invoice_pdf", args=[invoice.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    assert "Acme Telecom" not in staff_client.get(reverse("admin:billing_invoice_held")).text
