import re

import pytest
from playwright.sync_api import expect

from accounts import actions
from audit.models import AuditEvent
from tests.totp import enable_totp, totp_code, wrong_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_asks_for_the_authenticator_code(page, admin_user, password, screenshot):
    secret, _recovery_codes = enable_totp(admin_user)

    page.goto("/")
    page.get_by_label("Email").fill("alice@acme.test")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_role("heading", name="Multi-factor authentication (MFA)")).to_be_visible()
    screenshot(page, "mfa-code")
    page.get_by_label("Code").fill(wrong_code(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page.get_by_text("Incorrect code.")).to_be_visible()
    expect(page.get_by_role("heading", name="My Applications")).not_to_be_visible()
    assert not AuditEvent.objects.filter(action=actions.SIGN_IN).exists()
    screenshot(page, "mfa-wrong-code")

    page.get_by_label("Code").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My Applications")).to_be_visible()
    assert AuditEvent.objects.filter(actor=admin_user, action=actions.SIGN_IN).exists()
