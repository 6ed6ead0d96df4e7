"""The LOA (Letter of Agency) of a port order: the customer's authorization to port its numbers.

The worker renders it with WeasyPrint, pre-filled from the order, with Attachment A listing
every number to port under its batch. Unsigned, it is printed, signed by hand and uploaded;
signed in the portal (typed name, title, consent), it records who signed, when and from which
IP address. The account PIN is never printed: it is a password, and an LOA is copied and sent
on.

A port order has one LOA job at a time (PortOrder.loa_job). The job's document takes a public_id
derived from the job's, so a run repeated (a retry, a worker that died after storing) finds the
document stored already and stores no second one.
"""

import uuid
from collections import defaultdict
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from core.actors import as_actor
from core.jobs import retry_policy, start_job
from core.models import Job
from core.phones import display_phone
from orders.models import Order
from orders.services import note_event

from . import documents, submission
from .calendar import EASTERN, clock
from .models import PortBatch, PortDocument, PortNumber, PortOrder
from .permissions import UPLOAD_PORT_DOCUMENTS

Status = Order.Status
TEMPLATE = "porting/loa/loa.html"
# The namespace of the LOA documents' public ids, each derived from its job's.
LOA_DOCUMENTS = uuid.UUID("5b0e7c1e-3f4a-4c2d-9a51-0c8f2d6e7a13")
# Characters on one line of Attachment A: the page's width in loa.css's .numbers font (7.5pt
# DejaVu Sans Mono on US Letter less the margins holds about 115).
LINE_CHARACTERS = 110
COLUMN_GAP = "   "


def render_loa(port_order, *, signature=None) -> bytes:
    """The LOA of port_order as a PDF: to sign by hand, or signed with signature, a dict of
    "name", "title", "signed_at" (ISO 8601, UTC) and "ip"."""
    return _pdf(_context(port_order, signature))


@transaction.atomic
def start_loa(port_order, *, by, signature=None, ip_address=None):
    """Have the worker produce port_order's LOA, signed when signature is given (see
    render_loa); return the Job a page follows. ip_address, the request's, goes to the audit log.

    Refused (ValidationError) for an order the carriers have confirmed or that was never
    submitted, while another LOA of the order is still being prepared, and for a signature
    without the signer's name or title.
    """
    if signature is not None:
        signature = _checked_signature(signature)
    # Lock order: the order's row first, then the port order's.
    order = Order.objects.select_for_update().get(pk=port_order.order_id)
    locked = PortOrder.objects.select_for_update().get(pk=port_order.pk)
    if order.status not in documents.OPEN_TO_DOCUMENTS:
        raise ValidationError(
            f"Order {order.reference} is {order.get_status_display()}: an LOA is produced only "
            "while the order is Pending Documents, Submitted or Rejected."
        )
    if (
        locked.loa_job_id
        and Job.objects.filter(pk=locked.loa_job_id).exclude(status__in=Job.FINISHED).exists()
    ):
        raise ValidationError(
            "An LOA is already being prepared for this order: wait for it to finish."
        )
    verb = "Sign" if signature else "Produce"
    job = start_job(
        produce_loa,
        locked.pk,
        signature,
        ip_address,
        title=f"{verb} LOA for {order.reference}",
        permission=UPLOAD_PORT_DOCUMENTS,
        enterprise=locked.enterprise,
        created_by=as_actor(by).user,
    )
    locked.loa_job = job
    locked.save(update_fields=["loa_job"])
    port_order.loa_job = job
    return job


def _checked_signature(signature):
    name = (signature.get("name") or "").strip()
    title = (signature.get("title") or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Type your full name: it is your signature."
    if not title:
        errors["title"] = "Give your title: the carrier checks it against the account."
    if errors:
        raise ValidationError(errors)
    return {**signature, "name": name, "title": title}


@retry_policy(waits=(10, 60), timeout=300)
def produce_loa(job, port_order_id, signature, ip_address=None):
    """start_loa's job: render the LOA and store it among the order's documents; returns the
    document's download URL."""
    public_id = uuid.uuid5(LOA_DOCUMENTS, str(job.public_id))
    document = PortDocument.objects.filter(public_id=public_id).first()
    if document is None:
        port_order = PortOrder.objects.select_related("order", "enterprise").get(pk=port_order_id)
        job.report_progress(0, 3, "Reading the numbers")
        context = _context(port_order, signature)
        job.report_progress(1, message="Rendering the PDF")
        pdf = _pdf(context)
        job.report_progress(2, message="Storing the LOA")
        document = _store(job, port_order, pdf, signature, ip_address, public_id)
        job.report_progress(3, message="The LOA is ready")
    return reverse("porting:document", args=[document.public_id])


@transaction.atomic
def _store(job, port_order, pdf, signature, ip_address, public_id):
    """The document, the timeline's event and, once signed, the next step of the port: all or
    nothing, so that a retry finds either all of them or none."""
    by = job.created_by
    reference = port_order.order.reference
    document = documents.store(
        port_order,
        PortDocument.Kind.LOA if signature else PortDocument.Kind.LOA_TO_SIGN,
        pdf,
        name=f"LOA {reference} signed.pdf" if signature else f"LOA {reference}.pdf",
        content_type="application/pdf",
        by=by,
        public_id=public_id,
        signed=signed_by(signature) if signature else None,
    )
    if signature:
        note_event(
            port_order.order,
            "loa_signed",
            by=by,
            message=f"Signed by {signature['name']}, {signature['title']}",
            ip_address=ip_address,
        )
        submission.documents_added(port_order, by=by)
    else:
        note_event(port_order.order, "loa_produced", by=by, ip_address=ip_address)
    return document


def _context(port_order, signature):
    order = port_order.order
    attachment, batch_references, count = _attachment(port_order)
    return {
        "reference": order.reference,
        "customer_reference": order.customer_reference,
        "company": port_order.account_holder or port_order.enterprise.name,
        "address": port_order.address_in_words(),
        "btn": display_phone(port_order.btn),
        "losing_carrier": port_order.current_carrier,
        "account_number": port_order.account_number,
        "authorized_name": port_order.authorized_name,
        "authorized_title": port_order.authorized_title,
        "partial": port_order.partial,
        "new_btn": display_phone(port_order.new_btn),
        "requested": _requested(port_order.requested_at),
        "number_count": _numbers(count),
        "batch_references": batch_references,
        "attachment": attachment,
        "signature": _signature(signature) if signature else None,
    }


def _attachment(port_order):
    """Attachment A: each batch's numbers, in the list's order, as lines of aligned columns;
    the references of the batches; and how many numbers there are.

    One line of text lays out many times faster than a table cell per number, and the numbers
    are read as bare values, not model instances: 5,000 numbers take well under a second.
    """
    by_batch = defaultdict(list)
    count = 0
    if port_order.port_list_id:
        rows = (
            PortNumber.objects.filter(port_list_id=port_order.port_list_id)
            .order_by("position")
            .values_list("e164", "entry", "batch_id")
        )
        for e164, entry, batch_id in rows.iterator(chunk_size=2000):
            by_batch[batch_id].append(display_phone(e164) or entry)
            count += 1
    width = max((len(number) for numbers in by_batch.values() for number in numbers), default=1)
    per_line = max(1, (LINE_CHARACTERS + len(COLUMN_GAP)) // (width + len(COLUMN_GAP)))
    groups, references = [], []
    for batch in PortBatch.objects.filter(port_order=port_order).order_by("sequence"):
        numbers = by_batch.pop(batch.pk, [])
        if numbers:
            references.append(batch.reference)
            heading = f"Batch {batch.reference}: {batch.carrier}, {_numbers(len(numbers))}"
            groups.append(_group(heading, numbers, width, per_line))
    # Numbers in no batch (none once the order is submitted) are listed all the same.
    unbatched = [number for numbers in by_batch.values() for number in numbers]
    if unbatched:
        groups.append(_group("Not in a batch yet", unbatched, width, per_line))
    return groups, references, count


def _group(heading, numbers, width, per_line):
    lines = (
        COLUMN_GAP.join(number.ljust(width) for number in numbers[start : start + per_line])
        for start in range(0, len(numbers), per_line)
    )
    return {"heading": heading, "lines": "\n".join(line.rstrip() for line in lines)}


def _numbers(count):
    return f"{count:,} number{'' if count == 1 else 's'}"


def _requested(when):
    """ "Monday 2026-12-14, 9:00 AM Eastern": ports happen in Eastern porting hours."""
    if when is None:
        return ""
    eastern = when.astimezone(EASTERN)
    return f"{eastern:%A} {eastern.date().isoformat()}, {clock(eastern)} Eastern"


def signed_by(signature):
    """What a PortDocument records of a signature given to render_loa."""
    return {
        "name": signature["name"],
        "title": signature["title"],
        "at": _signed_at(signature),
        "ip": signature.get("ip") or "",
    }


def _signed_at(signature):
    signed_at = datetime.fromisoformat(signature["signed_at"])
    return signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)


def _signature(signature):
    signed_at = _signed_at(signature)
    utc = signed_at.astimezone(UTC)
    eastern = signed_at.astimezone(EASTERN)
    hour = f"{eastern.hour % 12 or 12}:{eastern:%M:%S} {'AM' if eastern.hour < 12 else 'PM'}"
    return {
        "name": signature["name"],
        "title": signature["title"],
        "ip": signature.get("ip") or "",
        "utc": f"{utc:%Y-%m-%d %H:%M:%S} UTC",
        "eastern": f"{eastern:%Y-%m-%d} {hour} Eastern ({eastern:%Z})",
    }


def _pdf(context):
    html = render_to_string(TEMPLATE, context)
    # The page holds all the LOA shows: nothing is fetched, whatever a field of the order says.
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=())).write_pdf()
