"""The portal's shared behaviour in a browser: menus, focus after a redirect, wide tables, icons,
and the warning before leaving a form with unsaved changes."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_escape_closes_the_my_account_menu(page, general_user, signed_in):
    signed_in(page, general_user)
    menu_button = page.locator("summary", has_text="My Account")
    account_menu = page.get_by_role("navigation", name="My Account")

    menu_button.click()
    expect(account_menu).to_be_visible()
    page.keyboard.press("Tab")  # into the menu
    page.keyboard.press("Escape")
    expect(account_menu).to_be_hidden()
    expect(menu_button).to_be_focused()

    menu_button.click()
    expect(account_menu).to_be_visible()
    page.get_by_role("heading", level=1).click()  # anywhere else
    expect(account_menu).to_be_hidden()


def test_escape_closes_the_columns_menu(page, admin_user, signed_in):
    signed_in(page, admin_user, "/users/")
    columns = page.locator("summary", has_text="Columns")
    columns.click()
    expect(page.get_by_role("group", name="Columns to show")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.get_by_role("group", name="Columns to show")).to_be_hidden()
    expect(columns).to_be_focused()


def test_the_message_after_an_invitation_takes_the_focus(
    page, admin_user, signed_in, settings, live_server
):
    settings.SITE_URL = live_server.url
    signed_in(page, admin_user, "/users/")
    page.get_by_role("link", name=re.compile("^invite user$", re.IGNORECASE)).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Email address").fill("dana@acme.test")
    dialog.get_by_label("Name").fill("Dana Newcomer")
    dialog.get_by_label("Role").select_option(label="General User")
    dialog.get_by_role("button", name="Send invitation").click()

    message = page.get_by_role("status")
    expect(message).to_contain_text("An invitation was sent to dana@acme.test.")
    expect(message).to_be_focused()


def test_the_users_table_scrolls_sideways_on_a_tablet(page, admin_user, signed_in, screenshot):
    page.set_viewport_size({"width": 700, "height": 800})
    signed_in(page, admin_user, "/users/")
    table = page.locator("#table-users .table-wrap")
    expect(table).to_have_class(re.compile(r"table-wrap--wide"))
    expect(table).to_have_attribute("aria-label", "Table, scrolls sideways")
    # The page itself does not scroll sideways: only the table does, inside its block.
    assert page.evaluate("document.documentElement.scrollWidth") <= 700
    hint = table.evaluate("el => getComputedStyle(el, '::before').content")
    assert "Scroll sideways" in hint
    screenshot(page, "users-700")

    # The table scrolls by keyboard too, to the row's actions.
    actions = table.get_by_role("columnheader", name="Actions")
    expect(actions).not_to_be_in_viewport()
    table.focus()
    for _ in range(20):
        page.keyboard.press("ArrowRight")
    expect(actions).to_be_in_viewport()
    screenshot(page, "users-700-scrolled")


def test_the_menu_shows_icons(page, admin_user, signed_in, screenshot):
    signed_in(page, admin_user)
    screenshot(page, "menu-icons")
    menu = page.get_by_role("navigation", name="Main menu")
    users = menu.get_by_role("link", name="User Management")
    expect(users).to_have_accessible_name("User Management")
    icon = users.locator("svg.icon use")
    assert icon.get_attribute("href").endswith("/icons.svg#users")
    box = users.locator("svg.icon").bounding_box()
    assert box["width"] == box["height"] > 0
    # The symbol was found: the <use> has a drawing of its own size.
    assert page.evaluate("el => el.getBBox().width", icon.element_handle()) > 0


def test_it_warns_before_leaving_unsaved_changes(page, admin_user, signed_in):
    signed_in(page, admin_user, "/enterprise-settings/")
    warnings = []

    def answer(dialog):
        warnings.append(dialog.type)
        dialog.dismiss()  # stay on the page

    page.on("dialog", answer)
    menu = page.get_by_role("navigation", name="Main menu")
    adr = page.get_by_role("region", name="Application Data Record File Delivery")

    adr.get_by_role("checkbox").check()
    menu.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Enterprise Settings", level=1)).to_be_visible()
    assert warnings == ["beforeunload"]

    # Undoing the change, or saving it, leaves without a warning.
    adr.get_by_role("checkbox").uncheck()
    menu.get_by_role("link", name="Audit Log").click()
    expect(page.get_by_role("heading", name="Audit Log", level=1)).to_be_visible()
    page.go_back()
    page.get_by_role("region", name="Application Data Record File Delivery").get_by_role(
        "checkbox"
    ).check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert warnings == ["beforeunload"]
