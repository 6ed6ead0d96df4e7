"""Move to Another Package in a browser, as the guide tells it: check the numbers, Select an
Action, pick the target package, GO, Show Affected Numbers, OK."""

import pytest
from playwright.sync_api import expect

from phone_numbers.models import PhoneNumber
from phone_numbers.tests.inventory_factories import add_numbers, package_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_move_checked_numbers_to_another_package(page, admin_user, signed_in, screenshot):
    denver = package_of(admin_user, "Denver Usage")
    package_of(admin_user, "Chicago Usage")
    add_numbers(denver, ["+13035550100", "+13035550101", "+13035550102"])
    signed_in(page, admin_user, "/inventory/us-domestic/")
    main = page.get_by_role("main")

    screenshot(page, "inventory-us-domestic")
    main.get_by_label("Select (303) 555-0100").check()
    main.get_by_label("Select (303) 555-0102").check()
    main.get_by_label("Select an Action").select_option(label="Move to Another Package")
    main.get_by_role("button", name="Go").click()

    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Move to Another Package")).to_be_visible()
    dialog.get_by_label("Target package").select_option(label="Chicago Usage")
    dialog.get_by_role("button", name="Go").click()

    expect(dialog.get_by_role("heading", name="Move 2 numbers to Chicago Usage?")).to_be_visible()
    dialog.get_by_role("link", name="Show Affected Numbers").click()
    affected = dialog.locator("#affected-numbers li")
    expect(affected).to_have_count(2)
    expect(affected.first).to_contain_text("(303) 555-0100")
    expect(affected.last).to_contain_text("(303) 555-0102")
    screenshot(page, "move-numbers-confirm")
    assert PhoneNumber.objects.filter(package__name="Chicago Usage").count() == 0
    dialog.get_by_role("button", name="OK").click()

    expect(page.get_by_text("Moved 2 numbers to Chicago Usage.")).to_be_visible()
    rows = page.get_by_role("main").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Chicago Usage")
    expect(rows.nth(1)).to_contain_text("Denver Usage")
    expect(rows.nth(2)).to_contain_text("Chicago Usage")
    moved = PhoneNumber.objects.filter(package__name="Chicago Usage").values_list("e164", flat=True)
    assert sorted(moved) == ["+13035550100", "+13035550102"]


def test_move_all_matching_numbers_of_a_filter(page, admin_user, signed_in):
    denver = package_of(admin_user, "Denver Usage")
    package_of(admin_user, "Chicago Usage")
    add_numbers(denver, [f"+1303555{n:04d}" for n in range(55)] + ["+17205550100"])
    signed_in(page, admin_user, "/inventory/us-domestic/?prefix=303")
    main = page.get_by_role("main")

    main.get_by_label("Select all numbers matching this filter, on every page").check()
    main.get_by_label("Select an Action").select_option(label="Move to Another Package")
    main.get_by_role("button", name="Go").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Target package").select_option(label="Chicago Usage")
    dialog.get_by_role("button", name="Go").click()
    expect(dialog.get_by_role("heading", name="Move 55 numbers to Chicago Usage?")).to_be_visible()
    dialog.get_by_role("button", name="OK").click()

    expect(page.get_by_text("Moved 55 numbers to Chicago Usage.")).to_be_visible()
    assert PhoneNumber.objects.filter(package__name="Chicago Usage").count() == 55
    assert PhoneNumber.objects.get(e164="+17205550100").package == denver


def test_select_all_on_this_page_checks_every_box(page, admin_user, signed_in):
    add_numbers(package_of(admin_user, "Denver Usage"), ["+13035550100", "+13035550101"])
    signed_in(page, admin_user, "/inventory/us-domestic/")
    main = page.get_by_role("main")
    main.get_by_label("Select all on this page").check()
    expect(main.get_by_label("Select (303) 555-0100")).to_be_checked()
    expect(main.get_by_label("Select (303) 555-0101")).to_be_checked()
    main.get_by_label("Select all on this page").uncheck()
    expect(main.get_by_label("Select (303) 555-0101")).not_to_be_checked()
