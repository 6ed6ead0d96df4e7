"""Paying invoices through the payment gateway (billing.gateway): by hand, and by AutoPay.

A payment is neither lost nor made twice:
- it is recorded, Pending, under its idempotency key (unique) and committed before the gateway
  is asked, with the same key; asked again with a key it knows, pay() returns the first Payment
  and charges nothing (a double click, a retried request, an AutoPay run twice);
- an approved charge settles the payment and the invoice in one transaction, and queues the
  receipt;
- a charge whose answer never came (GatewayTimeout) stays Pending: resolve_pending(), every
  minute, asks the gateway what it recorded under the key and settles it; a payment the gateway
  never received fails after MAX_CHECKS checks, with nothing charged. Staff see the payments
  pending or failing in the back office.

Call pay() and run_autopay() outside any transaction: the Payment must be committed before the
gateway charges.
"""

import logging
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.records import Change, record
from core.actors import PORTAL
from core.jobs import queue_email
from core.tenancy import enterprise_scope

from . import actions, invoicing
from .gateway import GatewayTimeout, GatewayUnavailable, gateway
from .models import BillingProfile, Invoice, Payment, PaymentMethod
from .permissions import PAY_INVOICES

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal(0)
# A Pending payment is first asked about once its charge has surely ended (the gateway's own
# timeout is far shorter), then every minute; it fails after this many answers of "unknown".
ASK_AFTER = timedelta(minutes=2)
MAX_CHECKS = 10

UNAVAILABLE = "The payment service could not be reached. Nothing was charged: try again later."
NEVER_RECEIVED = "The payment service never received this payment. Nothing was charged."
DETAILS_EXPIRED = "The card or bank account details have expired: enter them again."


def dollars(amount):
    return f"${amount:,.2f}"


def still_due(invoice):
    """What may still be paid on the invoice: its balance less the payments awaiting an
    answer, which may yet be approved."""
    waiting = invoice.payments.filter(status=Payment.Status.PENDING).aggregate(total=Sum("amount"))[
        "total"
    ]
    return invoice.balance - (waiting or ZERO)


def check_amount(invoice, amount):
    """Refuse an amount the invoice cannot take now; the form shows the message at the field."""
    if invoice.status == Invoice.Status.RENDERING:
        raise ValidationError("This invoice is not ready to be paid yet.")
    if invoice.status == Invoice.Status.PAID:
        raise ValidationError("This invoice is paid in full.")
    if amount is None or amount < CENT:
        raise ValidationError({"amount": "Enter an amount of at least $0.01."})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": "Enter the amount in dollars and cents, e.g. 125.50."})
    due = still_due(invoice)
    if amount > due:
        raise ValidationError(
            {"amount": f"That is more than the {dollars(due)} still due on this invoice."}
        )


def _require_payer(user, enterprise_id):
    if not user.has_perm(PAY_INVOICES) or enterprise_id != user.enterprise_id:
        raise PermissionDenied("Your role does not allow this.")


def pay(user, invoice, amount, *, kind, method=None, token=None, idempotency_key):
    """Pay amount on the invoice with a saved method or a token of the gateway's hosted page.

    Returns the Payment: Paid, Declined (its failure says why), Failed, or Pending when the
    gateway's answer did not come. Raises ValidationError for an amount the invoice cannot take.
    """
    _require_payer(user, invoice.enterprise_id)
    return _pay(
        invoice,
        amount,
        kind=kind,
        method=method,
        token=token,
        idempotency_key=idempotency_key,
        by=user,
    )


def _pay(invoice, amount, *, kind, method, token, idempotency_key, by, autopay=False):
    payment = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if payment is not None:
        return payment
    if method is not None:
        token, label = method.token, method.label
    else:
        details = gateway().describe(token) if token else None
        if details is None:
            raise ValidationError(DETAILS_EXPIRED)
        label = details.label
    payment, created = _record(
        invoice,
        amount,
        kind=kind,
        method=method,
        label=label,
        idempotency_key=idempotency_key,
        by=by,
        autopay=autopay,
    )
    if not created:
        return payment
    try:
        result = gateway().charge(token, payment.amount, payment.idempotency_key)
    except GatewayTimeout:
        logger.warning("Payment %s: no answer from the gateway; left Pending", payment.pk)
        return payment
    except GatewayUnavailable:
        return _fail(payment.pk, UNAVAILABLE)
    return _settle_or_leave(payment.pk, result)


def _settle_or_leave(payment_id, result, *, tell_payer=False):
    """Settle the payment; if its invoice refuses it (a credit note took the balance meanwhile),
    leave it Pending: the sweep tries again, and staff see it waiting in the back office."""
    try:
        return _settle(payment_id, result, tell_payer=tell_payer)
    except ValidationError:
        logger.exception("Payment %s: its invoice refused it; left Pending", payment_id)
        return Payment.objects.get(pk=payment_id)


def _record(invoice, amount, *, kind, method, label, idempotency_key, by, autopay):
    """The Pending payment, committed; or the one recorded under the key already."""
    try:
        with transaction.atomic():
            # Locked: two payments of one invoice at once must not pay more than its balance.
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            earlier = Payment.objects.filter(idempotency_key=idempotency_key).first()
            if earlier is not None:
                return earlier, False
            check_amount(locked, amount)
            payment = Payment.objects.create(
                enterprise_id=locked.enterprise_id,
                invoice=locked,
                amount=amount,
                kind=kind,
                method=method,
                method_label=label,
                idempotency_key=idempotency_key,
                created_by=by,
                autopay=autopay,
            )
            record(
                actions.PAYMENT_MADE,
                actor=by or PORTAL,
                enterprise=locked.enterprise,
                obj=payment,
                details={"invoice": locked.number, "amount": str(amount), "method": label},
            )
    except IntegrityError:
        # Recorded at the same instant by a double click; a key of another enterprise's
        # payment is not this enterprise's to see.
        earlier = Payment.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is None:
            raise ValidationError(
                "This payment cannot be made: reload the page and pay again."
            ) from None
        return earlier, False
    return payment, True


@transaction.atomic
def _settle(payment_id, result, *, tell_payer=False):
    """Record the gateway's answer on a Pending payment, once."""
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("invoice__enterprise", "created_by")
        .get(pk=payment_id)
    )
    if payment.status != Payment.Status.PENDING:
        return payment
    if not result.approved:
        return _end(payment, Payment.Status.DECLINED, result.reason, tell_payer=tell_payer)
    now = timezone.now()
    invoicing.apply_payment(payment.invoice_id, payment.amount)
    payment.status = Payment.Status.SUCCEEDED
    payment.gateway_reference = result.reference
    payment.settled_at = now
    payment.receipt_sent_at = now
    payment.save(update_fields=["status", "gateway_reference", "settled_at", "receipt_sent_at"])
    payment.invoice.refresh_from_db()
    _send(payment, "receipt", _receipt_recipients(payment))
    return payment


@transaction.atomic
def _fail(payment_id, reason, *, tell_payer=False):
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("invoice__enterprise", "created_by")
        .get(pk=payment_id)
    )
    if payment.status != Payment.Status.PENDING:
        return payment
    return _end(payment, Payment.Status.FAILED, reason, tell_payer=tell_payer)


def _end(payment, status, reason, *, tell_payer):
    """A payment that did not go through. AutoPay's failures are e-mailed to the enterprise's
    Administrators and billing address at once; a payment by hand is told to its payer when
    the answer comes after they have left the page."""
    payment.status = status
    payment.failure = reason
    payment.settled_at = timezone.now()
    payment.save(update_fields=["status", "failure", "settled_at"])
    if payment.autopay:
        _send(payment, "autopay_failed", _account_recipients(payment.invoice.enterprise))
    elif tell_payer:
        _send(payment, "payment_failed", _payer(payment))
    return payment


# Payment methods and AutoPay -------------------------------------------------------------------


def add_method(user, token):
    """Save the card or account of a hosted page's token for later payments and AutoPay."""
    _require_payer(user, user.enterprise_id)
    details = gateway().describe(token) if token else None
    if details is None:
        raise ValidationError(DETAILS_EXPIRED)
    saved = gateway().save_method(token)
    method, created = PaymentMethod.objects.get_or_create(
        enterprise_id=user.enterprise_id,
        token=saved.token,
        defaults={
            "kind": saved.kind,
            "label": saved.label,
            "expires": saved.expires,
            "created_by": user,
        },
    )
    if created:
        record(actions.PAYMENT_METHOD_ADDED, actor=user, obj=method)
    return method


@transaction.atomic
def remove_method(user, method):
    """Stop offering a saved method; AutoPay, if it paid with it, is turned off.

    Returns whether AutoPay was turned off. The method's row stays, for the payments made with it.
    """
    _require_payer(user, method.enterprise_id)
    if PaymentMethod.objects.filter(pk=method.pk, removed_at__isnull=True).update(
        removed_at=timezone.now()
    ):
        record(actions.PAYMENT_METHOD_REMOVED, actor=user, obj=method)
    profiles = BillingProfile.objects.filter(
        enterprise_id=method.enterprise_id, autopay_method=method
    )
    was_on = profiles.filter(autopay=True).exists()
    profiles.update(autopay=False, autopay_method=None)
    return was_on


def set_autopay(user, *, enabled, method):
    """Turn AutoPay on with a saved method, or off."""
    _require_payer(user, user.enterprise_id)
    if enabled and method is None:
        raise ValidationError(
            {"autopay_method": "Choose the card or bank account AutoPay pays with."}
        )
    profile, _ = BillingProfile.objects.get_or_create(enterprise_id=user.enterprise_id)
    changes = [
        Change(label, before, after)
        for label, before, after in (
            ("AutoPay", profile.autopay, enabled),
            ("Pays with", profile.autopay_method, method),
        )
        if before != after
    ]
    profile.autopay = enabled
    profile.autopay_method = method
    profile.save(update_fields=["autopay", "autopay_method"])
    if changes:
        record(actions.AUTOPAY_CHANGED, actor=user, obj=profile, changes=changes)
    return profile


# What became of payments whose answer never came ------------------------------------------------


def resolve_pending():
    """Settle the Pending payments by what the gateway recorded; returns how many it settled.

    Run every minute by the cron process; two runs at once settle a payment once (its row is
    locked and its status checked).
    """
    asked_before = timezone.now() - ASK_AFTER
    with scopes_disabled():
        waiting = list(
            Payment.objects.filter(status=Payment.Status.PENDING, created_at__lt=asked_before)
            .order_by("created_at")
            .values_list("pk", "enterprise_id")[:1000]
        )
    settled = 0
    for payment_id, enterprise_id in waiting:
        with enterprise_scope(enterprise_id):
            settled += _resolve(payment_id)
    return settled


def _resolve(payment_id):
    key = Payment.objects.values_list("idempotency_key", flat=True).get(pk=payment_id)
    try:
        result = gateway().find(key)
    except GatewayUnavailable:
        # Not an answer: the gateway may still hold the charge. Asked again next minute.
        Payment.objects.filter(pk=payment_id).update(checked_at=timezone.now())
        return 0
    if result is not None:
        payment = _settle_or_leave(payment_id, result, tell_payer=True)
        return int(payment.status != Payment.Status.PENDING)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.PENDING:
            return 0
        payment.checks += 1
        payment.checked_at = timezone.now()
        payment.save(update_fields=["checks", "checked_at"])
        if payment.checks < MAX_CHECKS:
            return 0
    logger.error("Payment %s: the gateway never received it; failed", payment_id)
    _fail(payment_id, NEVER_RECEIVED, tell_payer=True)
    return 1


# AutoPay ------------------------------------------------------------------------------------


def autopay_key(invoice):
    """One AutoPay payment per invoice and due date, however often AutoPay runs."""
    return f"autopay-{invoice.pk}-{invoice.due_on.isoformat()}"


def run_autopay():
    """Pay, with the saved AutoPay method, each Open invoice due by today (in the enterprise's
    time zone) of the enterprises with AutoPay on; returns how many payments it made.

    Run daily by the cron process; run twice, it pays each invoice once.
    """
    with scopes_disabled():
        enterprise_ids = list(
            BillingProfile.objects.filter(
                autopay=True,
                autopay_method__isnull=False,
                autopay_method__removed_at__isnull=True,
            ).values_list("enterprise_id", flat=True)
        )
    made = 0
    for enterprise_id in enterprise_ids:
        with enterprise_scope(enterprise_id):
            made += _autopay(enterprise_id)
    return made


def _autopay(enterprise_id):
    profile = BillingProfile.objects.select_related("enterprise", "autopay_method").get(
        enterprise_id=enterprise_id
    )
    method = profile.autopay_method
    today = timezone.localdate(timezone=ZoneInfo(profile.enterprise.time_zone))
    due = Invoice.objects.filter(
        status=Invoice.Status.OPEN, due_on__lte=today, total__gt=F("paid") + F("credited")
    ).order_by("due_on")
    made = 0
    for invoice in due:
        key = autopay_key(invoice)
        if Payment.objects.filter(idempotency_key=key).exists():
            continue
        amount = still_due(invoice)
        if amount <= ZERO:
            continue
        _pay(
            invoice,
            amount,
            kind=method.kind,
            method=method,
            token=None,
            idempotency_key=key,
            by=None,
            autopay=True,
        )
        made += 1
    return made


# E-mails ------------------------------------------------------------------------------------


def _payer(payment):
    payer = payment.created_by
    return [payer.email] if payer is not None and payer.is_active else []


def _billing_email(enterprise_id):
    profile = BillingProfile.objects.filter(enterprise_id=enterprise_id).first()
    return [profile.billing_email] if profile and profile.billing_email else []


def _account_recipients(enterprise):
    """The enterprise's billing address and its Administrators."""
    administrators = enterprise.active_administrators().values_list("email", flat=True)
    return _billing_email(enterprise.pk) + list(administrators)


def _receipt_recipients(payment):
    """The payer and the billing address; AutoPay's, which has no payer, go to the account's."""
    if payment.autopay:
        return _account_recipients(payment.invoice.enterprise)
    return _payer(payment) + _billing_email(payment.enterprise_id)


def _send(payment, template, recipients):
    recipients = list(dict.fromkeys(address.lower() for address in recipients))
    if not recipients:
        return
    enterprise = payment.invoice.enterprise
    context = {
        "payment": payment,
        "invoice": payment.invoice,
        "enterprise": enterprise,
        "amount": dollars(payment.amount),
        "balance": dollars(payment.invoice.balance),
        "payments_url": settings.SITE_URL + reverse("billing:payments"),
        "pay_url": settings.SITE_URL
        + reverse("billing:pay_invoice", kwargs={"number": payment.invoice.number}),
    }
    # Dates in the enterprise's time zone, as its invoices' months are.
    with timezone.override(ZoneInfo(enterprise.time_zone)):
        subject = render_to_string(f"billing/payments/email/{template}_subject.txt", context)
        body = render_to_string(f"billing/payments/email/{template}_message.txt", context)
    message = EmailMessage(
        settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
        body,
        settings.DEFAULT_FROM_EMAIL,
        recipients,
    )
    queue_email(message, enterprise=enterprise)
