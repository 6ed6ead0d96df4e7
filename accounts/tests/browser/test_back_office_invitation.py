import re

import pytest
from playwright.sync_api import expect

from accounts.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_invite_a_user_and_the_customer_sees_carrier_staff(
    page, staff_user, admin_user, signed_in, new_context, screenshot
):
    # The back office's pages name no icon, so the browser asks for /favicon.ico.
    page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    signed_in(page, staff_user, "/admin/accounts/invitation/add/")
    expect(page.get_by_role("heading", name="Invite a user")).to_be_visible()
    expect(page.get_by_text("Token hash")).to_have_count(0)
    page.get_by_label("Enterprise").select_option(label=str(admin_user.enterprise))
    page.get_by_label("Email address").fill("nina@acme.test")
    page.get_by_label("Role").select_option(label="General User")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_text("An invitation was sent to nina@acme.test.")).to_be_visible()
    screenshot(page, "back-office-invitation")
    invitation = Invitation.objects.get()
    assert invitation.invited_by == staff_user

    # The same address again is refused next to the field, not an error page.
    page.goto("/admin/accounts/invitation/add/")
    page.get_by_label("Enterprise").select_option(label=str(admin_user.enterprise))
    page.get_by_label("Email address").fill("nina@acme.test")
    page.get_by_label("Role").select_option(label="General User")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("This email address already has a pending invitation.")).to_be_visible()

    customer = new_context().new_page()
    signed_in(customer, admin_user, "/users/")
    row = customer.get_by_role("row", name=re.compile("nina@acme.test"))
    expect(row.get_by_role("cell", name="Carrier staff")).to_be_visible()
