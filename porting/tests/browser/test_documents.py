"""The guide: after placing the port order, from the View Orders page click GO next to upload
documents; produce the LOA from the pop-up, then upload the signed LOA and the invoice from the
same pop-up. Without both, the batches are not submitted to the existing carrier."""

import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from orders.models import Order
from porting.models import PortBatch
from porting.tests.factories import submitted_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png():
    data = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(data, "PNG")
    return data.getvalue()


def test_go_produce_the_loa_and_upload_both_documents(
    page, admin_user, signed_in, run_jobs, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    order = submitted_order(admin_user)
    signed_in(page, admin_user, reverse("orders:orders_tab", args=["port"]))

    page.get_by_role("link", name=f"Upload documents for {order.reference}").click()
    popup = page.get_by_role("dialog", name=f"Upload documents for {order.reference}")
    expect(popup).to_be_visible()
    expect(popup).to_contain_text("Still needed: signed LOA, invoice.")

    # Produced in the worker: the pop-up stays open and follows the job.
    popup.get_by_role("button", name="Produce the LOA").click()
    expect(popup.locator(".job")).to_contain_text(f"Produce LOA for {order.reference}")
    run_jobs()
    expect(popup.get_by_role("link", name="Open the result")).to_be_visible()
    screenshot(page, "documents-loa-produced")

    # A file named like a PDF that is not one is refused at its field.
    popup.get_by_label("Signed LOA", exact=True).set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": b"not a pdf"}
    )
    popup.get_by_role("button", name="Upload the LOA").click()
    expect(popup.locator(".field--invalid")).to_contain_text(
        "This file is named like a PDF but is not one."
    )

    popup.get_by_label("Signed LOA", exact=True).set_input_files(
        {"name": "signed.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    popup.get_by_role("button", name="Upload the LOA").click()
    expect(popup).to_contain_text("Still needed: invoice.")
    expect(popup).to_contain_text("Signed LOA signed.pdf was uploaded.")
    assert PortBatch.objects.filter(status=Order.Status.PENDING_DOCUMENTS).exists()

    popup.get_by_label("Invoice", exact=True).set_input_files(
        {"name": "invoice.png", "mimeType": "image/png", "buffer": png()}
    )
    popup.get_by_role("button", name="Upload the invoice").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.public_id}/$"))
    documents = page.get_by_role("region", name="Documents")
    expect(documents).to_contain_text("invoice.png")
    expect(documents).to_contain_text("signed.pdf")
    screenshot(page, "documents-order-page")
    assert set(PortBatch.objects.values_list("status", flat=True)) == {Order.Status.SUBMITTED}
