"""The LOA: the PDF's contents (read back with pdftotext), who may start one and when, and the
job that stores it, run twice and through the real RQ worker."""

import hashlib
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.models import Job
from orders import services as order_services
from orders.models import Order, OrderEvent
from porting.calendar import EASTERN, clock
from porting.loa import produce_loa, render_loa, start_loa
from porting.models import PortBatch, PortDocument
from porting.permissions import UPLOAD_PORT_DOCUMENTS

from .factories import add_document, draft_order, submitted_order

Status = Order.Status
PDFTOTEXT = shutil.which("pdftotext") or "/usr/bin/pdftotext"
PIN = "739164"
SIGNATURE = {
    "name": "Alice Admin",
    "title": "Chief Technology Officer",
    "signed_at": "2026-12-07T14:03:15+00:00",
    "ip": "203.0.113.7",
}


def pdf_text(pdf, tmp_path):
    path = tmp_path / "loa.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(  # noqa: S603 - Debian's pdftotext on a file of the test
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def words(text):
    """The text with its runs of spaces and line breaks as single spaces."""
    return " ".join(text.split())


@pytest.fixture
def order(admin_user):
    return submitted_order(admin_user, account_pin=PIN, partial=True, new_btn="+12122671499")


def test_the_loa_to_sign_carries_every_field_and_not_the_pin(acme_scope, order, tmp_path):
    port = order.port
    text = words(pdf_text(render_loa(port), tmp_path))

    requested = port.requested_at.astimezone(EASTERN)
    batch = PortBatch.objects.get(port_order=port)
    for expected in [
        "Letter of Agency (LOA)",
        "Appointment of the new carrier as agent",
        "Acme Telecom (the Customer) appoints the carrier named in port order "
        f"{order.reference} (the new carrier) as its agent",
        "Company name (customer) Acme Telecom",
        "Service address 120 Broadway Floor 12, New York, NY 10271, US",
        "Billing telephone number (BTN) (212) 267-1400",
        "Current carrier (losing carrier) Lakeshore Telephone Co.",
        "Account number ACM-55210",
        "Port type Partial port",
        "New BTN (212) 267-1499",
        f"Requested port date {requested:%A} {requested.date().isoformat()}, "
        f"{clock(requested)} Eastern",
        "Numbers to port 3 numbers, listed in Attachment A",
        f"Order reference {order.reference}",
        f"Batch IDs {batch.reference}",
        "Authorized person Alice Admin",
        "Title CTO",
        # Blanks to fill by hand.
        "Authorized signature",
        "Signature Date",
        "Signed by (printed name) Title",
        "Attachment A: numbers to port (3 numbers)",
        f"Batch {batch.reference}: Lakeshore Telephone Co., 3 numbers",
        "(303) 747-4100 (303) 747-4101 (303) 747-4102",
    ]:
        assert expected in text
    assert PIN not in text
    assert "Signed electronically" not in text


def test_the_company_is_the_account_holder_or_else_the_enterprise(acme_scope, order, tmp_path):
    port = order.port
    port.account_holder = "Acme Holdings LLC"
    assert "Company name (customer) Acme Holdings LLC" in words(
        pdf_text(render_loa(port), tmp_path)
    )
    port.account_holder = ""
    port.enterprise.name = "Acme Telecom Group"
    assert "Company name (customer) Acme Telecom Group" in words(
        pdf_text(render_loa(port), tmp_path)
    )


def test_a_full_port_needs_no_new_btn(acme_scope, order, tmp_path):
    port = order.port
    port.partial = False
    text = words(pdf_text(render_loa(port), tmp_path))
    assert "Port type Full port" in text
    assert "New BTN Not needed for a full port" in text
    assert "close the account once the port is complete" in text


def test_the_signed_loa_records_signer_title_time_and_ip(acme_scope, order, tmp_path):
    text = words(pdf_text(render_loa(order.port, signature=SIGNATURE), tmp_path))
    for expected in [
        "Signed electronically",
        "Signed by Alice Admin",
        "Title Chief Technology Officer",
        "Date and time 2026-12-07 14:03:15 UTC 2026-12-07 9:03:15 AM Eastern (EST)",
        "IP address 203.0.113.7",
        "Alice Admin, Chief Technology Officer, signed this letter electronically in the portal "
        "for Acme Telecom",
        "ticked the box consenting to sign electronically",
    ]:
        assert expected in text
    assert "Signed by (printed name)" not in text
    assert PIN not in text


def test_the_attachment_lists_every_number_under_its_batch(acme_scope, admin_user, tmp_path):
    entries = [f"+1303747{n:04d}" for n in range(1000, 1700) if n % 100 not in (13, 44, 66, 97)]
    order = submitted_order(admin_user, entries=entries[:600], account_pin=PIN)
    first, second = PortBatch.objects.filter(port_order=order.port).order_by("sequence")
    text = pdf_text(render_loa(order.port), tmp_path)

    assert f"Batch {first.reference}: Lakeshore Telephone Co., 500 numbers" in text
    assert f"Batch {second.reference}: Lakeshore Telephone Co., 100 numbers" in text
    attachment = text.split("Attachment A: numbers to port")[1]
    listed = attachment.split(f"Batch {second.reference}")
    for position, e164 in enumerate(entries[:600]):
        shown = f"({e164[2:5]}) {e164[5:8]}-{e164[8:]}"
        assert shown in listed[0 if position < 500 else 1]
    assert PIN not in text


def test_start_loa_records_the_job_on_the_order(acme_scope, admin_user, order):
    job = start_loa(order.port, by=admin_user)
    order.port.refresh_from_db()
    assert order.port.loa_job == job
    assert job.title == f"Produce LOA for {order.reference}"
    assert job.permission == UPLOAD_PORT_DOCUMENTS
    assert job.enterprise == order.enterprise
    assert job.created_by == admin_user
    assert job.arguments == [order.port.pk, None, None]


def test_a_second_loa_waits_for_the_first_to_finish(acme_scope, admin_user, order):
    job = start_loa(order.port, by=admin_user)
    for status in (Job.Status.QUEUED, Job.Status.RUNNING, Job.Status.RETRYING):
        Job.objects.filter(pk=job.pk).update(status=status)
        with pytest.raises(ValidationError) as refused:
            start_loa(order.port, by=admin_user, signature=SIGNATURE)
        assert refused.value.messages == [
            "An LOA is already being prepared for this order: wait for it to finish."
        ]
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED)
    signing = start_loa(order.port, by=admin_user, signature=SIGNATURE)
    assert signing.title == f"Sign LOA for {order.reference}"
    order.port.refresh_from_db()
    assert order.port.loa_job == signing


def test_no_loa_for_a_draft_or_a_cancelled_order(acme_scope, admin_user, order):
    draft = draft_order(admin_user, package_name="Draft Usage")
    with pytest.raises(ValidationError) as refused:
        start_loa(draft.port, by=admin_user)
    assert refused.value.messages == [
        f"Order {draft.reference} is Draft: an LOA is produced only while the order is "
        "Pending Documents, Submitted or Rejected."
    ]
    order_services.cancel(order, by=admin_user, notify=False)
    with pytest.raises(ValidationError, match="is Cancelled: an LOA is produced only"):
        start_loa(order.port, by=admin_user)
    assert not Job.objects.exists()


def test_signing_needs_the_signers_name_and_title(acme_scope, admin_user, order):
    with pytest.raises(ValidationError) as refused:
        start_loa(order.port, by=admin_user, signature={**SIGNATURE, "name": " ", "title": ""})
    assert set(refused.value.message_dict) == {"name", "title"}
    assert not Job.objects.exists()


def test_the_job_run_twice_stores_one_document(acme_scope, admin_user, order):
    job = start_loa(order.port, by=admin_user)
    first_url = produce_loa(job, order.port.pk, None)
    second_url = produce_loa(job, order.port.pk, None)

    document = PortDocument.objects.get(port_order=order.port)
    assert first_url == second_url == reverse("porting:document", args=[document.public_id])
    assert document.kind == PortDocument.Kind.LOA_TO_SIGN
    assert document.name == f"LOA {order.reference}.pdf"
    assert document.content_type == "application/pdf"
    assert document.uploaded_by == admin_user
    stored = document.file.read()
    assert stored.startswith(b"%PDF-")
    assert document.size == len(stored)
    assert document.sha256 == hashlib.sha256(stored).hexdigest()
    assert document.file.name.endswith(f"{document.public_id}.pdf")
    events = OrderEvent.objects.filter(order=order, event_type="loa_produced")
    assert events.count() == 1
    job.refresh_from_db()
    assert (job.progress_done, job.progress_total, job.message) == (3, 3, "The LOA is ready")


def test_the_worker_produces_the_loa_to_sign(
    admin_user, order, run_jobs, django_capture_on_commit_callbacks, tmp_path
):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_loa(order.port, by=admin_user, ip_address="203.0.113.7")
    assert run_jobs() == 1

    job.refresh_from_db()
    document = PortDocument.objects.get(port_order=order.port)
    assert job.status == Job.Status.SUCCEEDED
    assert job.result_url == reverse("porting:document", args=[document.public_id])
    assert document.kind == PortDocument.Kind.LOA_TO_SIGN
    assert "Authorized signature" in pdf_text(document.file.read(), tmp_path)
    order.refresh_from_db()
    assert order.status == Status.PENDING_DOCUMENTS


def test_the_worker_signs_the_loa_and_the_batches_go_to_the_carrier(
    admin_user, order, run_jobs, django_capture_on_commit_callbacks, tmp_path
):
    add_document(order, PortDocument.Kind.INVOICE, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        job = start_loa(order.port, by=admin_user, signature=SIGNATURE, ip_address=SIGNATURE["ip"])
    run_jobs()

    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    document = PortDocument.objects.get(port_order=order.port, kind=PortDocument.Kind.LOA)
    assert job.result_url == reverse("porting:document", args=[document.public_id])
    assert document.name == f"LOA {order.reference} signed.pdf"
    assert (document.signed_name, document.signed_title, document.signed_ip) == (
        "Alice Admin",
        "Chief Technology Officer",
        "203.0.113.7",
    )
    assert document.signed_at.isoformat() == "2026-12-07T14:03:15+00:00"
    text = words(pdf_text(document.file.read(), tmp_path))
    assert "Signed by Alice Admin" in text
    assert "IP address 203.0.113.7" in text
    event = OrderEvent.objects.get(order=order, event_type="loa_signed")
    assert event.note == "Signed by Alice Admin, Chief Technology Officer"
    assert event.actor == admin_user
    # With the invoice already in, the signed LOA sends the batches to the carrier.
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
