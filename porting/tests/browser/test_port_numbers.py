"""The guide's Transferring and Porting Numbers: on the dashboard, +Add under Local Numbers for a
package, Order Type Move/Port Current Numbers; fill in the service address and the port
information, add the numbers in the Port Numbers pop-up, review and remove the numbers with
errors, choose the port date, Submit Order, and land on the order, Pending Documents."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from porting.models import PortBatch
from porting.tests.factories import ACME_ACCOUNT
from trunks.tests.factories import new_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD = [f"+1303747{4100 + n}" for n in range(4)]
DISCONNECTED = "+13037474113"  # the sandbox carrier: ...13 is a disconnected number


def test_port_numbers_from_the_dashboard(page, admin_user, signed_in, screenshot, tmp_path):
    new_package(admin_user, name="Denver Bundle")
    signed_in(page, admin_user)

    local = page.get_by_role("region", name="Local Numbers")
    local.get_by_role("link", name="+Add Local Numbers to Denver Bundle").click()
    form = page.get_by_role("main")
    form.get_by_label("Order Type").select_option(label="Move/Port Current Numbers")
    expect(page).to_have_url(re.compile(r"/porting/add/\?"))
    expect(form.get_by_label("Order Type")).to_have_value("port")
    expect(form.get_by_label("Package")).to_have_text(re.compile("Denver Bundle"))
    expect(
        form.get_by_text("The addresses must match the current carrier's information.")
    ).to_be_visible()
    expect(form.get_by_label("Account holder name")).to_have_value("Acme Telecom")

    form.get_by_label("House number").fill(ACME_ACCOUNT["address_number"])
    form.get_by_label("Street", exact=True).fill(ACME_ACCOUNT["address_street"])
    form.get_by_label("Unit (optional)", exact=True).fill(ACME_ACCOUNT["address_unit"])
    form.get_by_label("City", exact=True).fill(ACME_ACCOUNT["address_city"])
    form.get_by_label("State / region").fill(ACME_ACCOUNT["address_state"])
    form.get_by_label("Postal code").fill(ACME_ACCOUNT["address_postal_code"])
    form.get_by_label("Current Carrier/Provider").fill(ACME_ACCOUNT["current_carrier"])
    form.get_by_label("Billing Telephone Number (BTN)").fill(ACME_ACCOUNT["btn"])
    form.get_by_label("Account number").fill(ACME_ACCOUNT["account_number"])
    form.get_by_label("Authorized person's name").fill(ACME_ACCOUNT["authorized_name"])
    form.get_by_label("Authorized person's title").fill(ACME_ACCOUNT["authorized_title"])

    # The pop-up: the numbers, two of them wrong, checked when Save posts the whole form.
    form.get_by_role("button", name="Click to add the numbers to port").click()
    popup = page.get_by_role("dialog", name="Port Numbers From Another Carrier")
    expect(popup).to_be_visible()
    popup.get_by_label("Port Numbers").fill("\n".join([*GOOD, DISCONNECTED, "garbage"]))
    screenshot(page, "port-numbers-popup")
    popup.get_by_role("button", name="Save").click()

    errors = form.locator(".port-errors")
    expect(errors.get_by_text("Errors", exact=True)).to_be_visible()
    expect(errors).to_contain_text(
        "2 of 6 numbers have errors: Not a phone number (1); Not portable (1)."
    )
    expect(form.locator(".carrier-list")).to_contain_text(
        "Lakeshore Telephone Co. (SPID 4680): 4 numbers"
    )
    expect(
        form.get_by_role("button", name="6 numbers to port: click to change them")
    ).to_be_visible()
    # What was typed before Save is still there.
    expect(form.get_by_label("Street", exact=True)).to_have_value("Broadway")
    assert not Order.objects.filter(kind="port").exists()
    screenshot(page, "port-numbers-errors")

    form.get_by_role("link", name="Review Numbers").click()
    review = page.get_by_role("dialog")
    expect(review.get_by_role("heading", name="Review Numbers")).to_be_visible()
    rows = review.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(review.get_by_role("row", name=re.compile(re.escape(DISCONNECTED)))).to_contain_text(
        "number disconnected"
    )
    expect(review.get_by_role("row", name=re.compile("garbage"))).to_contain_text(
        "Cannot be read as a phone number"
    )
    # Review Numbers opened in the page, not in the new tab its link names for no JavaScript.
    assert len(page.context.pages) == 1
    screenshot(page, "port-review-numbers")

    with page.expect_download() as download_info:
        review.get_by_role("link", name="Download as .txt").click()
    download = download_info.value
    assert download.suggested_filename == "port-numbers-with-errors.txt"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"{DISCONNECTED}\t") and "number disconnected" in lines[0]
    assert lines[1].startswith("garbage\t")

    review.get_by_role("button", name="Remove numbers with errors").click()
    expect(page.get_by_text("Removed 2 numbers with errors; the other 4 remain.")).to_be_visible()
    expect(form.get_by_text("All 4 numbers can be ported.")).to_be_visible()
    expect(
        form.get_by_role("button", name="4 numbers to port: click to change them")
    ).to_be_visible()

    requested = form.get_by_label("Requested Port Date/Time")
    requested.select_option(index=1)
    expect(requested).not_to_have_value("")
    form.get_by_role("button", name="Submit Order").click()

    expect(page.get_by_text(re.compile(r"Order PO-[2-9A-Z]{6} was submitted"))).to_be_visible()
    order = Order.objects.get(kind="port")
    expect(page).to_have_url(re.compile(rf"/{order.public_id}/"))
    main = page.get_by_role("main")
    expect(main.get_by_text("Pending Documents").first).to_be_visible()
    batch = f"{order.reference}-1"
    batch_row = main.get_by_role("row", name=re.compile(rf"^{re.escape(batch)} "))
    expect(batch_row).to_contain_text(ACME_ACCOUNT["current_carrier"])
    expect(batch_row.get_by_role("cell").nth(2)).to_have_text("4")
    screenshot(page, "port-order")

    assert order.status == Order.Status.PENDING_DOCUMENTS
    assert PortBatch.objects.get().reference == batch
    assert sorted(order.port.port_list.numbers.values_list("e164", flat=True)) == GOOD


def test_a_draft_is_saved_and_resumed_from_view_orders(page, admin_user, signed_in):
    package = new_package(admin_user, name="Denver Bundle").trunk_order.trunk.package
    signed_in(page, admin_user, f"/porting/add/?package={package.public_id}&kind=us_domestic")
    form = page.get_by_role("main")
    form.get_by_label("House number").fill(ACME_ACCOUNT["address_number"])
    form.get_by_label("Street", exact=True).fill(ACME_ACCOUNT["address_street"])
    form.get_by_role("button", name="Click to add the numbers to port").click()
    popup = page.get_by_role("dialog", name="Port Numbers From Another Carrier")
    popup.get_by_label("Port Numbers").fill("\n".join(GOOD))
    popup.get_by_role("button", name="Save").click()
    form.get_by_role("button", name="Save Draft").click()
    expect(page.get_by_text(re.compile(r"Draft PO-[2-9A-Z]{6} saved"))).to_be_visible()
    order = Order.objects.get(kind="port")
    assert order.status == "draft"

    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="View Orders").click()
    page.get_by_role("link", name="Port Orders").click()
    row = page.get_by_role("row", name=re.compile(order.reference))
    expect(row).to_contain_text("Draft")
    row.get_by_role("link", name=order.reference).click()
    page.get_by_role("link", name="Resume draft").click()
    expect(page.get_by_text(f"You are editing draft {order.reference}")).to_be_visible()
    expect(form.get_by_label("Street", exact=True)).to_have_value(ACME_ACCOUNT["address_street"])
    expect(
        form.get_by_role("button", name="4 numbers to port: click to change them")
    ).to_be_visible()
