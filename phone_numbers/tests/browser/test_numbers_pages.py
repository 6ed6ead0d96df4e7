"""The numbers pages on a laptop (1366 px) and a phone (390 px): nothing scrolls sideways, the
tables turn into labelled cards, the controls keep their labels beside them, and the US
Domestic tab takes a bulk file as the guide says."""

import pytest
from django.utils.http import urlencode
from playwright.sync_api import expect

from phone_numbers.models import E911Address, Kind
from phone_numbers.tests.inventory_factories import add_numbers, package_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]


@pytest.fixture
def numbers(admin_user):
    denver = package_of(admin_user, "Denver Usage")
    package_of(admin_user, "Chicago Usage")
    address = E911Address.objects.create(
        enterprise=admin_user.enterprise,
        label="Denver office",
        street="1801 CALIFORNIA ST",
        unit="STE 2400",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    local = add_numbers(
        denver,
        [f"+1303555{n:04d}" for n in range(12)],
        cnam="ACME SALES",
        e911_address=address,
    )
    add_numbers(denver, ["+18885550100"], kind=Kind.TOLL_FREE)
    return {"package": denver, "number": local[0]}


def pages(numbers):
    package, number = numbers["package"], numbers["number"]
    selection = urlencode({"kind": "us_domestic", "number": number.public_id, "action": "move"})
    return {
        "dashboard": "/",
        "package": f"/packages/{package.public_id}/",
        "us-domestic": "/inventory/us-domestic/",
        "toll-free": "/inventory/toll-free/",
        "number": f"/numbers/{number.public_id}/",
        "add": f"/numbers/add/?package={package.public_id}&kind=us_domestic",
        "bulk": "/numbers/bulk/",
        "manage": f"/numbers/manage/?{selection}",
        "affected": f"/numbers/manage/affected/?{selection}",
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_no_numbers_page_scrolls_sideways(page, admin_user, numbers, signed_in, screenshot, width):
    page.set_viewport_size({"width": width, "height": 800})
    signed_in(page, admin_user)
    for name, path in pages(numbers).items():
        page.goto(path)
        screenshot(page, f"numbers-{name}-{width}")
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= width, f"{path} is {scroll_width} px wide at {width} px"


def test_the_bulk_file_columns_are_labelled_cards_on_a_phone(page, admin_user, signed_in):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, admin_user, "/numbers/bulk/")
    row = page.locator("#bulk-columns tbody tr").filter(has_text="forward_to")
    cell = row.get_by_role("cell").filter(has_text="Remote Call Forward")
    assert cell.evaluate("el => getComputedStyle(el, '::before').content") == '"What it holds"'
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390


def test_each_check_box_stays_beside_its_words_on_a_phone(page, admin_user, numbers, signed_in):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, admin_user, "/inventory/us-domestic/")
    label = page.locator("label").filter(has_text="Select all 12 matching numbers")
    box = label.get_by_role("checkbox").bounding_box()
    words = label.bounding_box()
    # Beside the words, not on a line of its own above them.
    assert box["x"] < words["x"] + 30
    assert words["height"] < 3 * box["height"] + 30
    assert box["y"] > words["y"]


def test_the_number_page_action_menu_looks_like_the_tabs(page, admin_user, numbers, signed_in):
    signed_in(page, admin_user, "/inventory/us-domestic/")
    on_the_tab = page.get_by_label("Select an Action").bounding_box()
    page.goto(f"/numbers/{numbers['number'].public_id}/")
    menu = page.get_by_label("Select an Action")
    # The portal's select, not the browser's small bare one.
    assert menu.bounding_box()["height"] == on_the_tab["height"]
    assert menu.evaluate("el => getComputedStyle(el).borderTopLeftRadius") == "6px"
    expect(page.get_by_role("button", name="GO")).to_be_visible()


def test_a_bulk_file_dropped_on_the_us_domestic_tab_is_previewed(
    page, admin_user, numbers, signed_in, screenshot
):
    signed_in(page, admin_user, "/inventory/us-domestic/")
    bulk = page.get_by_role("region", name="Bulk upload")
    expect(bulk.get_by_role("link", name="Managing Bulk Actions")).to_be_visible()
    bulk.get_by_label("File of numbers and actions").set_input_files(
        files=[
            {
                "name": "numbers.csv",
                "mimeType": "text/csv",
                "buffer": b"number,action,cnam\n+13035550001,cnam,NEW NAME\n+19995550000,cnam,X\n",
            }
        ]
    )
    screenshot(page, "numbers-us-domestic-bulk-file")
    bulk.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview: numbers.csv")).to_be_visible()
    expect(page.locator("#bulk-summary")).to_contain_text("1 OK")
    expect(page.locator("#bulk-summary")).to_contain_text("1 with errors")
    expect(
        page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inventory")
    ).to_have_attribute("aria-current", "page")


def test_a_number_stays_on_one_line_in_the_table(page, admin_user, numbers, signed_in):
    page.set_viewport_size({"width": 1366, "height": 800})
    signed_in(page, admin_user, "/inventory/us-domestic/")
    link = page.get_by_role("main").get_by_role("link", name="(303) 555-0000", exact=True)
    line_height = float(link.evaluate("el => parseFloat(getComputedStyle(el).lineHeight)"))
    assert link.bounding_box()["height"] < 1.5 * line_height


def test_my_numbers_buttons_share_a_line_on_a_phone(page, admin_user, numbers, signed_in):
    page.set_viewport_size({"width": 390, "height": 800})
    signed_in(page, admin_user)
    local = page.get_by_role("region", name="Local Numbers")
    add = local.get_by_role("link", name="+Add Local Numbers", exact=True).bounding_box()
    manage = local.get_by_role("link", name="Manage Local Numbers").bounding_box()
    assert add["y"] == manage["y"]
    heading = local.get_by_role("heading", name="Local Numbers").bounding_box()
    # The title keeps its line: "Local Numbers", not "Local" over "Numbers".
    assert heading["height"] < 2 * add["height"]
