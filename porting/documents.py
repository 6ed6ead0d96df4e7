"""A port order's documents: the signed LOA and the invoice the customer uploads.

Uploads are checked by their bytes, never by their name or the browser's word for them: a PDF,
PNG or JPEG is accepted, nothing else, up to PORT_DOCUMENT_MAX_BYTES. Files are stored through
PortDocument.file (the default storage, not served as is) under a name of their own; the
customer's file name is kept apart. Once both a signed LOA and an invoice are in, the order's
batches go to their carriers (porting.submission.documents_added).
"""

import hashlib
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat

from core.files import JPEG_MAGIC, PDF_MAGIC, PNG_MAGIC, verify_image
from orders.models import Order
from orders.services import note_event

from . import submission
from .models import PortDocument, PortOrder

Status = Order.Status
Kind = PortDocument.Kind

# Documents are added while the order waits for them, and after: a carrier that rejected a
# batch may ask for a newer invoice. Once the port is done or cancelled they stay as they are.
OPEN_TO_DOCUMENTS = {Status.PENDING_DOCUMENTS, Status.SUBMITTED, Status.REJECTED}
# What the customer uploads; the LOA to sign is produced by the portal (porting.loa).
UPLOADED_KINDS = {Kind.LOA: "loa_uploaded", Kind.INVOICE: "invoice_uploaded"}

PDF_END = b"%%EOF"
# Readers accept the end-of-file marker anywhere in the last kilobyte.
PDF_END_WINDOW = 1024
NAME_LENGTH = PortDocument._meta.get_field("name").max_length

NOT_ACCEPTED = "Upload a PDF, PNG or JPEG file: this file is not one."
FAKE_PDF = "This file is named like a PDF but is not one."


def max_bytes():
    return getattr(settings, "PORT_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)


def check_upload(uploaded_file):
    """The content type of an uploaded document, read from its bytes; ValidationError when it
    is empty, too large, named with a path, or not a PDF, PNG or JPEG."""
    name = uploaded_file.name or ""
    if "/" in name or "\\" in name:
        raise ValidationError("The file name holds a folder path: upload the file by itself.")
    size = uploaded_file.size
    if not size:
        raise ValidationError("This file is empty.")
    if size > max_bytes():
        raise ValidationError(
            f"This file is {filesizeformat(size)}; the largest accepted is "
            f"{filesizeformat(max_bytes())}."
        )
    content_type = _content_type(uploaded_file, size)
    if name.lower().endswith(".pdf") and content_type != "application/pdf":
        raise ValidationError(FAKE_PDF)
    if content_type is None:
        raise ValidationError(NOT_ACCEPTED)
    return content_type


def _content_type(uploaded_file, size):
    uploaded_file.seek(0)
    head = uploaded_file.read(len(PNG_MAGIC))
    if head.startswith(PDF_MAGIC):
        uploaded_file.seek(max(0, size - PDF_END_WINDOW))
        tail = uploaded_file.read()
        uploaded_file.seek(0)
        if PDF_END not in tail:
            raise ValidationError(
                "This PDF has no end: it was cut short or is damaged. Save it again and upload it."
            )
        return "application/pdf"
    for magic, image_format, content_type in (
        (PNG_MAGIC, "PNG", "image/png"),
        (JPEG_MAGIC, "JPEG", "image/jpeg"),
    ):
        if head.startswith(magic):
            verify_image(uploaded_file, image_format)
            return content_type
    uploaded_file.seek(0)
    return None


def refusal(order):
    """Why the order's documents may not change now, or None."""
    if order.status in OPEN_TO_DOCUMENTS:
        return None
    return (
        f"Order {order.reference} is {order.get_status_display()}: its documents can no longer "
        "be changed."
    )


def add_document(port_order, kind, uploaded_file, *, by, ip_address=None):
    """Store an uploaded signed LOA or invoice of the order and note it on its timeline; the
    batches are sent once both are in. ValidationError when the file or the order refuses it."""
    if kind not in UPLOADED_KINDS:
        raise ValueError(f"Documents of kind {kind!r} are not uploaded by customers.")
    content_type = check_upload(uploaded_file)
    with transaction.atomic():
        # The order's row first, then the port order's, as everywhere.
        order = Order.objects.select_for_update().get(pk=port_order.order_id)
        port_order = PortOrder.objects.select_for_update().get(pk=port_order.pk)
        reason = refusal(order)
        if reason:
            raise ValidationError(reason)
        document = store(
            port_order,
            kind,
            uploaded_file,
            name=uploaded_file.name,
            content_type=content_type,
            by=by,
        )
        try:
            note_event(
                order, UPLOADED_KINDS[kind], by=by, ip_address=ip_address, message=document.name
            )
            submission.documents_added(port_order, by=by)
        except BaseException:
            # The rows roll back with the transaction; the file would stay behind.
            document.file.delete(save=False)
            raise
    return document


def store(port_order, kind, content, *, name, content_type, by, public_id=None, signed=None):
    """Keep content (bytes, or an uploaded file already checked) as a document of the order.

    signed, for an LOA signed in the portal: {"name", "title", "at", "ip"}. public_id, when the
    caller must find the document again (a job run twice). In the caller's transaction.
    """
    file = content if isinstance(content, File) else ContentFile(content)
    document = PortDocument(
        enterprise_id=port_order.enterprise_id,
        port_order=port_order,
        kind=kind,
        name=_short_name(name),
        content_type=content_type,
        size=file.size,
        sha256=_sha256(file),
        uploaded_by=by,
    )
    if public_id is not None:
        document.public_id = public_id
    if signed:
        document.signed_name = signed["name"]
        document.signed_title = signed["title"]
        document.signed_at = signed["at"]
        document.signed_ip = signed["ip"] or None
    # Written under document_path, which the public_id (set already) names.
    document.file.save(document.name, file, save=True)
    return document


def file_response(document):
    """The document's file, downloaded as the type checked when it came in."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _short_name(name):
    """The file's base name, at most NAME_LENGTH characters, keeping its extension."""
    stem, extension = os.path.splitext(os.path.basename(name))
    if len(extension) >= NAME_LENGTH:
        extension = ""
    return stem[: NAME_LENGTH - len(extension)] + extension


def _sha256(uploaded_file):
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()
