import re

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.totp import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mfa_required(enterprise):
    enterprise.require_mfa = True
    enterprise.save(update_fields=["require_mfa"])
    return enterprise


def sign_in(page, email, password):
    page.goto("/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()


def test_it_goes_straight_from_sign_in_to_the_setup_and_on_to_the_dashboard(
    page, mfa_required, general_user, password, screenshot
):
    sign_in(page, "bob@acme.test", password)

    # No "Confirm it's you": the password was given a moment ago.
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    expect(page.get_by_text("Acme Telecom requires multi-factor authentication.")).to_be_visible()
    screenshot(page, "require-mfa-setup")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    expect(page.get_by_role("heading", name="Recovery Codes", exact=True)).to_be_visible()
    assert Authenticator.objects.filter(user=general_user, type=Authenticator.Type.TOTP).exists()
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My Applications")).to_be_visible()


def test_it_can_sign_out_from_the_setup(page, mfa_required, general_user, password):
    sign_in(page, "bob@acme.test", password)
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))

    page.get_by_role("main").get_by_role("button", name="Sign Out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
