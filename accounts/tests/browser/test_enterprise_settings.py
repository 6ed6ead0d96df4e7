import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_enables_adr_file_delivery(page, admin_user, signed_in, screenshot):
    signed_in(page, admin_user)

    page.locator("summary", has_text="My Account").click()
    account_menu = page.get_by_role("navigation", name="My Account")
    account_menu.get_by_role("link", name="Enterprise Settings").click()

    expect(page.get_by_role("heading", name="Enterprise Settings", level=1)).to_be_visible()
    adr = page.get_by_role("region", name="Application Data Record File Delivery")
    expect(adr.get_by_text("Disabled", exact=True)).to_be_visible()
    adr.get_by_role("checkbox").check()
    page.get_by_role("button", name="Save settings").click()

    expect(page.get_by_text("Enterprise Settings were saved.")).to_be_visible()
    expect(adr.get_by_text("Enabled", exact=True)).to_be_visible()
    expect(adr.get_by_role("checkbox")).to_be_checked()
    expect(adr).to_contain_text(
        re.compile(r"Enabled by alice@acme\.test on \d{4}-\d{2}-\d{2} \d{2}:\d{2} \w+\.")
    )
    screenshot(page, "enterprise-settings")
    enterprise = admin_user.enterprise
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is True
    assert enterprise.adr_delivery_changed_by == admin_user
    assert enterprise.adr_delivery_changed_at is not None


def test_it_is_not_offered_to_a_general_user(page, general_user, signed_in):
    signed_in(page, general_user)

    page.locator("summary", has_text="My Account").click()

    account_menu = page.get_by_role("navigation", name="My Account")
    expect(account_menu.get_by_role("link", name="My Account")).to_be_visible()
    expect(page.get_by_role("link", name="Enterprise Settings")).to_have_count(0)


def test_a_flipped_switch_says_it_is_not_saved_yet(page, admin_user, signed_in):
    signed_in(page, admin_user, "/enterprise-settings/")
    mfa = page.get_by_role("region", name="Multi-factor authentication")
    expect(mfa.get_by_text("Not required", exact=True)).to_be_visible()

    mfa.get_by_role("checkbox").check()
    expect(
        mfa.get_by_text("Required for all users when you save (now Not required)")
    ).to_be_visible()
    mfa.get_by_role("checkbox").uncheck()
    expect(mfa.get_by_text("Not required", exact=True)).to_be_visible()


def test_requiring_mfa_asks_first_then_opens_the_setup(page, admin_user, password):
    # Signed in through the form, as the admin would be: the setup then needs no password again.
    page.goto("/enterprise-settings/")
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.get_by_role("region", name="Multi-factor authentication").get_by_role("checkbox").check()
    page.get_by_role("button", name="Save settings").click()

    expect(
        page.get_by_text("You will be asked to set up an authenticator app right away")
    ).to_be_visible()
    admin_user.enterprise.refresh_from_db()
    assert admin_user.enterprise.require_mfa is False
    page.get_by_role("button", name="Require MFA and set up my app").click()

    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_label("Authenticator code")).to_be_visible()
    admin_user.enterprise.refresh_from_db()
    assert admin_user.enterprise.require_mfa is True
