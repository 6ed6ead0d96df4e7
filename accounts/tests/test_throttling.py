"""Sign-in attempts and authenticator codes refused by the rate limits: audited, answered 429."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts import actions
from audit.models import AuditEvent
from tests.totp import enable_totp, secret_on_page, totp_code, wrong_code

LOGIN_URL = reverse("account_login")
AUTHENTICATE_URL = reverse("mfa_authenticate")
ACTIVATE_URL = reverse("mfa_activate_totp")


def sign_in(client, email, password):
    return client.post(LOGIN_URL, {"login": email, "password": password}, REMOTE_ADDR="203.0.113.7")


def test_too_many_wrong_passwords_are_refused_with_429_and_audited(client, general_user, password):
    for _ in range(5):
        assert sign_in(client, "bob@acme.test", "not the password at all").status_code == 200
    assert not AuditEvent.objects.filter(action=actions.SIGN_IN_THROTTLED).exists()

    response = sign_in(client, "Bob@Acme.test", password)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert f'href="{LOGIN_URL}">Sign In</a>' in response.text
    assert SESSION_KEY not in client.session

    event = AuditEvent.objects.get(action=actions.SIGN_IN_THROTTLED)
    assert event.actor is None
    assert event.actor_email == "bob@acme.test"
    assert event.enterprise == general_user.enterprise
    assert event.object_id == str(general_user.public_id)
    assert event.ip_address == "203.0.113.7"
    assert event.details == {"email": "bob@acme.test", "step": "password"}


def test_an_unknown_address_is_audited_without_an_enterprise(client, db):
    for _ in range(6):
        response = sign_in(client, "nobody@example.com", "not the password at all")
    assert response.status_code == 429
    event = AuditEvent.objects.get(action=actions.SIGN_IN_THROTTLED)
    assert event.enterprise is None
    assert event.actor_email == "nobody@example.com"


def test_the_limit_on_the_sign_in_page_itself_is_audited(client, general_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}
    for _ in range(2):
        sign_in(client, "bob@acme.test", "not the password at all")
    response = sign_in(client, "bob@acme.test", "not the password at all")
    assert response.status_code == 429
    event = AuditEvent.objects.get(action=actions.SIGN_IN_THROTTLED)
    assert event.enterprise == general_user.enterprise
    assert event.details["step"] == "password"


def test_too_many_wrong_codes_at_sign_in_are_refused_with_429_and_audited(
    client, general_user, password
):
    secret, _ = enable_totp(general_user)
    sign_in(client, "bob@acme.test", password)
    for _ in range(5):
        assert client.post(AUTHENTICATE_URL, {"code": wrong_code(secret)}).status_code == 200

    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action=actions.SIGN_IN_THROTTLED)
    assert event.actor is None
    assert event.enterprise == general_user.enterprise
    assert event.details == {"email": "bob@acme.test", "step": "authenticator code"}


def test_too_many_wrong_codes_when_setting_up_are_refused_with_429_and_audited(
    client, general_user, password
):
    sign_in(client, "bob@acme.test", password)
    secret = secret_on_page(client.get(ACTIVATE_URL).text)
    for _ in range(5):
        assert client.post(ACTIVATE_URL, {"code": wrong_code(secret)}).status_code == 200

    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 429
    assert "Go to the Dashboard" in response.text
    event = AuditEvent.objects.get(action=actions.MFA_CODE_THROTTLED)
    assert event.actor == general_user
    assert event.enterprise == general_user.enterprise


@pytest.mark.parametrize("wrong", [1, 4])
def test_fewer_wrong_attempts_are_not_refused(client, general_user, password, wrong):
    for _ in range(wrong):
        sign_in(client, "bob@acme.test", "not the password at all")
    response = sign_in(client, "bob@acme.test", password)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action=actions.SIGN_IN_THROTTLED).exists()
