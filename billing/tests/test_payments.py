"""Paying invoices through the sandbox gateway (billing.paying): once per idempotency key, a
timeout settled by asking the gateway, refusals with clear messages, receipts and AutoPay."""

from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from billing import paying
from billing.gateway import gateway
from billing.gateway.sandbox import BankForm, CardForm, SandboxGateway, issue_token, reference_for
from billing.models import BillingProfile, Invoice, MethodKind, Payment

APPROVED = "4242 4242 4242 4242"
DECLINED = "4000 0000 0000 0002"
TIMES_OUT = "4000 0000 0000 0259"
UNAVAILABLE = "4000 0000 0000 0119"
BILLING_EMAIL = "ap@acme.test"


def card_token(number=APPROVED):
    """The token the sandbox's hosted page gives for a card typed there."""
    form = CardForm({"name": "Alice Admin", "number": number, "expiry": "12/39", "cvc": "123"})
    assert form.is_valid(), form.errors
    return issue_token(form.token_details())


def bank_token(account="000123456789"):
    form = BankForm({"name": "Acme Telecom", "routing": "110000000", "account": account})
    assert form.is_valid(), form.errors
    return issue_token(form.token_details())


def make_invoice(
    enterprise, *, month=11, total="120.00", due_on=None, status=Invoice.Status.OPEN, **fields
):
    start = date(2026, month, 1)
    return Invoice.objects.create(
        enterprise=enterprise,
        number=f"{enterprise.account_number}-2026{month:02}",
        period_start=start,
        period_end=start.replace(day=28),
        issued_on=start + timedelta(days=30),
        due_on=due_on or start + timedelta(days=60),
        status=status,
        total=Decimal(total),
        **fields,
    )


def today(enterprise):
    """The enterprise's date, by which its invoices are due."""
    return timezone.localdate(timezone=ZoneInfo(enterprise.time_zone))


@pytest.fixture
def invoice(enterprise):
    BillingProfile.objects.create(enterprise=enterprise, billing_email=BILLING_EMAIL)
    return make_invoice(enterprise)


@pytest.fixture
def no_delay(monkeypatch):
    monkeypatch.setattr(SandboxGateway, "timeout_delay", 0)


def count_charges(monkeypatch):
    """The charges asked of the gateway from now on, by idempotency key."""
    asked = []
    charge = SandboxGateway.charge

    def counted(self, token, amount, idempotency_key):
        asked.append(idempotency_key)
        return charge(self, token, amount, idempotency_key)

    monkeypatch.setattr(SandboxGateway, "charge", counted)
    return asked


@pytest.fixture
def charges(monkeypatch):
    return count_charges(monkeypatch)


@pytest.fixture
def settle(django_capture_on_commit_callbacks, run_jobs):
    """Run the work, then the e-mails it queued; returns what the work returned."""

    def run(work):
        with django_capture_on_commit_callbacks(execute=True):
            result = work()
        run_jobs()
        return result

    return run


def pay(user, invoice, amount, token=None, key="k1", **kwargs):
    return paying.pay(
        user,
        invoice,
        Decimal(amount),
        kind=kwargs.pop("kind", MethodKind.CARD),
        token=token if token is not None else card_token(),
        idempotency_key=key,
        **kwargs,
    )


def test_an_approved_payment_lowers_the_balance_and_sends_a_receipt(
    acme_scope, admin_user, invoice, settle
):
    payment = settle(lambda: pay(admin_user, invoice, "50.00", key="receipt-1"))

    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.gateway_reference == reference_for("receipt-1")
    assert payment.method_label == "Visa ending 4242"
    assert payment.created_by == admin_user
    assert payment.receipt_sent_at is not None
    invoice.refresh_from_db()
    assert (invoice.paid, invoice.balance, invoice.status) == (
        Decimal("50.00"),
        Decimal("70.00"),
        Invoice.Status.OPEN,
    )
    [receipt] = mail.outbox
    assert receipt.to == ["alice@acme.test", BILLING_EMAIL]
    assert receipt.subject == "[Carrier Portal] Receipt: $50.00 paid on invoice ACC000001-202611"
    for line in [
        "Amount paid:    $50.00",
        "Invoice:        ACC000001-202611",
        "Paid with:      Visa ending 4242",
        f"Reference:      {reference_for('receipt-1')}",
        "Still due:      $70.00",
        "/billing/payments/",
    ]:
        assert line in receipt.body


def test_paying_the_whole_balance_marks_the_invoice_paid(acme_scope, admin_user, invoice):
    pay(admin_user, invoice, "120.00", token=bank_token(), kind=MethodKind.BANK)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID
    assert Payment.objects.get().method_label == "Bank account ending 6789"


def test_the_same_key_twice_charges_once(acme_scope, admin_user, invoice, charges):
    first = pay(admin_user, invoice, "50.00", key="twice")
    second = pay(admin_user, invoice, "50.00", token=card_token(), key="twice")

    assert second.pk == first.pk
    assert charges == ["twice"]
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.paid == Decimal("50.00")


def test_a_declined_card_says_why_and_changes_nothing(acme_scope, admin_user, invoice, settle):
    payment = settle(lambda: pay(admin_user, invoice, "50.00", token=card_token(DECLINED)))

    assert payment.status == Payment.Status.DECLINED
    assert payment.failure == "Card declined"
    invoice.refresh_from_db()
    assert invoice.paid == 0
    assert mail.outbox == []  # the payer sees it on the page


def test_a_declined_bank_account(acme_scope, admin_user, invoice):
    payment = pay(admin_user, invoice, "50.00", token=bank_token("000111111116"), kind="bank")
    assert payment.status == Payment.Status.DECLINED
    assert payment.failure == "Bank account could not be debited (insufficient funds)"


def test_a_timeout_stays_pending_until_the_gateway_is_asked(
    acme_scope, admin_user, invoice, no_delay, settle, charges
):
    payment = pay(admin_user, invoice, "50.00", token=card_token(TIMES_OUT), key="slow")

    assert payment.status == Payment.Status.PENDING
    invoice.refresh_from_db()
    assert invoice.paid == 0
    # Until the charge has surely ended the sweep leaves it alone.
    assert paying.resolve_pending() == 0
    # What was pending is not more to pay: the payment may yet be approved.
    with pytest.raises(ValidationError, match=r"more than the \$70.00 still due"):
        pay(admin_user, invoice, "70.01", key="more")

    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert settle(paying.resolve_pending) == 1
    assert settle(paying.resolve_pending) == 0

    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.gateway_reference == reference_for("slow")
    invoice.refresh_from_db()
    assert invoice.paid == Decimal("50.00")
    assert charges == ["slow"]  # asked once, found afterwards
    assert [m.subject for m in mail.outbox] == [
        "[Carrier Portal] Receipt: $50.00 paid on invoice ACC000001-202611"
    ]


def test_a_payment_the_gateway_never_received_fails_after_the_checks(
    acme_scope, admin_user, invoice, settle
):
    payment = Payment.objects.create(
        enterprise=invoice.enterprise,
        invoice=invoice,
        amount=Decimal("10.00"),
        kind=MethodKind.CARD,
        method_label="Visa ending 4242",
        idempotency_key="lost",
        created_by=admin_user,
        created_at=timezone.now() - timedelta(minutes=5),
    )
    for _ in range(paying.MAX_CHECKS - 1):
        paying.resolve_pending()
    payment.refresh_from_db()
    assert (payment.status, payment.checks) == (Payment.Status.PENDING, paying.MAX_CHECKS - 1)

    assert settle(paying.resolve_pending) == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure == paying.NEVER_RECEIVED
    [told] = mail.outbox
    assert told.to == ["alice@acme.test"]
    assert "did not go through" in told.subject
    assert "Nothing was charged." in told.body


def test_an_unavailable_gateway_fails_the_payment_with_nothing_charged(
    acme_scope, admin_user, invoice
):
    payment = pay(admin_user, invoice, "50.00", token=card_token(UNAVAILABLE), key="down")
    assert payment.status == Payment.Status.FAILED
    assert payment.failure == paying.UNAVAILABLE
    assert gateway().find("down") is None


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount of at least $0.01."),
        ("-5.00", "Enter an amount of at least $0.01."),
        ("10.005", "Enter the amount in dollars and cents"),
        ("120.01", "That is more than the $120.00 still due on this invoice."),
    ],
)
def test_an_amount_the_invoice_cannot_take_is_refused(
    acme_scope, admin_user, invoice, charges, amount, message
):
    with pytest.raises(ValidationError) as refusal:
        pay(admin_user, invoice, amount)
    assert message in refusal.value.message_dict["amount"][0]
    assert not Payment.objects.exists()
    assert charges == []


def test_a_paid_or_unready_invoice_is_refused(acme_scope, admin_user, invoice):
    invoice.status = Invoice.Status.RENDERING
    invoice.save()
    with pytest.raises(ValidationError, match="not ready to be paid"):
        pay(admin_user, invoice, "1.00")
    invoice.status = Invoice.Status.PAID
    invoice.save()
    with pytest.raises(ValidationError, match="paid in full"):
        pay(admin_user, invoice, "1.00")


def test_only_payers_of_the_enterprise_pay(acme_scope, general_user, outsider, invoice, charges):
    with pytest.raises(PermissionDenied):
        pay(general_user, invoice, "1.00")
    with pytest.raises(PermissionDenied):
        pay(outsider, invoice, "1.00")
    assert charges == []


def test_expired_details_are_refused(acme_scope, admin_user, invoice):
    with pytest.raises(ValidationError, match="expired"):
        pay(admin_user, invoice, "1.00", token="tok_unknown")


# AutoPay ----------------------------------------------------------------------------------------


def autopay_with(admin_user, token):
    method = paying.add_method(admin_user, token)
    paying.set_autopay(admin_user, enabled=True, method=method)
    return method


def test_autopay_pays_each_invoice_due_once(acme_scope, admin_user, invoice, settle, charges):
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today(acme_scope) - timedelta(days=1))
    later = make_invoice(acme_scope, month=10, due_on=today(acme_scope) + timedelta(days=3))
    make_invoice(invoice.enterprise, month=9, status=Invoice.Status.PAID, paid=Decimal("120.00"))
    method = autopay_with(admin_user, card_token())

    assert settle(paying.run_autopay) == 1
    assert settle(paying.run_autopay) == 0

    payment = Payment.objects.get()
    assert (payment.invoice, payment.amount, payment.method, payment.autopay) == (
        invoice,
        Decimal("120.00"),
        method,
        True,
    )
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.created_by is None
    assert charges == [paying.autopay_key(Invoice.objects.get(pk=invoice.pk))]
    later.refresh_from_db()
    assert later.paid == 0
    [receipt] = mail.outbox
    assert receipt.to == [BILLING_EMAIL, "alice@acme.test"]
    assert "Paid with:      Visa ending 4242 (AutoPay)" in receipt.body


def test_a_failed_autopay_is_e_mailed_at_once(acme_scope, admin_user, invoice, settle):
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today(acme_scope))
    autopay_with(admin_user, card_token(DECLINED))

    assert settle(paying.run_autopay) == 1
    assert settle(paying.run_autopay) == 0  # not tried again: the e-mail asks to pay by hand

    payment = Payment.objects.get()
    assert payment.status == Payment.Status.DECLINED
    [alert] = mail.outbox
    assert alert.to == [BILLING_EMAIL, "alice@acme.test"]
    assert alert.subject == "[Carrier Portal] AutoPay could not pay invoice ACC000001-202611"
    assert "Reason:         Card declined" in alert.body
    assert "/billing/invoices/ACC000001-202611/pay/" in alert.body


def test_removing_the_autopay_method_turns_autopay_off(acme_scope, admin_user, invoice):
    method = autopay_with(admin_user, card_token())
    assert paying.remove_method(admin_user, method) is True
    profile = BillingProfile.objects.get()
    assert (profile.autopay, profile.autopay_method) == (False, None)
    method.refresh_from_db()
    assert method.removed_at is not None
    Invoice.objects.filter(pk=invoice.pk).update(due_on=today(acme_scope))
    assert paying.run_autopay() == 0


def test_autopay_needs_a_method(acme_scope, admin_user):
    with pytest.raises(ValidationError) as refusal:
        paying.set_autopay(admin_user, enabled=True, method=None)
    assert refusal.value.message_dict == {
        "autopay_method": ["Choose the card or bank account AutoPay pays with."]
    }


def test_autopay_leaves_other_enterprises_alone(acme_scope, admin_user, outsider, invoice):
    autopay_with(admin_user, card_token())
    with scopes_disabled():
        theirs = make_invoice(outsider.enterprise, due_on=today(outsider.enterprise))
    assert paying.run_autopay() == 0
    with scopes_disabled():
        assert not Payment.objects.filter(invoice=theirs).exists()


def test_a_payment_its_invoice_refuses_meanwhile_waits_pending(
    acme_scope, admin_user, invoice, monkeypatch
):
    charge = SandboxGateway.charge

    def credited_meanwhile(self, token, amount, idempotency_key):
        Invoice.objects.filter(pk=invoice.pk).update(credited=invoice.total)
        return charge(self, token, amount, idempotency_key)

    monkeypatch.setattr(SandboxGateway, "charge", credited_meanwhile)
    payment = pay(admin_user, invoice, "50.00", key="refused")

    assert payment.status == Payment.Status.PENDING
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(minutes=3))
    assert paying.resolve_pending() == 0  # still refused: staff see it waiting
    Invoice.objects.filter(pk=invoice.pk).update(credited=0)
    assert paying.resolve_pending() == 1
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
