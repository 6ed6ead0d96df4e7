"""Changing one's sign-in email: re-authentication, a verification e-mail, then the switch."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from accounts import actions
from audit.models import AuditEvent
from tests.totp import enable_totp, sign_in_was_a_while_ago, totp_code

EMAIL_URL = reverse("account_email")
REAUTH_URL = reverse("account_reauthenticate")
NEW_EMAIL = "robert@acme.test"


def sign_in(client, email, password):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def ask_for_change(client, email=NEW_EMAIL):
    return client.post(EMAIL_URL, {"email": email, "action_add": ""})


def _confirmation_link(message):
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def bob(client, general_user, password):
    sign_in(client, "bob@acme.test", password)
    sign_in_was_a_while_ago(client)
    return general_user


def test_it_shows_the_current_address(client, bob):
    response = client.get(EMAIL_URL)
    assert response.status_code == 200
    assert "<dt>Current email</dt>\n    <dd>bob@acme.test</dd>" in response.text
    assert 'name="action_add"' in response.text
    assert ' style="' not in response.text


def test_it_changes_the_email_after_reauthentication_and_verification(
    client, bob, password, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    response = ask_for_change(client)
    # A while after signing in, the password is asked again before the address changes.
    assert response.status_code == 302
    assert response.url.startswith(REAUTH_URL)
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()
    page = client.get(response.url).text
    assert "<h1>Confirm it's you</h1>" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(response.url, {"password": password})
    assert response.status_code == 302
    pending = EmailAddress.objects.get(email=NEW_EMAIL)
    assert pending.user == bob
    assert not pending.verified

    assert run_jobs() == 1
    assert [message.to for message in mailoutbox] == [[NEW_EMAIL]]
    assert "Bob General asked to sign in to Carrier Portal with this email address." in (
        mailoutbox[0].body
    )
    bob.refresh_from_db()
    assert bob.email == "bob@acme.test"  # nothing changes until the new address is verified
    page = client.get(EMAIL_URL).text
    assert "Waiting for confirmation" in page

    link = _confirmation_link(mailoutbox[0])
    assert "Confirm Email Address" in client.get(link).text
    response = client.post(link)
    assert response.status_code == 302

    bob.refresh_from_db()
    assert bob.email == NEW_EMAIL
    assert list(EmailAddress.objects.filter(user=bob).values_list("email", "primary")) == [
        (NEW_EMAIL, True)
    ]
    event = AuditEvent.objects.get(action=actions.EMAIL_CHANGED)
    assert event.changes == [{"field": "Email", "before": "bob@acme.test", "after": NEW_EMAIL}]
    assert event.enterprise == bob.enterprise

    # From now on Bob signs in with the new address only.
    client.post(reverse("account_logout"))
    sign_in(client, "bob@acme.test", password)
    assert SESSION_KEY not in client.session
    sign_in(client, NEW_EMAIL, password)
    assert client.session[SESSION_KEY] == str(bob.pk)


def test_a_wrong_password_changes_nothing(client, bob):
    response = ask_for_change(client)
    response = client.post(response.url, {"password": "not the password at all"})
    assert response.status_code == 200
    assert "You must type the same password each time." not in response.text
    assert "Incorrect password." in response.text
    assert not EmailAddress.objects.filter(email=NEW_EMAIL).exists()


def test_a_malformed_address_is_refused_next_to_the_field(client, bob, password):
    client.post(REAUTH_URL, {"password": password})
    response = ask_for_change(client, "not-an-email")
    assert response.status_code == 200
    assert 'class="field__errors"' in response.text
    assert "Enter a valid email address." in response.text
    assert EmailAddress.objects.filter(user=bob).count() == 1


@pytest.mark.parametrize(
    "address",
    ["alice@acme.test", "Charlie@Globex.test", "charlie.old@globex.test"],
    ids=["a colleague's", "another enterprise's", "added to another account"],
)
def test_an_address_another_account_uses_is_refused_at_the_field(
    client,
    bob,
    admin_user,
    outsider,
    password,
    address,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    EmailAddress.objects.create(user=outsider, email="charlie.old@globex.test", verified=True)
    client.post(REAUTH_URL, {"password": password})
    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_change(client, address)
    assert response.status_code == 200
    assert 'class="field__errors"' in response.text
    assert "Another account already uses this email address." in response.text
    # Nothing stored, nothing sent: the address's owner gets no mail naming Bob.
    assert list(EmailAddress.objects.filter(user=bob).values_list("email", flat=True)) == [
        "bob@acme.test"
    ]
    assert run_jobs() == 0
    assert mailoutbox == []


def test_a_user_with_an_authenticator_app_can_change_the_email(
    client, general_user, password, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    secret, _ = enable_totp(general_user)
    sign_in(client, "bob@acme.test", password)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    client.post(REAUTH_URL, {"password": password})

    with django_capture_on_commit_callbacks(execute=True):
        response = ask_for_change(client)
    assert response.status_code == 302
    assert EmailAddress.objects.filter(user=general_user, email=NEW_EMAIL).exists()
    run_jobs()
    client.post(_confirmation_link(mailoutbox[0]))
    general_user.refresh_from_db()
    assert general_user.email == NEW_EMAIL
