"""The trunk forms in a browser: the SIP username follows the authentication chosen, and the
routing policy form adds rows in place."""

import pytest
from playwright.sync_api import expect

from trunks.models import Package, RoutingPolicy
from trunks.tests.factories import active_trunk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sip_username_shows_only_with_authentication_by_username(page, admin_user, signed_in):
    signed_in(page, admin_user, "/packages/bundle/new/")
    form = page.get_by_role("main")
    username = form.get_by_label("SIP username")

    expect(form.get_by_label("By IP address")).to_be_checked()
    expect(username).to_be_hidden()
    form.get_by_label("By username and password").check()
    expect(username).to_be_visible()
    username.fill("pbx-denver")
    form.get_by_label("By IP address").check()
    expect(username).to_be_hidden()


def test_add_row_adds_rows_in_place_and_they_are_saved(
    page, admin_user, staff_user, signed_in, screenshot
):
    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    signed_in(page, admin_user, f"/packages/{trunk.package.public_id}/routing/new/")
    form = page.get_by_role("main")
    form.get_by_label("Name").fill("Night")
    rows = form.locator("[data-routing-rows] tr")
    expect(rows).to_have_count(3)

    form.get_by_role("button", name="Add row").click()
    form.get_by_role("button", name="Add row").click()

    expect(rows).to_have_count(5)
    expect(form.get_by_label("Priority, row 5")).to_have_value("5")
    expect(form.get_by_label("Trunk, row 5")).to_be_focused()
    form.get_by_label("Trunk, row 5").select_option(label="Denver SBC 1")
    form.get_by_label("Weight, row 5").fill("0")
    form.get_by_role("button", name="Save policy").click()
    expect(form.get_by_text("Weight must be at least 1.")).to_be_visible()
    screenshot(page, "policy-form-rows")
    # The rows added in the browser came back from the server with the error.
    expect(rows).to_have_count(5)
    form.get_by_label("Weight, row 5").fill("100")
    form.get_by_role("button", name="Save policy").click()

    expect(page.get_by_text("The routing policy Night was saved.")).to_be_visible()
    policy = RoutingPolicy.objects.get()
    assert [(t.trunk_id, t.priority, t.weight) for t in policy.targets.all()] == [
        (trunk.pk, 5, 100)
    ]
