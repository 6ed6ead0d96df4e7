"""Signing in and out with email and password, password reset, and who may use the portal."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import Enterprise, User
from audit.models import AuditEvent
from tests.factories import UserFactory, role
from tests.totp import totp_code, totp_secret

LOGIN_URL = reverse("account_login")


def sign_in(client, email, password, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


def signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


@pytest.mark.django_db
def test_it_shows_the_sign_in_page(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Sign In</h1>" in page
    assert 'name="login"' in page and 'type="email"' in page
    assert 'name="password"' in page
    assert "Forgot your password?" in page
    assert reverse("account_reset_password") in page
    # Nobody signs up: users are invited by their company's administrator.
    assert "sign up" not in page.lower()
    assert "/accounts/signup/" not in page
    assert "Remember Me" not in page


@pytest.mark.django_db
def test_it_has_no_sign_up(client):
    response = client.get(reverse("account_signup"))
    assert "Accounts are by invitation" in response.text
    passphrase = "a long enough passphrase"
    client.post(
        reverse("account_signup"),
        {"email": "new@acme.test", "password1": passphrase, "password2": passphrase},
    )
    assert not User.objects.filter(email="new@acme.test").exists()


def test_it_signs_in_with_email_and_password(client, general_user, password):
    before = timezone.now()
    response = sign_in(client, "bob@acme.test", password, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    assert signed_in_user_id(client) == str(general_user.pk)

    response = client.get(reverse("dashboard"))
    assert "Welcome, Bob" in response.text

    event = AuditEvent.objects.get(action=actions.SIGN_IN)
    assert event.actor == general_user
    assert event.actor_email == "bob@acme.test"
    assert event.enterprise == general_user.enterprise
    assert event.object_id == str(general_user.public_id)
    assert event.ip_address == "203.0.113.7"
    assert event.created_at >= before
    assert event.created_at.utcoffset().total_seconds() == 0


def test_it_accepts_the_email_in_any_case(client, general_user, password):
    sign_in(client, "  Bob@ACME.test ", password)
    assert signed_in_user_id(client) == str(general_user.pk)


def test_it_refuses_a_wrong_password(client, general_user):
    response = sign_in(
        client, "bob@acme.test", "not the password at all", REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in response.text
    assert signed_in_user_id(client) is None

    event = AuditEvent.objects.get(action=actions.SIGN_IN_FAILED)
    assert event.enterprise == general_user.enterprise
    assert event.actor is None  # whoever tried is not known to be Bob
    assert event.actor_email == "bob@acme.test"
    assert event.object_id == str(general_user.public_id)
    assert event.ip_address == "198.51.100.4"
    assert event.details["reason"] == "Wrong email or password"


def test_it_records_a_failed_sign_in_for_an_unknown_email_without_an_enterprise(
    client, general_user
):
    sign_in(client, "nobody@example.com", "not the password at all", REMOTE_ADDR="198.51.100.5")
    event = AuditEvent.objects.get(action=actions.SIGN_IN_FAILED)
    assert event.enterprise is None
    assert event.actor is None
    assert event.actor_email == "nobody@example.com"
    assert event.object_id == ""
    assert event.ip_address == "198.51.100.5"
    # It is not in any enterprise's log.
    assert not general_user.enterprise.audit_events.exists()


def test_it_signs_out(client, general_user, password):
    sign_in(client, "bob@acme.test", password)
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert signed_in_user_id(client) is None
    assert client.get(reverse("dashboard")).status_code == 302

    event = AuditEvent.objects.get(action=actions.SIGN_OUT)
    assert event.actor == general_user
    assert event.enterprise == general_user.enterprise


def test_the_sign_out_button_is_in_the_account_menu(general_client):
    page = general_client.get(reverse("dashboard")).text
    assert f'action="{reverse("account_logout")}"' in page
    assert "Sign Out" in page


def test_staff_go_to_the_back_office(client, staff_user, password):
    response = sign_in(client, "staff@carrier.test", password)
    # Staff sign in with an authenticator code too.
    assert response.url == reverse("mfa_authenticate")
    response = client.post(response.url, {"code": totp_code(totp_secret(staff_user))})
    assert response.url == "/admin/"
    event = AuditEvent.objects.get(action=actions.SIGN_IN)
    assert event.actor == staff_user
    assert event.enterprise is None


# Password reset


def _reset_link(message):
    match = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_it_emails_a_password_reset_link_from_the_worker(
    client, general_user, password, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "bob@acme.test"})
    assert response.status_code == 302
    assert mailoutbox == []  # queued for the worker, not sent by the web request
    assert run_jobs() == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["bob@acme.test"]
    assert message.subject.startswith("[Carrier Portal]")
    assert message.body.startswith("Hello from Carrier Portal!")

    response = client.get(_reset_link(message), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    new_password = "a brand new passphrase for bob"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_from_key_done")
    done = client.get(response.url)
    assert "Your password is changed" in done.text
    assert f'href="{reverse("account_login")}"' in done.text

    general_user.refresh_from_db()
    assert general_user.check_password(new_password)
    assert not general_user.check_password(password)
    assert AuditEvent.objects.filter(action=actions.PASSWORD_RESET, actor=general_user).exists()

    # Not signed in by the reset: Bob signs in with the new password.
    assert signed_in_user_id(client) is None
    sign_in(client, "bob@acme.test", new_password)
    assert signed_in_user_id(client) == str(general_user.pk)


def test_a_reset_link_works_once(
    client, general_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": "bob@acme.test"})
    run_jobs()
    link = _reset_link(mailoutbox[0])
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a brand new passphrase for bob"
    client.post(form_url, {"password1": new_password, "password2": new_password})

    response = client.get(link, follow=True)
    assert "The password reset link was invalid" in response.text


def test_a_reset_for_an_unknown_address_sends_no_link(
    client, general_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_reset_password"), {"email": "nobody@acme.test"})
    # The page says the same as for a known address, so addresses cannot be probed.
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    run_jobs()
    [message] = mailoutbox
    assert message.to == ["nobody@acme.test"]
    assert "/password/reset/key/" not in message.body
    assert "there is no Carrier Portal account with this address" in message.body
    assert "ask your company's administrator to invite you" in message.body
    assert "sign up" not in message.body.lower()


# Who may sign in to the portal


def test_a_user_without_portal_access_cannot_sign_in_and_is_told_why(
    client, general_user, password
):
    general_user.portal_access = False
    general_user.api_access = True
    general_user.save()

    response = sign_in(client, "bob@acme.test", password, follow=True)
    assert signed_in_user_id(client) is None
    assert response.request["PATH_INFO"] == LOGIN_URL
    assert "Your account does not have Portal access." in response.text
    assert "Ask your company&#x27;s administrator to grant it." in response.text

    event = AuditEvent.objects.get(action=actions.SIGN_IN_FAILED)
    assert event.enterprise == general_user.enterprise
    assert "Portal access" in event.details["reason"]
    assert not AuditEvent.objects.filter(action=actions.SIGN_IN).exists()


def test_a_user_without_portal_access_and_a_wrong_password_learns_nothing(client, general_user):
    general_user.portal_access = False
    general_user.save()
    response = sign_in(client, "bob@acme.test", "not the password at all")
    assert "not correct" in response.text
    assert "Portal access" not in response.text


def test_a_deactivated_user_sees_the_inactive_page(client, general_user, password):
    general_user.is_active = False
    general_user.save()

    response = sign_in(client, "bob@acme.test", password, follow=True)
    assert signed_in_user_id(client) is None
    assert response.request["PATH_INFO"] == reverse("account_inactive")
    assert "This account has been deactivated" in response.text
    event = AuditEvent.objects.get(action=actions.SIGN_IN_FAILED)
    assert event.details["reason"] == "Account deactivated"


def test_a_deactivated_user_with_a_wrong_password_learns_nothing(client, general_user):
    general_user.is_active = False
    general_user.save()
    response = sign_in(client, "bob@acme.test", "not the password at all")
    assert response.status_code == 200
    assert "not correct" in response.text


def test_a_user_of_a_suspended_enterprise_is_refused(client, general_user, password):
    Enterprise.objects.filter(pk=general_user.enterprise_id).update(
        status=Enterprise.Status.SUSPENDED
    )
    response = sign_in(client, "bob@acme.test", password, follow=True)
    assert signed_in_user_id(client) is None
    assert "The Acme Telecom account is Suspended. Contact your account manager." in response.text


def test_staff_need_no_enterprise_and_no_portal_access(client, staff_user, password):
    sign_in(client, "staff@carrier.test", password)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret(staff_user))})
    assert signed_in_user_id(client) == str(staff_user.pk)


# Sessions end at once


def _bob_signed_in(client, password):
    sign_in(client, "bob@acme.test", password)
    assert client.get(reverse("accounts:my_account")).status_code == 200


def _is_sent_to_sign_in(client):
    response = client.get(reverse("accounts:my_account"))
    return response.status_code == 302 and response.url.startswith(LOGIN_URL)


def test_removing_portal_access_ends_the_session(client, general_user, password):
    _bob_signed_in(client, password)
    general_user.portal_access = False
    general_user.save(update_fields=["portal_access"])
    assert _is_sent_to_sign_in(client)


def test_deactivating_ends_the_session(client, general_user, password):
    _bob_signed_in(client, password)
    general_user.is_active = False
    general_user.save(update_fields=["is_active"])
    assert _is_sent_to_sign_in(client)


def test_suspending_the_enterprise_ends_the_session(client, general_user, password):
    _bob_signed_in(client, password)
    Enterprise.objects.filter(pk=general_user.enterprise_id).update(
        status=Enterprise.Status.SUSPENDED
    )
    assert _is_sent_to_sign_in(client)


def test_changing_the_password_elsewhere_ends_other_sessions(client, general_user, password):
    _bob_signed_in(client, password)
    general_user.set_password("another long passphrase here")
    general_user.save()
    assert _is_sent_to_sign_in(client)


def test_reactivating_lets_the_user_sign_in_again(client, general_user, password):
    general_user.is_active = False
    general_user.save()
    sign_in(client, "bob@acme.test", password)
    assert signed_in_user_id(client) is None
    general_user.is_active = True
    general_user.save()
    sign_in(client, "bob@acme.test", password)
    assert signed_in_user_id(client) == str(general_user.pk)


# Rate limits


def test_it_limits_failed_sign_ins_for_an_address(client, general_user, password):
    for _ in range(5):
        response = sign_in(client, "bob@acme.test", "not the password at all")
        assert "not correct" in response.text
    # Now even the right password is refused for a while.
    response = sign_in(client, "bob@acme.test", password)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert signed_in_user_id(client) is None


def test_the_limit_is_per_address(client, general_user, password):
    UserFactory(
        email="carol@acme.test", enterprise=general_user.enterprise, role=role("general-user")
    )
    for _ in range(5):
        sign_in(client, "carol@acme.test", "not the password at all")
    sign_in(client, "bob@acme.test", password)
    assert signed_in_user_id(client) == str(general_user.pk)


def test_it_limits_failed_sign_ins_from_one_address(client, general_user, password):
    for number in range(10):
        sign_in(client, f"someone{number}@example.com", "not the password at all")
    response = sign_in(client, "bob@acme.test", password)
    assert response.status_code == 429
    assert signed_in_user_id(client) is None
