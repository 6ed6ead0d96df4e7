"""A port order's documents: the Upload documents pop-up (GO on View Orders) and downloads.

The pop-up (/ports/<order id>/documents/) produces the LOA to sign in the worker, signs it in
the portal for those who may, and takes the signed LOA and the invoice. With JavaScript it
opens as a modal; without, as a page. After producing, signing or one upload it comes back
with what is still needed; once both documents are in, the order's page is shown.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.tenancy import enterprise_permission_required, get_for_member
from orders.models import Order

from . import documents, loa, submission
from .forms_documents import DocumentUploadForm, SignLoaForm
from .models import PortDocument
from .permissions import SIGN_LOA, UPLOAD_PORT_DOCUMENTS, VIEW_PORTS
from .services import KIND

Kind = PortDocument.Kind

UPLOADS = {
    "loa": (
        Kind.LOA,
        "Signed LOA",
        "The LOA produced above, signed by the person authorized on the account: a PDF, or a "
        "PNG or JPEG scan.",
    ),
    "invoice": (
        Kind.INVOICE,
        "Invoice",
        "A recent invoice from your current carrier, showing the account: a PDF, PNG or JPEG.",
    ),
}


def _upload_forms(request):
    posted = request.POST.get("action")
    return {
        prefix: DocumentUploadForm(
            request.POST if posted == prefix else None,
            request.FILES if posted == prefix else None,
            prefix=prefix,
            label=label,
            help_text=f"{help_text} At most {filesizeformat(documents.max_bytes())}.",
        )
        for prefix, (_kind, label, help_text) in UPLOADS.items()
    }


@enterprise_permission_required(UPLOAD_PORT_DOCUMENTS)
def upload_documents(request, public_id):
    order = get_for_member(
        request,
        Order.objects.filter(kind=KIND).select_related("port__loa_job"),
        permission=UPLOAD_PORT_DOCUMENTS,
        public_id=public_id,
    )
    port_order = order.port
    may_sign = request.user.has_perm(SIGN_LOA)
    upload_forms = _upload_forms(request)
    sign_form = SignLoaForm(
        request.POST if request.POST.get("action") == "sign" else None,
        prefix="sign",
        initial={"name": port_order.authorized_name, "title": port_order.authorized_title},
    )
    closed = documents.refusal(order)
    loa_error = None
    if request.method == "POST" and closed is None:
        action = request.POST.get("action")
        if action == "sign" and not may_sign:
            raise PermissionDenied("Your role does not allow signing the LOA.")
        if action == "produce":
            loa_error = _start_loa(request, order)
            if loa_error is None:
                messages.info(request, "The LOA is being produced: it is ready in a moment.")
                return _back_to_documents(order)
        elif action == "sign" and sign_form.is_valid():
            loa_error = _start_loa(request, order, signature=_signature(request, sign_form))
            if loa_error is None:
                messages.info(request, "The LOA is being signed: it is ready in a moment.")
                return _back_to_documents(order)
        elif action in UPLOADS:
            response = _upload(request, order, upload_forms[action], UPLOADS[action][0])
            if response:
                return response
    return render(
        request,
        "porting/documents.html",
        {
            "order": order,
            "port": port_order,
            "batches": list(port_order.batches.values_list("reference", flat=True)),
            "closed": closed,
            "needed": submission.missing_documents(port_order),
            "job": port_order.loa_job,
            "loa_error": loa_error,
            "sign_form": sign_form if may_sign else None,
            "loa_form": upload_forms["loa"],
            "invoice_form": upload_forms["invoice"],
            "documents": port_order.documents.select_related("uploaded_by"),
        },
    )


def _start_loa(request, order, signature=None):
    """Have the worker produce the LOA, signed when a signature is given; the refusal in words
    (one is being produced already), or None."""
    try:
        with transaction.atomic():
            loa.start_loa(
                order.port, by=request.user, ip_address=client_ip(request), signature=signature
            )
    except ValidationError as refusal:
        return " ".join(refusal.messages)
    return None


def _signature(request, form):
    return {
        "name": form.cleaned_data["name"],
        "title": form.cleaned_data["title"],
        "signed_at": timezone.now().isoformat(),
        "ip": client_ip(request),
    }


def _upload(request, order, form, kind):
    """Store the posted document; None when it is refused, with the reason on the form."""
    if not form.is_valid():
        return None
    try:
        document = documents.add_document(
            order.port,
            kind,
            form.cleaned_data["file"],
            by=request.user,
            ip_address=client_ip(request),
        )
    except ValidationError as refusal:
        form.add_error(None, refusal)
        return None
    messages.success(request, f"{document.get_kind_display()} {document.name} was uploaded.")
    if submission.missing_documents(order.port):
        return _back_to_documents(order)
    # All in: the order moves on, which its page (and View Orders behind the pop-up) shows.
    return redirect_after_post(request, "orders:order_detail", order.public_id)


def _back_to_documents(order):
    # A plain redirect: htmx follows it within the pop-up, which stays open to show the job's
    # progress and what is still needed; without JavaScript it is the page again.
    return redirect("porting:documents", order.public_id)


@enterprise_permission_required(VIEW_PORTS)
def download_document(request, public_id):
    document = get_for_member(
        request, PortDocument.objects.all(), permission=VIEW_PORTS, public_id=public_id
    )
    return documents.file_response(document)
