"""What every page shares, in a browser: a form's error summary, long names, tables on a phone,
and the mobile menu."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DANGER = "rgb(179, 38, 30)"
LONG_NAME = "Bob" + "Z" * 77


def test_the_error_summary_takes_the_focus_and_leads_to_the_field(
    page, general_user, signed_in, screenshot
):
    signed_in(page, general_user, "/my-account/")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Save").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please correct 1 field")
    expect(summary).to_be_focused()
    name = page.get_by_role("textbox", name="Name")
    # The text input with the error is outlined, not only its message red.
    assert name.evaluate("el => getComputedStyle(el).borderTopColor") == DANGER
    screenshot(page, "error-summary-1366")

    summary.get_by_role("link", name="Enter your name.").click()
    expect(name).to_be_focused()
    # Optional fields say so; the required one does not.
    expect(page.locator("label[for=id_phone]")).to_have_text("Phone (optional)")
    expect(page.locator("label[for=id_name]")).to_have_text("Name")


def test_a_long_name_leaves_every_column_in_view(page, admin_user, enterprise, signed_in):
    UserFactory(enterprise=enterprise, name=LONG_NAME, email="bob@acme.test")
    page.set_viewport_size({"width": 1366, "height": 800})
    signed_in(page, admin_user, "/users/")
    table = page.locator("#table-users")
    expect(table.get_by_text(LONG_NAME)).to_be_visible()
    expect(table.locator(".table-wrap")).not_to_have_class(re.compile("table-wrap--wide"))
    row = table.get_by_role("row").filter(has_text="bob@acme.test")
    expect(row.get_by_role("cell").filter(has_text="Active")).to_be_in_viewport()
    expect(row.get_by_role("link", name="Edit")).to_be_in_viewport()


def test_a_table_shows_its_rows_as_cards_on_a_phone(
    page, admin_user, enterprise, signed_in, screenshot
):
    UserFactory(enterprise=enterprise, name=LONG_NAME, email="bob@acme.test")
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, admin_user, "/users/")
    screenshot(page, "users-cards-390")
    # Nothing scrolls sideways: neither the page nor the table.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator("#table-users .table-wrap")
    expect(wrap).not_to_have_class(re.compile("table-wrap--wide"))

    card = page.locator("#table-users tbody tr").filter(has_text="bob@acme.test")
    email = card.get_by_role("cell").filter(has_text="bob@acme.test")
    assert email.evaluate("el => getComputedStyle(el, '::before').content") == '"Email"'
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    # Every cell is in the card, the row's actions too.
    card.get_by_role("link", name="Edit").scroll_into_view_if_needed()
    expect(card.get_by_role("link", name="Edit")).to_be_in_viewport()
    expect(card.get_by_text("Active")).to_be_in_viewport()
    # Sorting stays at hand, above the cards.
    expect(page.get_by_role("columnheader", name=re.compile("^Name"))).to_be_visible()


def test_escape_closes_the_mobile_menu(page, general_user, signed_in):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, general_user)
    menu_button = page.get_by_role("button", name="Menu")
    main_menu = page.get_by_role("navigation", name="Main menu")
    expect(main_menu).to_be_hidden()

    menu_button.click()
    expect(main_menu).to_be_visible()
    main_menu.get_by_role("link", name="Help & Support").focus()
    page.keyboard.press("Escape")
    expect(main_menu).to_be_hidden()
    expect(menu_button).to_be_focused()
    expect(menu_button).to_have_attribute("aria-expanded", "false")


def test_a_half_filled_trunk_order_asks_before_it_is_left(page, admin_user, signed_in):
    signed_in(page, admin_user, "/packages/bundle/new/")
    warnings = []

    def answer(dialog):
        warnings.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    page.get_by_label("Package Name").fill("Denver Bundle")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_label("Package Name")).to_have_value("Denver Bundle")
    assert warnings == ["beforeunload"]

    # Shown again with errors, it holds what was typed and was not saved: it asks too.
    page.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert warnings == ["beforeunload", "beforeunload"]
