"""Multi-factor authentication (MFA): setting up an authenticator app, signing in with it,
recovery codes, and the enterprise's "Require MFA for all users" setting."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts import actions
from audit.models import AuditEvent
from tests.totp import (
    enable_totp,
    secret_on_page,
    sign_in_was_a_while_ago,
    totp_code,
    wrong_code,
)

LOGIN_URL = reverse("account_login")
ACTIVATE_URL = reverse("mfa_activate_totp")
AUTHENTICATE_URL = reverse("mfa_authenticate")


def sign_in(client, email, password, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def confirm_password(client, password):
    """Re-enter the password, as allauth asks before any change to the sign-in methods."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def authenticators(user, kind):
    return Authenticator.objects.filter(user=user, type=kind)


@pytest.fixture
def bob_with_totp(general_user):
    secret, codes = enable_totp(general_user)
    return general_user, secret, codes


# Setting up the authenticator app


def test_it_shows_a_qr_code_and_the_secret(client, general_user, password):
    sign_in(client, "bob@acme.test", password)
    confirm_password(client, password)
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 200
    page = response.text
    assert 'src="data:image/svg+xml;base64,' in page
    secret = secret_on_page(page)
    assert len(secret) == 32
    assert 'name="code"' in page


def test_it_activates_the_authenticator_app_with_a_code_from_it(
    client, general_user, password, django_capture_on_commit_callbacks
):
    sign_in(client, "bob@acme.test", password)
    confirm_password(client, password)
    secret = secret_on_page(client.get(ACTIVATE_URL).text)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ACTIVATE_URL, {"code": totp_code(secret)}, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")
    assert authenticators(general_user, Authenticator.Type.TOTP).count() == 1
    assert authenticators(general_user, Authenticator.Type.RECOVERY_CODES).count() == 1

    # The recovery codes are shown once set up.
    page = client.get(response.url).text
    codes = authenticators(general_user, Authenticator.Type.RECOVERY_CODES).get().wrap()
    for code in codes.get_unused_codes():
        assert code in page

    event = AuditEvent.objects.get(action=actions.MFA_ENABLED)
    assert event.actor == general_user
    assert event.enterprise == general_user.enterprise
    assert event.object_id == str(general_user.public_id)
    assert event.ip_address == "203.0.113.9"

    page = client.get(reverse("accounts:my_account")).text
    assert '<span class="badge badge--ok">On</span>' in page


def test_it_refuses_a_wrong_code_when_activating(client, general_user, password):
    sign_in(client, "bob@acme.test", password)
    confirm_password(client, password)
    secret = secret_on_page(client.get(ACTIVATE_URL).text)

    response = client.post(ACTIVATE_URL, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert not authenticators(general_user, Authenticator.Type.TOTP).exists()
    assert not AuditEvent.objects.filter(action=actions.MFA_ENABLED).exists()
    # The same secret is kept, so the user can try again with the app they just set up.
    assert secret_on_page(response.text) == secret


def test_setting_up_requires_the_password_again(client, general_user, password):
    # A while after signing in, allauth asks for the password before changing how one signs in.
    sign_in(client, "bob@acme.test", password)
    sign_in_was_a_while_ago(client)
    response = client.get(ACTIVATE_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))

    response = client.post(response.url, {"password": password}, follow=True)
    assert response.request["PATH_INFO"] == ACTIVATE_URL
    secret_on_page(response.text)


def test_it_deactivates_the_authenticator_app(client, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert signed_in_user_id(client) == str(user.pk)
    sign_in_was_a_while_ago(client)

    url = reverse("mfa_deactivate_totp")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": password})

    response = client.post(url)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action=actions.MFA_DISABLED)
    assert event.actor == user
    assert event.enterprise == user.enterprise


def test_it_regenerates_recovery_codes(
    client, bob_with_totp, password, django_capture_on_commit_callbacks
):
    user, secret, old_codes = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    sign_in_was_a_while_ago(client)

    url = reverse("mfa_generate_recovery_codes")
    response = client.get(url)
    assert response.url.startswith(reverse("account_reauthenticate"))
    client.post(response.url, {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("mfa_view_recovery_codes")

    new_codes = authenticators(user, Authenticator.Type.RECOVERY_CODES).get().wrap()
    assert set(new_codes.get_unused_codes()).isdisjoint(old_codes)
    event = AuditEvent.objects.get(action=actions.MFA_RECOVERY_CODES_RESET)
    assert event.actor == user
    assert event.enterprise == user.enterprise


# Signing in with the authenticator app


def test_it_asks_for_a_code_after_the_password(client, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    response = sign_in(client, "bob@acme.test", password)
    assert response.status_code == 302
    assert response.url == AUTHENTICATE_URL
    assert signed_in_user_id(client) is None
    assert client.get(reverse("dashboard")).status_code == 302

    page = client.get(AUTHENTICATE_URL).text
    assert "Multi-factor authentication (MFA)" in page
    assert 'autocomplete="one-time-code"' in page

    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert signed_in_user_id(client) == str(user.pk)
    assert AuditEvent.objects.filter(action=actions.SIGN_IN, actor=user).count() == 1


def test_it_refuses_a_wrong_code(client, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    sign_in(client, "bob@acme.test", password)

    response = client.post(
        AUTHENTICATE_URL, {"code": wrong_code(secret)}, REMOTE_ADDR="198.51.100.8"
    )
    assert response.status_code == 200
    assert "Incorrect code." in response.text
    assert signed_in_user_id(client) is None
    assert not AuditEvent.objects.filter(action=actions.SIGN_IN).exists()

    event = AuditEvent.objects.get(action=actions.SIGN_IN_FAILED)
    assert event.details["reason"] == "Wrong authenticator code"
    assert event.enterprise == user.enterprise
    assert event.ip_address == "198.51.100.8"

    # The right code still works afterwards.
    client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert signed_in_user_id(client) == str(user.pk)


def test_a_code_works_only_once(client, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    code = totp_code(secret)
    sign_in(client, "bob@acme.test", password)
    client.post(AUTHENTICATE_URL, {"code": code})
    client.post(reverse("account_logout"))

    sign_in(client, "bob@acme.test", password)
    response = client.post(AUTHENTICATE_URL, {"code": code})
    assert "Incorrect code." in response.text
    assert signed_in_user_id(client) is None


def test_a_recovery_code_works_once(client, bob_with_totp, password):
    user, _, codes = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    client.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert signed_in_user_id(client) == str(user.pk)
    client.post(reverse("account_logout"))

    sign_in(client, "bob@acme.test", password)
    response = client.post(AUTHENTICATE_URL, {"code": codes[0]})
    assert "Incorrect code." in response.text
    assert signed_in_user_id(client) is None
    client.post(AUTHENTICATE_URL, {"code": codes[1]})
    assert signed_in_user_id(client) == str(user.pk)


def test_the_code_step_cannot_be_skipped(client, bob_with_totp, password):
    sign_in(client, "bob@acme.test", password)
    for url in (reverse("dashboard"), reverse("accounts:my_account"), reverse("mfa_index")):
        response = client.get(url)
        assert response.status_code == 302
        assert signed_in_user_id(client) is None


def test_wrong_codes_are_rate_limited(client, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    for _ in range(5):
        client.post(AUTHENTICATE_URL, {"code": wrong_code(secret)})
    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert response.status_code == 429
    assert signed_in_user_id(client) is None


# Require MFA for all users


@pytest.fixture
def mfa_required(enterprise):
    enterprise.require_mfa = True
    enterprise.save(update_fields=["require_mfa"])
    return enterprise


def test_a_user_without_an_authenticator_app_is_sent_to_set_it_up(
    client, mfa_required, general_user, password
):
    response = sign_in(client, "bob@acme.test", password, follow=True)
    assert signed_in_user_id(client) == str(general_user.pk)
    # Having just signed in, the user is not asked for the password again.
    assert response.request["PATH_INFO"] == ACTIVATE_URL
    assert "Acme Telecom requires multi-factor authentication." in response.text

    for url in (
        reverse("dashboard"),
        reverse("accounts:my_account"),
        reverse("support:help"),
        reverse("account_email"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == ACTIVATE_URL

    secret = secret_on_page(client.get(ACTIVATE_URL).text)
    client.post(ACTIVATE_URL, {"code": totp_code(secret)})

    assert client.get(reverse("dashboard")).status_code == 200
    assert client.get(reverse("accounts:my_account")).status_code == 200


def test_the_user_can_still_sign_out(client, mfa_required, general_user, password):
    sign_in(client, "bob@acme.test", password)
    client.post(reverse("account_logout"))
    assert signed_in_user_id(client) is None


def test_a_user_with_an_authenticator_app_passes(client, mfa_required, bob_with_totp, password):
    user, secret, _ = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    response = client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    assert response.url == reverse("dashboard")
    assert client.get(reverse("dashboard")).status_code == 200


def test_an_existing_session_is_sent_to_set_it_up_when_it_becomes_required(
    general_client, enterprise
):
    assert general_client.get(reverse("dashboard")).status_code == 200
    enterprise.require_mfa = True
    enterprise.save(update_fields=["require_mfa"])
    response = general_client.get(reverse("dashboard"))
    assert response.url == ACTIVATE_URL


def test_the_authenticator_app_cannot_be_removed_while_required(
    client, mfa_required, bob_with_totp, password
):
    user, secret, _ = bob_with_totp
    sign_in(client, "bob@acme.test", password)
    client.post(AUTHENTICATE_URL, {"code": totp_code(secret)})
    url = reverse("mfa_deactivate_totp")

    response = client.post(url)
    assert response.status_code == 200
    assert "Your company requires multi-factor authentication" in response.text
    assert authenticators(user, Authenticator.Type.TOTP).exists()


def test_other_enterprises_are_not_affected(client, mfa_required, outsider, password):
    sign_in(client, "charlie@globex.test", password)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_mfa_page_uses_the_portals_name_for_it_and_offers_the_setup(client, general_user):
    client.force_login(general_user)
    response = client.get(reverse("mfa_index"))
    assert "Multi-factor authentication (MFA)" in response.text
    assert "Two-Factor" not in response.text
    assert reverse("mfa_activate_totp") in response.text


def test_the_mfa_page_shows_the_recovery_codes_left(client, general_user):
    enable_totp(general_user)
    client.force_login(general_user)
    response = client.get(reverse("mfa_index"))
    assert "recovery codes are left" in response.text
    assert reverse("mfa_deactivate_totp") in response.text
