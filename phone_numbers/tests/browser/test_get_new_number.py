"""The guide's Ordering Numbers: on the dashboard, +Add under Local Numbers for a package opens
Add/Port Numbers with Order Type Get New Number; fill in the required fields, preview the
numbers, Submit Order, and find the order in View Orders > Number Orders."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from phone_numbers.models import PhoneNumber
from trunks.tests.factories import new_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMITTED = re.compile(r"Order NO-[2-9A-Z]{6} was submitted")


def test_get_new_number_from_the_dashboard(page, admin_user, signed_in, screenshot):
    new_package(admin_user, name="Denver Bundle")
    signed_in(page, admin_user)

    local = page.get_by_role("region", name="Local Numbers")
    local.get_by_role("link", name="+Add Local Numbers to Denver Bundle").click()
    expect(page.get_by_role("heading", name="Add/Port Numbers", level=1)).to_be_visible()
    form = page.get_by_role("main")
    expect(form.get_by_label("Order Type")).to_have_value("new")
    expect(form.get_by_label("Order Type").locator("option:checked")).to_have_text("Get New Number")
    expect(form.get_by_label("Package")).to_have_text(re.compile("Denver Bundle"))
    expect(form.get_by_label("Number type")).to_have_value("us_domestic")

    form.get_by_label("Quantity").fill("2")
    form.get_by_label("Street", exact=True).fill("1801 California St")
    form.get_by_label("City", exact=True).fill("Denver")
    form.get_by_label("State / province").fill("CO")
    form.get_by_label("ZIP / postal code").fill("80202")
    form.get_by_label("Area code").fill("303")
    form.get_by_label("Caller ID (CNAM)").fill("Acme Sales")

    form.get_by_role("button", name="Preview numbers").click()
    preview = page.get_by_role("region", name="Matching numbers")
    expect(preview.get_by_role("listitem")).to_have_count(2)
    expect(preview.get_by_role("listitem").first).to_contain_text("(303)")
    # The preview reserved nothing and the form kept what was typed.
    assert not PhoneNumber.objects.exists()
    expect(form.get_by_label("Quantity")).to_have_value("2")
    screenshot(page, "get-new-number")

    form.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    order = Order.objects.get(kind="numbers")
    assert PhoneNumber.objects.filter(order=order, status="pending").count() == 2

    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="View Orders").click()
    page.get_by_role("link", name="Number Orders").click()
    row = page.get_by_role("row", name=re.compile(order.reference))
    expect(row).to_contain_text("Submitted")
    screenshot(page, "number-orders")

    # The dashboard counts the pending numbers under Local Numbers.
    menu.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("region", name="Local Numbers")).to_contain_text("2 pending")
    screenshot(page, "dashboard-my-numbers")


def test_a_wrong_quantity_is_said_beside_the_field_and_preview_needs_no_javascript(
    browser, new_context, admin_user, signed_in
):
    new_package(admin_user, name="Denver Bundle")
    page = new_context(java_script_enabled=False).new_page()
    signed_in(page, admin_user, "/numbers/add/?kind=us_domestic")
    form = page.get_by_role("main")
    form.get_by_label("Package").select_option(label="Denver Bundle")
    form.get_by_label("Quantity").fill("101")
    form.get_by_role("button", name="Preview numbers").click()
    expect(page.get_by_text("Order at most 100 numbers at a time.")).to_be_visible()

    form.get_by_label("Quantity").fill("1")
    form.get_by_role("button", name="Preview numbers").click()
    expect(
        page.get_by_role("region", name="Matching numbers").get_by_role("listitem")
    ).to_have_count(1)
    assert not Order.objects.filter(kind="numbers").exists()
