"""Disputes: a customer disputes an invoice line with a reason; staff resolve it in the back
office with a credit note or without; the customer reads the answer and is e-mailed it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing import disputes
from billing.models import BillingProfile, CreditNote, Dispute, Invoice, InvoiceLine

from .test_billing_views import invoice_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(enterprise):
    return invoice_of(
        enterprise,
        (timezone.localdate() - timedelta(days=40)).replace(day=1),
        issued_on=timezone.localdate() - timedelta(days=10),
        total=Decimal("30.00"),
    )


@pytest.fixture
def line(invoice):
    return InvoiceLine.objects.create(
        enterprise=invoice.enterprise,
        invoice=invoice,
        position=1,
        section=InvoiceLine.Section.USAGE,
        description="International calls",
        amount=Decimal("30.00"),
    )


def dispute_url(line):
    return reverse(
        "billing:dispute_line", kwargs={"number": line.invoice.number, "position": line.position}
    )


def field_errors(page):
    return re.sub(r"<[^>]+>", " ", re.search(r'class="field__errors">(.*?)</div>', page, re.S)[1])


def test_a_member_who_pays_disputes_a_line_with_a_reason(admin_client, admin_user, line):
    response = admin_client.post(dispute_url(line), {"reason": "We never called Nauru."})

    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert (dispute.line, dispute.reason, dispute.raised_by) == (
        line,
        "We never called Nauru.",
        admin_user,
    )
    page = admin_client.get(response.url).text
    assert "Your dispute of “International calls” is recorded" in page
    assert "We never called Nauru." in page
    assert "Being looked into" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"status": Invoice.Status.PAID}, "This invoice is paid"),
        ({"issued_on_days_ago": 61}, "issued more than 60 days ago"),
    ],
)
def test_a_paid_or_old_invoice_cannot_be_disputed(admin_client, line, change, message):
    invoice = line.invoice
    if "status" in change:
        invoice.status = change["status"]
    else:
        invoice.issued_on = timezone.localdate() - timedelta(days=change["issued_on_days_ago"])
    invoice.save()

    assert message in admin_client.get(dispute_url(line)).text
    response = admin_client.post(dispute_url(line), {"reason": "Too much."})
    assert response.status_code == 200
    assert message in field_errors(response.text)
    assert not Dispute.objects.exists()


def test_a_line_disputed_already_is_not_disputed_twice(admin_client, admin_user, line):
    Dispute.objects.create(
        enterprise=line.enterprise,
        invoice=line.invoice,
        line=line,
        reason="First",
        raised_by=admin_user,
    )

    response = admin_client.post(dispute_url(line), {"reason": "Again"})

    assert "This line is disputed already" in field_errors(response.text)
    assert Dispute.objects.count() == 1


def test_a_dispute_needs_a_reason(admin_client, line):
    response = admin_client.post(dispute_url(line), {"reason": "   "})

    assert "Say why this line is wrong." in field_errors(response.text)
    assert not Dispute.objects.exists()


def test_the_service_refuses_an_empty_reason_and_a_line_of_another_enterprise(
    acme_scope, admin_user, outsider, line
):
    with pytest.raises(ValidationError, match="Say why"):
        disputes.open_dispute(admin_user, line, "")
    with pytest.raises(PermissionDenied):
        disputes.open_dispute(outsider, line, "Not ours")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def dispute(line, admin_user):
    BillingProfile.objects.create(enterprise=line.enterprise, billing_email="ap@acme.test")
    return Dispute.objects.create(
        enterprise=line.enterprise,
        invoice=line.invoice,
        line=line,
        reason="We never called Nauru.",
        raised_by=admin_user,
    )


def resolve_url(dispute):
    return reverse("admin:billing_dispute_resolve", args=[dispute.pk])


def test_staff_uphold_a_dispute_with_a_credit_note(
    staff_client,
    staff_user,
    admin_user,
    dispute,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    assert "We never called Nauru." in staff_client.get(resolve_url(dispute)).text
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            resolve_url(dispute),
            {"decision": "credit", "amount": "12.50", "resolution": "Fraud on your trunk."},
        )
    assert response.status_code == 302

    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.CREDITED
    assert dispute.resolved_by == staff_user
    note = CreditNote.objects.get()
    assert (note.amount, note.line, note.invoice, dispute.credit_note) == (
        Decimal("12.50"),
        dispute.line,
        dispute.invoice,
        note,
    )
    dispute.invoice.refresh_from_db()
    assert dispute.invoice.balance == Decimal("17.50")

    assert run_jobs() == 1
    [message] = mailoutbox
    assert message.to == ["alice@acme.test", "ap@acme.test"]
    assert "credited $12.50" in message.body
    assert "Fraud on your trunk." in message.body

    customer = Client()
    customer.force_login(admin_user)
    page = customer.get(reverse("billing:invoice", kwargs={"number": dispute.invoice.number})).text
    assert "Credited $12.50" in page and "Fraud on your trunk." in page


def test_staff_reject_a_dispute_saying_why(
    staff_client, dispute, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    response = staff_client.post(resolve_url(dispute), {"decision": "reject", "resolution": ""})
    assert "Say why no credit is given" in response.text
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(
            resolve_url(dispute), {"decision": "reject", "resolution": "The calls were made."}
        )

    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolution) == (
        Dispute.Status.REJECTED,
        "The calls were made.",
    )
    assert not CreditNote.objects.exists()
    run_jobs()
    assert "We did not credit it." in mailoutbox[0].body


def test_a_credit_over_the_balance_is_refused_at_its_field(staff_client, dispute):
    response = staff_client.post(
        resolve_url(dispute), {"decision": "credit", "amount": "31.00", "resolution": ""}
    )

    assert "a credit cannot be larger" in response.text
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN
    assert not CreditNote.objects.exists()


def test_staff_see_disputes_and_spend_alerts_listed(staff_client, dispute):
    page = staff_client.get(reverse("admin:billing_dispute_changelist")).text
    assert resolve_url(dispute) in page
    assert staff_client.get(reverse("admin:billing_spendalert_changelist")).status_code == 200
