"""Disputes of invoice lines: a customer objects to a line with a reason; staff resolve it.

A line can be disputed while its invoice is unpaid and for DISPUTE_DAYS after it was issued,
once at a time (a partial unique constraint holds it). Staff uphold a dispute with a credit
note (billing.invoicing.credit, which lowers the invoice's balance) or reject it with their
reasons; either way whoever raised it, and the billing address, are e-mailed.
"""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from audit.records import record
from core.jobs import queue_email

from . import actions, invoicing
from .models import BillingProfile, Dispute, Invoice
from .permissions import PAY_INVOICES

DISPUTE_DAYS = 60
ALREADY_DISPUTED = "This line is disputed already: we are looking into it."


def invoice_refusal(invoice):
    """Why no line of invoice can be disputed (today), or None."""
    if invoice.status == Invoice.Status.PAID:
        return "This invoice is paid: a paid invoice cannot be disputed. Contact Billing support."
    today = timezone.localdate(timezone=ZoneInfo(invoice.enterprise.time_zone))
    if invoice.issued_on < today - timedelta(days=DISPUTE_DAYS):
        return (
            f"This invoice was issued more than {DISPUTE_DAYS} days ago: its lines can no "
            "longer be disputed here. Contact Billing support."
        )
    return None


def refusal(line):
    """Why line cannot be disputed (today), or None."""
    why_not = invoice_refusal(line.invoice)
    if why_not is None and line.disputes.filter(status=Dispute.Status.OPEN).exists():
        return ALREADY_DISPUTED
    return why_not


def open_dispute(user, line, reason):
    """Record the user's dispute of line; ValidationError says why it cannot be."""
    if not user.has_perm(PAY_INVOICES) or line.enterprise_id != user.enterprise_id:
        raise PermissionDenied("Your role does not allow this.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("Say why this line is wrong.", code="required")
    why_not = refusal(line)
    if why_not:
        raise ValidationError(why_not, code="refused")
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                enterprise=line.enterprise,
                invoice=line.invoice,
                line=line,
                reason=reason,
                raised_by=user,
            )
            record(
                actions.DISPUTE_OPENED,
                actor=user,
                obj=dispute,
                details={"invoice": line.invoice.number, "line": line.description},
            )
            return dispute
    except IntegrityError:
        # Someone else's dispute of the line got in first (one_open_dispute_a_line).
        raise ValidationError(ALREADY_DISPUTED, code="refused") from None


@transaction.atomic
def resolve(dispute_id, *, by, credit=None, resolution=""):
    """Resolve an open dispute: with a credit of `credit` on its invoice, or none (credit None:
    then the resolution says why). ValidationError when it cannot be."""
    dispute = (
        Dispute.objects.select_for_update(of=("self",))
        .select_related("invoice", "line", "enterprise", "raised_by")
        .get(pk=dispute_id)
    )
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError("This dispute is resolved already.", code="resolved")
    resolution = resolution.strip()
    if credit is None:
        if not resolution:
            raise ValidationError(
                "Say why no credit is given: the customer reads it.", code="required"
            )
        dispute.status = Dispute.Status.REJECTED
    else:
        dispute.credit_note = invoicing.credit(
            dispute.invoice,
            credit,
            resolution or f"Dispute of {dispute.line.description}",
            by=by,
            line=dispute.line,
        )
        dispute.status = Dispute.Status.CREDITED
    dispute.resolution = resolution
    dispute.resolved_by = by
    dispute.resolved_at = timezone.now()
    dispute.save(
        update_fields=["status", "credit_note", "resolution", "resolved_by", "resolved_at"]
    )
    _send_resolved(dispute)
    return dispute


def _send_resolved(dispute):
    to = []
    if dispute.raised_by is not None and dispute.raised_by.is_active:
        to.append(dispute.raised_by.email)
    profile = BillingProfile.objects.filter(enterprise=dispute.enterprise).first()
    if (
        profile
        and profile.billing_email
        and profile.billing_email.lower() not in map(str.lower, to)
    ):
        to.append(profile.billing_email)
    if not to:
        return
    context = {
        "dispute": dispute,
        "credited": dispute.status == Dispute.Status.CREDITED,
        "invoice_url": settings.SITE_URL
        + reverse("billing:invoice", kwargs={"number": dispute.invoice.number}),
    }
    subject = " ".join(
        render_to_string("billing/billing/email/dispute_resolved_subject.txt", context).split()
    )
    body = render_to_string("billing/billing/email/dispute_resolved_message.txt", context)
    message = EmailMessage(
        settings.EMAIL_SUBJECT_PREFIX + subject, body, settings.DEFAULT_FROM_EMAIL, to
    )
    queue_email(message, enterprise=dispute.enterprise)
