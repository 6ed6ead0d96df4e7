"""A port from Submit Order to the numbers in service: GO, Produce the LOA, sign it in the
portal, upload the invoice, the worker sends the batch, the carrier confirms a FOC date and
completes; and a rejected port corrected and resubmitted."""

import io
import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from orders.models import Order
from porting import submission
from porting.models import PortBatch, SandboxPortRequest
from porting.tests.factories import draft_order, submitted_order, with_documents
from tests.scopes import as_a_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBERS = ("+13037474100", "+13037474101")


def invoice_png():
    data = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(data, "PNG")
    return data.getvalue()


def the_carrier_answers(hours):
    """Time passes for the sandbox carrier; the cron process's poll asks it where things stand."""
    earlier = timedelta(hours=hours)
    SandboxPortRequest.objects.update(
        received_at=F("received_at") - earlier, completes_at=F("completes_at") - earlier
    )
    with as_a_server():
        submission.poll_carriers()


def test_from_submit_order_to_the_ported_numbers_in_the_inventory(
    page, admin_user, signed_in, run_jobs, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORT_SANDBOX_DAY_SECONDS = 86400
    draft = draft_order(admin_user, entries=NUMBERS)
    signed_in(page, admin_user, reverse("orders:order_detail", args=[draft.public_id]))

    page.get_by_role("link", name="Resume draft").click()
    form = page.get_by_role("main")
    form.get_by_label("Requested Port Date/Time").select_option(index=1)
    form.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_role("main")).to_contain_text("Pending Documents")
    reference = draft.reference

    page.goto(reverse("orders:orders_tab", args=["port"]))
    page.get_by_role("link", name=f"Upload documents for {reference}").click()
    popup = page.get_by_role("dialog", name=f"Upload documents for {reference}")
    popup.get_by_role("button", name="Produce the LOA").click()
    expect(popup.locator(".job")).to_contain_text(f"Produce LOA for {reference}")
    run_jobs()
    expect(popup.get_by_role("link", name="Open the result")).to_be_visible()

    # Signed in the portal by the Administrator, the person authorized on the account.
    popup.get_by_label("Your full name").fill("Alice Admin")
    popup.get_by_label("Your title").fill("CTO")
    popup.get_by_label("I am authorized to act for the account holder").check()
    popup.get_by_role("button", name="Sign the LOA").click()
    expect(popup.locator(".job")).to_contain_text(f"Sign LOA for {reference}")
    run_jobs()
    page.reload()
    page.get_by_role("link", name=f"Upload documents for {reference}").click()
    popup = page.get_by_role("dialog", name=f"Upload documents for {reference}")
    expect(popup).to_contain_text("Still needed: invoice.")
    popup.get_by_label("Invoice", exact=True).set_input_files(
        {"name": "invoice.png", "mimeType": "image/png", "buffer": invoice_png()}
    )
    popup.get_by_role("button", name="Upload the invoice").click()
    expect(page).to_have_url(re.compile(rf"/orders/{draft.public_id}/$"))
    batches = page.get_by_role("main").locator("table").first
    expect(batches).to_contain_text("Being sent")

    run_jobs()  # the worker sends the batch to its carrier
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Submitted")
    batch = PortBatch.objects.get(port_order__order=draft)
    expect(page.get_by_role("main")).to_contain_text(f"reference {batch.carrier_reference}")

    the_carrier_answers(hours=3)
    batch.refresh_from_db()
    page.reload()
    main = page.get_by_role("main")
    expect(main).to_contain_text("FOC Confirmed")
    expect(main).to_contain_text(f"{batch.foc_date:%Y-%m-%d}")
    screenshot(page, "port-foc-confirmed")

    the_carrier_answers(hours=24 * 40)
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("Completed")
    expect(page.get_by_role("main")).to_contain_text("2 numbers ported into Port Usage")

    page.goto(reverse("phone_numbers:us_domestic"))
    inventory = page.get_by_role("main")
    expect(inventory).to_contain_text("(303) 747-4100")
    expect(inventory).to_contain_text("(303) 747-4101")
    screenshot(page, "port-numbers-in-inventory")


def test_a_rejected_port_is_corrected_and_resubmitted(
    page, admin_user, signed_in, run_jobs, settings, tmp_path, screenshot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORT_SANDBOX_DAY_SECONDS = 86400
    order = submitted_order(
        admin_user, account_number="ACM-00000", record_differences_confirmed=True
    )
    with_documents(order, admin_user)
    run_jobs()
    the_carrier_answers(hours=3)
    assert Order.objects.get(pk=order.pk).status == Order.Status.REJECTED

    signed_in(page, admin_user, reverse("orders:order_detail", args=[order.public_id]))
    main = page.get_by_role("main")
    expect(main).to_contain_text("Action required")
    expect(main).to_contain_text("The current carrier's record has the account number ACM-55210.")
    main.get_by_role("link", name="Correct and resubmit").click()

    form = page.get_by_role("main")
    expect(form).to_contain_text("Rejected: The account number does not match")
    form.get_by_role("button", name="Resubmit to carrier").click()
    expect(page.get_by_role("main")).to_contain_text(
        "The current carrier rejected this: correct it before you resubmit."
    )
    page.get_by_label("Account number").fill("ACM-55210")
    page.get_by_role("button", name="Resubmit to carrier").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.public_id}/$"))
    expect(page.get_by_role("main")).to_contain_text("was corrected and sent back")
    screenshot(page, "port-resubmitted")

    run_jobs()
    the_carrier_answers(hours=3)
    page.reload()
    expect(page.get_by_role("main")).to_contain_text("FOC Confirmed")
    batch = PortBatch.objects.get(port_order__order=order)
    assert (batch.version, batch.sent_version, batch.status) == (1, 1, "foc_confirmed")
