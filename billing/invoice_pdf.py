"""An invoice's PDF, rendered by the worker with WeasyPrint, and the e-mail that says it is ready.

A closed month's invoice waits in RENDERING until its PDF is stored in Invoice.pdf (the
default storage, private: customers download it through the billing pages, staff through the
back office). The render is idempotent: whichever run stores the PDF first moves the invoice
on and sends the e-mail; a run that finds it moved on does nothing. The daily sweep queues
again the invoices left in RENDERING (the queue lost, every retry failed).
"""

from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from accounts.models import Role, User
from core.jobs import enqueue, queue_email, retry_policy
from core.tenancy import enterprise_scope

from .models import BillingProfile, Invoice, InvoiceLine

TEMPLATE = "billing/invoice_pdf.html"
# An invoice still without its PDF this long after its close is queued again by the sweep.
OVERDUE_AFTER = timedelta(hours=1)
Section = InvoiceLine.Section


def dollars(amount):
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


def _quantity(line):
    if line.quantity is None:
        return ""
    if line.section == Section.USAGE:
        return f"{line.quantity:,.1f} min"
    whole = line.quantity == line.quantity.to_integral_value()
    return f"{line.quantity:,.0f}" if whole else f"{line.quantity:,.4f}"


def _unit_price(line):
    if line.unit_price is None:
        return ""
    # Per-number prices may hold fractions of a cent (an E911 fee of $0.0125).
    shown = line.unit_price.normalize()
    return dollars(shown) if shown.as_tuple().exponent >= -2 else f"${shown:f}"


def context(invoice):
    """What the PDF shows of the invoice, every amount formatted."""
    enterprise = invoice.enterprise
    profile = BillingProfile.objects.filter(enterprise=enterprise).first()
    sections = []
    lines = list(invoice.lines.order_by("position"))
    subtotals = {
        Section.RECURRING: invoice.recurring,
        Section.ONE_TIME: invoice.one_time,
        Section.USAGE: invoice.usage,
        Section.TAX: invoice.taxes,
    }
    for section, label in Section.choices:
        rows = [
            {
                "description": line.description,
                "calls": f"{line.calls:,}" if line.calls is not None else "",
                "quantity": _quantity(line),
                "unit_price": _unit_price(line),
                "amount": dollars(line.amount),
            }
            for line in lines
            if line.section == section
        ]
        sections.append({"label": label, "rows": rows, "subtotal": dollars(subtotals[section])})
    address = []
    if profile is not None:
        address = [
            profile.address_street,
            " ".join(
                part
                for part in [
                    profile.address_city and f"{profile.address_city},",
                    profile.address_state.upper(),
                    profile.address_zip,
                ]
                if part
            ),
        ]
    return {
        "carrier": settings.CARRIER_NAME,
        "invoice": invoice,
        "enterprise": enterprise,
        "address": [part for part in address if part],
        "period": f"{invoice.period_start:%B %-d, %Y} to {invoice.period_end:%B %-d, %Y}",
        "issued_on": f"{invoice.issued_on:%B %-d, %Y}",
        "due_on": f"{invoice.due_on:%B %-d, %Y}",
        "sections": sections,
        "previous_balance": dollars(invoice.previous_balance),
        "total": dollars(invoice.total),
        # Taken off this invoice before its PDF was made (a credit, an early payment).
        "payments_and_credits": dollars(-(invoice.paid + invoice.credited)),
        "amount_due": dollars(invoice.amount_due - invoice.paid - invoice.credited),
    }


def render_pdf(invoice) -> bytes:
    html = render_to_string(TEMPLATE, context(invoice))
    # The page holds all it shows: nothing is fetched.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()


@retry_policy(waits=(30, 300, 1800), timeout=600)
def render_invoice(invoice_id):
    """Store the invoice's PDF, open it and e-mail that it is ready; nothing twice."""
    with scopes_disabled():
        enterprise_id = (
            Invoice.objects.filter(pk=invoice_id).values_list("enterprise_id", flat=True).first()
        )
    if enterprise_id is None:
        return
    with enterprise_scope(enterprise_id):
        invoice = Invoice.objects.select_related("enterprise").get(pk=invoice_id)
        if invoice.status != Invoice.Status.RENDERING:
            return
        pdf = render_pdf(invoice)
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice_id)
            if locked.status != Invoice.Status.RENDERING:
                return
            locked.pdf.save(f"{locked.number}.pdf", ContentFile(pdf), save=False)
            locked.status = Invoice.Status.OPEN
            locked.settle()  # an invoice of nothing, or credited in full already, is paid
            locked.save(update_fields=["pdf", "status"])
            _tell_ready(invoice)


def recipients(enterprise):
    """The billing e-mail and the enterprise's active Administrators and Billing users."""
    profile = BillingProfile.objects.filter(enterprise=enterprise).first()
    addresses = [profile.billing_email] if profile and profile.billing_email else []
    users = User.objects.filter(
        enterprise=enterprise, is_active=True, role__slug__in=[Role.ADMINISTRATOR, Role.BILLING]
    ).order_by("email")
    for email in users.values_list("email", flat=True):
        if email.lower() not in {address.lower() for address in addresses}:
            addresses.append(email)
    return addresses


def _tell_ready(invoice):
    to = recipients(invoice.enterprise)
    if not to:
        return
    link = settings.SITE_URL + reverse("billing:billing")
    body = "\n".join(
        [
            f"Your invoice {invoice.number} for {invoice.period_start:%B %Y} is ready.",
            "",
            f"This month's charges: {dollars(invoice.total)}",
            f"Amount due: {dollars(invoice.amount_due)} by {invoice.due_on:%B %-d, %Y}",
            "",
            f"Download it and pay it on the Billing page: {link}",
        ]
    )
    subject = f"{settings.EMAIL_SUBJECT_PREFIX}Invoice {invoice.number} is ready"
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    queue_email(message, enterprise=invoice.enterprise)


def render_again(invoice):
    """Queue the render of an invoice still without its PDF (staff, or the sweep)."""
    enqueue(render_invoice, invoice.pk, kind="Invoice PDF", enterprise=invoice.enterprise)


def render_again_overdue():
    """Queue again every invoice still being prepared an hour after its close."""
    with scopes_disabled():
        overdue = Invoice.objects.filter(
            status=Invoice.Status.RENDERING, created_at__lt=timezone.now() - OVERDUE_AFTER
        ).select_related("enterprise")
        for invoice in overdue:
            render_again(invoice)
