"""The seed guide's steps: Create New Package on each tile, Submit Order, Add Redundant Trunk,
staff complete the order in the back office, the trunk is Active in Inventory and View Orders."""

import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from orders.models import Order
from tests.totp import enable_totp
from trunks.models import Trunk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBMITTED = re.compile(r"Order TO-[2-9A-Z]{6} was submitted")


def fill_trunk_order(form, *, trunk_name, package_name=None, contact="me"):
    if package_name:
        form.get_by_label("Package Name").fill(package_name)
    form.get_by_label("Trunk Name").fill(trunk_name)
    form.get_by_label("Auto-fill from").select_option(value=contact)
    form.get_by_label("Contact phone").fill("303 555 0199")
    form.get_by_label("Street").fill("1801 California St")
    form.get_by_label("City").fill("Denver")
    form.get_by_label("State / province").fill("CO")
    form.get_by_label("ZIP / postal code").fill("80202")
    form.get_by_label("Switch vendor").fill("Ribbon")
    form.get_by_label("Switch model").fill("SBC 5400")
    form.get_by_label("Signaling addresses").fill("34.120.10.5:5060/UDP")
    form.get_by_label("Maximum concurrent calls").fill("23")
    form.get_by_label("G.729").check()


def open_tile(page, tile):
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name=tile).click()
    expect(page.get_by_role("heading", name=tile, level=1)).to_be_visible()


@pytest.mark.parametrize(
    ("tile", "package_name"),
    [("Bundle", "Denver Bundle"), ("Usage", "Chicago Usage"), ("Outbound Only", "Dialer")],
)
def test_create_new_package_on_each_tile(page, admin_user, signed_in, tile, package_name):
    signed_in(page, admin_user)
    open_tile(page, tile)
    page.get_by_role("link", name="Create New Package").click()

    form = page.get_by_role("main")
    fill_trunk_order(form, package_name=package_name, trunk_name=f"{package_name} SBC")
    # The auto-fill menu filled in the signed-in user.
    expect(form.get_by_label("Contact name")).to_have_value("Alice Admin")
    expect(form.get_by_label("Contact email")).to_have_value("alice@acme.test")
    form.get_by_role("button", name="Submit Order").click()

    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"^Trunk order TO-"))).to_be_visible()
    open_tile(page, tile)
    expect(page.get_by_role("link", name=package_name, exact=True)).to_be_visible()
    assert Order.objects.get().trunk_order.trunk.package.name == package_name


def test_an_invalid_address_is_refused_at_the_field(page, admin_user, signed_in):
    signed_in(page, admin_user, "/packages/bundle/new/")
    form = page.get_by_role("main")
    fill_trunk_order(form, package_name="Denver Bundle", trunk_name="Denver SBC 1")
    form.get_by_label("Signaling addresses").fill("192.168.10.2:5060/UDP")
    form.get_by_role("button", name="Submit Order").click()

    expect(
        form.locator(".field__errors").get_by_text(
            "Line 1, “192.168.10.2:5060/UDP”: 192.168.10.2 is a private address"
        )
    ).to_be_visible()
    assert not Order.objects.exists()


def test_staff_complete_the_order_and_the_trunk_is_active(
    page, new_context, admin_user, staff_user, signed_in, screenshot
):
    signed_in(page, admin_user)
    open_tile(page, "Bundle")
    page.get_by_role("link", name="Create New Package").click()
    fill_trunk_order(
        page.get_by_role("main"), package_name="Denver Bundle", trunk_name="Denver SBC 1"
    )
    screenshot(page, "trunk-order-form")
    page.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    order = Order.objects.get()

    # Carrier staff complete it in the back office.
    if not Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists():
        enable_totp(staff_user)
    staff = new_context().new_page()
    # The back office's pages name no icon, so the browser asks for /favicon.ico.
    staff.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    signed_in(staff, staff_user, f"/admin/orders/order/{order.pk}/change/")
    staff.get_by_role("link", name="Complete").click()
    staff.get_by_role("button", name="Complete").click()
    expect(staff.get_by_text(f"{order.reference} is now Completed.")).to_be_visible()

    # The customer sees the trunk Active in Inventory and the order Completed in View Orders.
    menu = page.get_by_role("navigation", name="Main menu")
    menu.get_by_role("link", name="Inventory").click()
    expect(page.get_by_role("link", name="Trunks")).to_have_attribute("aria-current", "page")
    row = page.get_by_role("row", name=re.compile("Denver SBC 1"))
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("34.120.10.5:5060/UDP")
    screenshot(page, "inventory-trunks")

    menu.get_by_role("link", name="View Orders").click()
    row = page.get_by_role("row", name=re.compile(order.reference))
    expect(row).to_contain_text("Completed")
    row.get_by_role("link", name=order.reference).click()
    expect(page.get_by_role("list").filter(has_text="by Carrier staff")).to_be_visible()
    screenshot(page, "order-detail")

    # The Bundle now offers its redundant trunk.
    open_tile(page, "Bundle")
    page.get_by_role("link", name="Add Redundant Trunk").click()
    fill_trunk_order(page.get_by_role("main"), trunk_name="Denver SBC 2")
    page.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    redundant = Trunk.objects.get(name="Denver SBC 2")
    assert (redundant.role, redundant.status) == (Trunk.Role.REDUNDANT, Trunk.Status.PENDING)
    open_tile(page, "Bundle")
    expect(page.get_by_role("link", name="Add Redundant Trunk")).to_have_count(0)
    page.get_by_role("link", name="Denver Bundle", exact=True).click()
    expect(page.get_by_role("heading", name="Trunks")).to_be_visible()
    screenshot(page, "package-detail")


def test_the_customer_cancels_a_submitted_order_in_a_pop_up(page, admin_user, signed_in):
    from trunks.tests.factories import new_package

    order = new_package(admin_user)
    signed_in(page, admin_user, f"/orders/{order.public_id}/")
    page.get_by_role("link", name="Cancel order").click()
    dialog = page.get_by_role("dialog", name=f"Cancel order {order.reference}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel the order").click()
    expect(page.get_by_text(f"Order {order.reference} was cancelled.")).to_be_visible()
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_a_routing_policy_is_made_in_the_routing_policy_manager(
    page, admin_user, staff_user, signed_in, screenshot
):
    from trunks.models import Package
    from trunks.tests.factories import active_trunk

    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    signed_in(page, admin_user)
    open_tile(page, "Usage")
    page.get_by_role("link", name="Routing Policy Manager").click()
    page.get_by_role("link", name="Create New Policy").click()

    form = page.get_by_role("main")
    form.get_by_label("Name").fill("Main")
    form.get_by_label("Package default").check()
    form.get_by_label("Fallback number").fill("+1 303 555 0100")
    form.get_by_label("Trunk, row 1").select_option(label=trunk.name)
    form.get_by_label("Weight, row 1").fill("0")
    form.get_by_role("button", name="Save policy").click()
    expect(form.get_by_text("Weight must be at least 1.")).to_be_visible()
    expect(form.get_by_label("Weight, row 1")).to_have_attribute("aria-invalid", "true")
    screenshot(page, "policy-form")

    form.get_by_label("Weight, row 1").fill("100")
    form.get_by_role("button", name="Save policy").click()

    expect(page.get_by_text("The routing policy Main was saved.")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("^Main"))
    expect(row).to_contain_text(trunk.name)
    expect(row).to_contain_text("(303) 555-0100")


def test_plus_add_create_new_trunk_and_manage_by_their_names(
    page, admin_user, staff_user, signed_in
):
    from trunks.models import Package
    from trunks.tests.factories import active_trunk, new_package, trunk_fields

    new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    usage = active_trunk(
        admin_user,
        staff_user,
        name="Chicago Usage",
        type=Package.Type.USAGE,
        trunk=trunk_fields("Chicago SBC 1"),
    )
    signed_in(page, admin_user)

    # Outbound Only: +Add on the package orders another outbound trunk.
    open_tile(page, "Outbound Only")
    page.get_by_role("link", name="+Add").click()
    fill_trunk_order(page.get_by_role("main"), trunk_name="Dialer SBC 2")
    page.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible()

    # Usage: Create New Trunk in the Routing Policy Manager.
    open_tile(page, "Usage")
    page.get_by_role("link", name="Routing Policy Manager").click()
    page.get_by_role("link", name="Create New Trunk").click()
    fill_trunk_order(page.get_by_role("main"), trunk_name="Chicago SBC 2")
    page.get_by_role("button", name="Submit Order").click()
    expect(page.get_by_text(SUBMITTED)).to_be_visible()
    assert set(Trunk.objects.filter(package__name="Dialer").values_list("name", flat=True)) == {
        "Denver SBC 1",
        "Dialer SBC 2",
    }
    assert Trunk.objects.filter(package=usage.package, name="Chicago SBC 2").exists()

    # Inventory: Manage opens the trunk's page with its change and disconnect requests.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Inventory").click()
    page.get_by_role("link", name=f"Manage {usage.name}").click()
    expect(page.get_by_role("heading", name=usage.name, level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Request a change")).to_be_visible()
    expect(page.get_by_role("link", name="Disconnect")).to_be_visible()
