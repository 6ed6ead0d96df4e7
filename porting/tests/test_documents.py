"""A port order's documents: the checks of an uploaded file, the Upload documents pop-up (GO on
View Orders), producing and signing the LOA, uploads, downloads, and who may do what."""

import html
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image

from core.models import Job
from orders import services as order_services
from orders.models import Order, OrderEvent
from porting import documents, loa
from porting.documents import FAKE_PDF, NOT_ACCEPTED, check_upload
from porting.models import PortBatch, PortDocument
from porting.permissions import UPLOAD_PORT_DOCUMENTS
from tests.downloads import body

from .factories import add_document as stored_document
from .factories import draft_order, submitted_order

Kind = PortDocument.Kind
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def image(image_format):
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(data, image_format)
    return data.getvalue()


def text_of(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def documents_url(order):
    return reverse("porting:documents", args=[order.public_id])


def in_modal(client, url, **kwargs):
    """What the pop-up shows when htmx opens it into #modal."""
    return client.get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="modal", **kwargs)


def stored_files():
    if not default_storage.exists("port-documents"):
        return []
    found, folders = [], ["port-documents"]
    while folders:
        folder = folders.pop()
        subfolders, files = default_storage.listdir(folder)
        folders += [f"{folder}/{name}" for name in subfolders]
        found += [f"{folder}/{name}" for name in files]
    return found


@pytest.fixture
def order(admin_user):
    return submitted_order(admin_user)


# The checks of an uploaded file, by its bytes


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("signed-loa.pdf", PDF, "application/pdf"),
        ("scan.png", image("PNG"), "image/png"),
        ("scan.jpg", image("JPEG"), "image/jpeg"),
        ("scan.JPEG", image("JPEG"), "image/jpeg"),
        # The bytes decide, not the name.
        ("invoice", PDF, "application/pdf"),
        ("invoice.png", image("JPEG"), "image/jpeg"),
    ],
)
def test_a_pdf_png_or_jpeg_is_accepted_by_its_bytes(name, content, content_type):
    # The browser's word for the type is not taken either.
    uploaded = SimpleUploadedFile(name, content, content_type="text/plain")
    assert check_upload(uploaded) == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("signed-loa.pdf", b"Signed by me, honestly.\n", FAKE_PDF),
        ("signed-loa.pdf", image("PNG"), FAKE_PDF),
        ("signed-loa.PDF", image("JPEG"), FAKE_PDF),
        ("notes.txt", b"Account ACM-55210\n", NOT_ACCEPTED),
        ("scan.png", b"GIF89a not a png", NOT_ACCEPTED),
        ("scan.gif", image("GIF"), NOT_ACCEPTED),
        ("page.html", b"<html><script>alert(1)</script></html>", NOT_ACCEPTED),
        ("cut.pdf", PDF[:40], "This PDF has no end: it was cut short or is damaged."),
        ("broken.png", image("PNG")[:30], "This PNG image cannot be read: it is damaged."),
        ("empty.pdf", b"", "This file is empty."),
    ],
)
def test_a_file_that_is_not_a_pdf_png_or_jpeg_is_refused(name, content, message):
    uploaded = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationError) as refused:
        check_upload(uploaded)
    assert message in refused.value.messages[0]


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.PORT_DOCUMENT_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as refused:
        check_upload(SimpleUploadedFile("loa.pdf", PDF + b" " * 2000))
    # filesizeformat keeps the figure and its unit together with a no-break space.
    assert refused.value.messages == ["This file is 2.0\xa0KB; the largest accepted is 1.0\xa0KB."]
    assert check_upload(SimpleUploadedFile("loa.pdf", PDF)) == "application/pdf"


def test_the_size_limit_is_10_mb_unless_set(settings):
    del settings.PORT_DOCUMENT_MAX_BYTES
    assert documents.max_bytes() == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "name", ["../../etc/loa.pdf", "/home/alice/loa.pdf", "..\\loa.pdf", "C:\\x.pdf"]
)
def test_a_file_name_holding_a_path_is_refused(name):
    with pytest.raises(ValidationError) as refused:
        check_upload(File(io.BytesIO(PDF), name=name))
    assert refused.value.messages == [
        "The file name holds a folder path: upload the file by itself."
    ]


# Storing a document


def test_a_document_is_stored_under_a_name_of_its_own(acme_scope, admin_user, order):
    port = order.port
    long_name = "x" * 200 + ".pdf"
    document = documents.add_document(
        port, Kind.INVOICE, SimpleUploadedFile(long_name, PDF), by=admin_user, ip_address="10.1.2.3"
    )
    document.refresh_from_db()
    assert document.name == "x" * 116 + ".pdf"
    assert document.file.name == (
        f"port-documents/{order.enterprise_id}/{port.pk}/{document.public_id}.pdf"
    )
    assert document.file.read() == PDF
    assert document.size == len(PDF)
    assert document.uploaded_by == admin_user
    event = OrderEvent.objects.get(order=order, event_type="invoice_uploaded")
    assert event.note == document.name


def test_documents_of_a_finished_order_no_longer_change(acme_scope, admin_user, order):
    order_services.cancel(order, by=admin_user)
    with pytest.raises(ValidationError) as refused:
        documents.add_document(
            order.port, Kind.LOA, SimpleUploadedFile("loa.pdf", PDF), by=admin_user
        )
    assert refused.value.messages == [
        f"Order {order.reference} is Cancelled: its documents can no longer be changed."
    ]
    assert not PortDocument.objects.exists()
    assert stored_files() == []


# View Orders and the order's page


def test_view_orders_shows_go_to_upload_documents_while_they_are_pending(admin_client, order):
    page = admin_client.get(reverse("orders:orders_tab", args=["port"])).content.decode()
    url = documents_url(order)
    assert f'hx-get="{url}" hx-target="#modal"' in page
    assert re.search(rf'Upload documents <a class="button[^"]*" href="{url}"[^>]*>GO</a>', page)


def test_read_only_users_get_no_go(client, read_only_user, order):
    client.force_login(read_only_user)
    page = client.get(reverse("orders:orders_tab", args=["port"])).content.decode()
    assert order.reference in page
    assert documents_url(order) not in page


def test_the_order_page_lists_the_documents_and_offers_the_upload(
    admin_client, client, admin_user, read_only_user, order
):
    with scopes_disabled():
        invoice = stored_document(order, Kind.INVOICE, admin_user)
    page = text_of(admin_client.get(reverse("orders:order_detail", args=[order.public_id])))
    assert "Documents" in page and "Still needed: signed LOA." in page
    assert reverse("porting:document", args=[invoice.public_id]) in page
    assert f">{invoice.name}</a>" in page and "by Alice Admin" in page
    assert f'href="{documents_url(order)}"' in page
    client.force_login(read_only_user)
    page = text_of(client.get(reverse("orders:order_detail", args=[order.public_id])))
    assert reverse("porting:document", args=[invoice.public_id]) in page
    assert documents_url(order) not in page


# The pop-up


def test_the_pop_up_shows_the_order_its_batches_and_what_is_missing(admin_client, order):
    response = in_modal(admin_client, documents_url(order))
    page = text_of(response)
    assert page.lstrip().startswith("<dialog")
    assert f"Upload documents for {order.reference}" in page
    assert f"batch {order.reference}-1" in page
    assert "Still needed: signed LOA, invoice." in page
    assert "Without the LOA and invoice uploaded, order batches are not submitted" in page
    for words in ("Produce the LOA", "Sign in the portal", "Upload the signed LOA", "Invoice"):
        assert words in page


def test_without_javascript_the_pop_up_is_a_page(admin_client, order):
    page = admin_client.get(documents_url(order)).content.decode()
    assert "<dialog" not in page and 'id="modal"' in page
    assert "Produce the LOA" in page


def test_uploads_store_the_files_and_once_both_are_in_the_batches_go(
    admin_client, admin_user, order
):
    response = admin_client.post(
        documents_url(order),
        {"action": "loa", "loa-file": SimpleUploadedFile("Signed LOA.pdf", PDF)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="modal",
    )
    # The pop-up comes back, to take the invoice.
    assert response.status_code == 302 and response["Location"] == documents_url(order)
    page = text_of(in_modal(admin_client, documents_url(order)))
    assert "Signed LOA Signed LOA.pdf was uploaded." in page
    assert "Still needed: invoice." in page
    with scopes_disabled():
        loa_document = PortDocument.objects.get()
        assert (loa_document.kind, loa_document.name) == (Kind.LOA, "Signed LOA.pdf")
        assert loa_document.content_type == "application/pdf"
        assert loa_document.uploaded_by == admin_user
        assert loa_document.file.read() == PDF
        assert set(PortBatch.objects.values_list("status", flat=True)) == {
            Order.Status.PENDING_DOCUMENTS
        }
        assert OrderEvent.objects.filter(order=order, event_type="loa_uploaded").exists()

    response = admin_client.post(
        documents_url(order),
        {"action": "invoice", "invoice-file": SimpleUploadedFile("invoice.png", image("PNG"))},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="modal",
    )
    # All in: the whole page goes to the order.
    assert response["HX-Redirect"] == reverse("orders:order_detail", args=[order.public_id])
    with scopes_disabled():
        assert PortDocument.objects.filter(kind=Kind.INVOICE, content_type="image/png").exists()
        assert set(PortBatch.objects.values_list("status", flat=True)) == {Order.Status.SUBMITTED}
        order.refresh_from_db()
        assert order.status == Order.Status.SUBMITTED
    assert len(stored_files()) == 2
    page = text_of(admin_client.get(reverse("orders:order_detail", args=[order.public_id])))
    assert "LOA uploaded" in page and "Invoice uploaded" in page and "invoice.png" in page


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("signed-loa.pdf", b"not a pdf at all", FAKE_PDF),
        ("signed-loa.pdf", image("PNG"), FAKE_PDF),
        ("signed-loa.pdf", b"", "This file is empty."),
        ("signed-loa.docx", b"PK\x03\x04 word", NOT_ACCEPTED),
    ],
)
def test_a_bad_file_is_refused_at_its_field_and_nothing_is_stored(
    admin_client, order, name, content, message
):
    response = admin_client.post(
        documents_url(order),
        {"action": "loa", "loa-file": SimpleUploadedFile(name, content)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="modal",
    )
    assert response.status_code == 200
    field = re.search(
        r'<div class="file-drop field field--invalid".*?</div>\s*</div>',
        response.content.decode(),
        re.S,
    )
    assert field and 'name="loa-file"' in field[0]
    assert message in html.unescape(field[0])
    with scopes_disabled():
        assert not PortDocument.objects.exists()
        assert not OrderEvent.objects.filter(event_type="loa_uploaded").exists()
    assert stored_files() == []


def test_no_file_chosen_says_so(admin_client, order):
    response = admin_client.post(documents_url(order), {"action": "invoice"})
    assert "Choose a file for the invoice." in text_of(response)


def test_a_cancelled_order_takes_no_documents(admin_client, admin_user, order):
    with scopes_disabled():
        order_services.cancel(order, by=admin_user)
    refusal = f"Order {order.reference} is Cancelled: its documents can no longer be changed."
    page = text_of(in_modal(admin_client, documents_url(order)))
    assert refusal in page and "Upload the signed LOA" not in page
    response = admin_client.post(
        documents_url(order), {"action": "loa", "loa-file": SimpleUploadedFile("l.pdf", PDF)}
    )
    assert refusal in text_of(response)
    with scopes_disabled():
        assert not PortDocument.objects.exists()


# Producing and signing the LOA (porting.loa renders it in the worker)


@pytest.fixture
def loa_requests(monkeypatch):
    """start_loa's calls, each answered with a queued Job as the real one answers."""
    calls = []

    def start_loa(port_order, *, by, ip_address=None, signature=None):
        calls.append({"by": by, "ip_address": ip_address, "signature": signature})
        port_order.loa_job = Job.objects.create(
            title=f"LOA of {port_order.order.reference}",
            function="porting.loa.render_loa",
            permission=UPLOAD_PORT_DOCUMENTS,
            enterprise_id=port_order.enterprise_id,
            created_by=by,
        )
        port_order.save(update_fields=["loa_job"])
        return port_order.loa_job

    monkeypatch.setattr(loa, "start_loa", start_loa)
    return calls


def test_produce_the_loa_shows_its_progress_in_the_pop_up(
    admin_client, admin_user, order, loa_requests
):
    response = admin_client.post(
        documents_url(order), {"action": "produce"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="modal"
    )
    assert response["Location"] == documents_url(order)
    assert loa_requests == [{"by": admin_user, "ip_address": "127.0.0.1", "signature": None}]
    page = in_modal(admin_client, documents_url(order)).content.decode()
    with scopes_disabled():
        job = Job.objects.get()
    assert "The LOA is being produced" in page
    assert f'hx-get="{reverse("job_status", args=[job.public_id])}"' in page
    # Polled in place, not into the pop-up.
    assert f'hx-target="#job-{job.public_id}"' in page


def test_a_refused_loa_is_said_in_the_pop_up(admin_client, order, monkeypatch):
    def busy(port_order, **kwargs):
        raise ValidationError("The LOA is being produced already: wait for it.")

    monkeypatch.setattr(loa, "start_loa", busy)
    response = admin_client.post(documents_url(order), {"action": "produce"})
    assert response.status_code == 200
    assert "The LOA is being produced already: wait for it." in text_of(response)


def test_an_administrator_signs_the_loa_in_the_portal(admin_client, order, loa_requests):
    page = text_of(in_modal(admin_client, documents_url(order)))
    # Filled in with the authorized person of the order.
    assert 'value="Alice Admin"' in page and 'value="CTO"' in page
    refused = admin_client.post(
        documents_url(order),
        {"action": "sign", "sign-name": "Alice Admin", "sign-title": "CTO"},
    )
    assert "I am authorized to act for the account holder" in text_of(refused)
    assert 'class="field field--invalid field--checkbox"' in refused.content.decode()
    assert loa_requests == []
    response = admin_client.post(
        documents_url(order),
        {"action": "sign", "sign-name": "Alice Admin", "sign-title": "CTO", "sign-consent": "on"},
    )
    assert response["Location"] == documents_url(order)
    (call,) = loa_requests
    signature = call["signature"]
    assert (signature["name"], signature["title"], signature["ip"]) == (
        "Alice Admin",
        "CTO",
        "127.0.0.1",
    )
    assert signature["signed_at"]


def test_a_general_user_uploads_but_does_not_sign(general_client, order, loa_requests):
    page = text_of(general_client.get(documents_url(order)))
    assert "Upload the signed LOA" in page and "Sign in the portal" not in page
    response = general_client.post(
        documents_url(order),
        {"action": "sign", "sign-name": "Bob", "sign-title": "IT", "sign-consent": "on"},
    )
    assert response.status_code == 403
    assert loa_requests == []


# Downloads and who may open what


def test_the_enterprise_downloads_its_documents(client, admin_user, read_only_user, order):
    with scopes_disabled():
        document = stored_document(order, Kind.INVOICE, admin_user, content=PDF)
    url = reverse("porting:document", args=[document.public_id])
    client.force_login(read_only_user)
    response = client.get(url)
    assert response.status_code == 200
    assert body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_another_enterprise_gets_404(client, outsider, admin_user, order):
    with scopes_disabled():
        document = stored_document(order, Kind.INVOICE, admin_user)
    client.force_login(outsider)
    assert client.get(reverse("porting:document", args=[document.public_id])).status_code == 404
    assert client.get(documents_url(order)).status_code == 404
    assert client.post(documents_url(order), {"action": "produce"}).status_code == 404


def test_read_only_users_cannot_open_the_pop_up(client, read_only_user, order):
    client.force_login(read_only_user)
    assert client.get(documents_url(order)).status_code == 403
    response = client.post(
        documents_url(order), {"action": "loa", "loa-file": SimpleUploadedFile("l.pdf", PDF)}
    )
    assert response.status_code == 403
    with scopes_disabled():
        assert not PortDocument.objects.exists()


def test_the_loa_produced_by_the_worker_is_offered_for_download(
    admin_client, order, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(documents_url(order), {"action": "produce"})
    assert run_jobs() == 1
    page = text_of(in_modal(admin_client, documents_url(order)))
    with scopes_disabled():
        produced = PortDocument.objects.get(kind=Kind.LOA_TO_SIGN)
    url = reverse("porting:document", args=[produced.public_id])
    assert "Done" in page and f'href="{url}"' in page
    assert "LOA to sign" in page and produced.name in page
    # Still to sign and upload.
    assert "Still needed: signed LOA, invoice." in page
    assert body(admin_client.get(url)).startswith(b"%PDF-")


def test_an_loa_signed_in_the_portal_and_an_invoice_send_the_batches(
    admin_client, order, run_jobs, django_capture_on_commit_callbacks
):
    signing = {"action": "sign", "sign-name": "Alice Admin", "sign-title": "CTO"}
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(documents_url(order), {**signing, "sign-consent": "on"})
    run_jobs()
    page = text_of(in_modal(admin_client, documents_url(order)))
    assert "Still needed: invoice." in page and "Alice Admin, CTO" in page
    invoice = {"action": "invoice", "invoice-file": SimpleUploadedFile("inv.jpg", image("JPEG"))}
    response = admin_client.post(documents_url(order), invoice)
    assert response["Location"] == reverse("orders:order_detail", args=[order.public_id])
    with scopes_disabled():
        signed = PortDocument.objects.get(kind=Kind.LOA)
        assert (signed.signed_name, signed.signed_title) == ("Alice Admin", "CTO")
        assert set(PortBatch.objects.values_list("status", flat=True)) == {Order.Status.SUBMITTED}


def test_a_draft_has_no_documents_section(admin_client, admin_user):
    draft = draft_order(admin_user, package_name="Draft Usage")
    page = text_of(admin_client.get(reverse("orders:order_detail", args=[draft.public_id])))
    assert 'id="documents-title"' not in page
    assert admin_client.get(documents_url(draft)).status_code == 200
    assert f"Order {draft.reference} is Draft" in text_of(admin_client.get(documents_url(draft)))
