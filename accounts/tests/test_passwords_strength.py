"""Passwords that are easy to guess are refused, wherever a password is chosen."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.models import Invitation, Role, User
from accounts.validators import GuessablePasswordValidator
from tests.factories import EnterpriseFactory, UserFactory, role

CHANGE_URL = reverse("account_change_password")

WEAK = [
    "123456789012",  # digits in a row
    "839201746385",  # random digits are still only digits
    "passwordpassword",
    "aaaaaaaaaaaa",
    "Password123!",
    "carrierportal",  # the portal's name
    "patsmith2026!",  # the user's name
    "acmetelecom2026",  # the enterprise's name
    "pat.smith@acme.test",  # the user's address
    "Acme-Telecom-2026",  # the enterprise's name, joined by hyphens
    "pat_smith.acme!2026",  # the user's and the enterprise's names, joined by anything
]
GOOD = [
    "violet tractor umbrella ocean",
    "lanterns over pebbled orchards",
    "my cat naps on the warm piano",
    # Long passphrases are checked on their first 72 characters.
    "the quick brown fox jumps over the lazy dog while the cat naps on the warm piano",
]


@pytest.fixture
def pat(enterprise):
    return UserFactory(
        email="pat.smith@acme.test",
        name="Pat Smith",
        enterprise=enterprise,
        role=role(Role.GENERAL_USER),
    )


@pytest.fixture
def invitation_url(enterprise, admin_user):
    invitation = Invitation(
        enterprise=enterprise,
        email="pat.smith@acme.test",
        name="Pat Smith",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
    )
    token = invitation.issue_token()
    invitation.save()
    return reverse("accounts:accept_invitation", args=[token])


def accept(client, url, password):
    return client.post(url, {"name": "Pat Smith", "password1": password, "password2": password})


def change(client, old, new):
    return client.post(CHANGE_URL, {"oldpassword": old, "password1": new, "password2": new})


@pytest.mark.parametrize("weak", WEAK)
def test_accepting_an_invitation_refuses_a_guessable_password(client, invitation_url, weak):
    response = accept(client, invitation_url, weak)
    assert response.status_code == 200
    errors = response.context["form"].errors["password1"]
    assert any(error.startswith("This password ") for error in errors), errors
    assert not User.objects.filter(email="pat.smith@acme.test").exists()


@pytest.mark.parametrize("good", GOOD)
def test_accepting_an_invitation_takes_a_passphrase(client, invitation_url, good):
    response = accept(client, invitation_url, good)
    assert response.status_code == 302
    assert User.objects.get(email="pat.smith@acme.test").check_password(good)


@pytest.mark.parametrize("weak", WEAK)
def test_changing_the_password_refuses_a_guessable_one(client, pat, password, weak):
    client.force_login(pat)
    response = change(client, password, weak)
    assert response.status_code == 200
    assert "This password " in response.text
    pat.refresh_from_db()
    assert pat.check_password(password)


@pytest.mark.parametrize("good", GOOD)
def test_changing_the_password_takes_a_passphrase(client, pat, password, good):
    client.force_login(pat)
    response = change(client, password, good)
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password(good)


def reset_url(client, user):
    """The Forgot password link's page, as the e-mailed link leads to it."""
    kwargs = {"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)}
    response = client.get(reverse("account_reset_password_from_key", kwargs=kwargs))
    assert response.status_code == 302
    return response.url


@pytest.mark.parametrize("weak", WEAK)
def test_a_password_reset_refuses_a_guessable_one(client, pat, password, weak):
    url = reset_url(client, pat)
    response = client.post(url, {"password1": weak, "password2": weak})
    assert response.status_code == 200
    assert "This password " in response.text
    pat.refresh_from_db()
    assert pat.check_password(password)


def test_a_password_reset_takes_a_passphrase(client, pat):
    url = reset_url(client, pat)
    response = client.post(url, {"password1": GOOD[0], "password2": GOOD[0]})
    assert response.status_code == 302
    pat.refresh_from_db()
    assert pat.check_password(GOOD[0])


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("839201746385", "This password is only digits, which is easy to guess."),
        ("aaaaaaaaaaaa", "it repeats the same letters or words."),
        ("abcdefghijklmnop", "it is a sequence such as abcd or 1234."),
        ("Password123!", "it is too much like passwords that many people use."),
        ("patsmith2026!", "it is built on your name, your email address, your company's name"),
        ("Acme Telecom rocks", "it is built on your name, your email address, your company's name"),
    ],
)
def test_it_says_why_in_plain_words(pat, password, message):
    with pytest.raises(ValidationError) as refusal:
        GuessablePasswordValidator(service_names=["Carrier Portal"]).validate(password, pat)
    assert message in refusal.value.messages[0]
    assert "Try a passphrase of three or four words" in refusal.value.messages[0]


def test_a_strong_password_with_a_name_in_it_is_fine(pat):
    GuessablePasswordValidator().validate("Pat Smith loves purple elephants at noon", pat)


@pytest.mark.parametrize(
    "password",
    ["Demo-Communications-2026", "demo.communications.2026", "2026_Demo_Communications!"],
)
def test_the_enterprise_name_counts_however_it_is_joined(db, password):
    user = UserFactory(
        enterprise=EnterpriseFactory(name="Demo Communications Inc."),
        role=role(Role.GENERAL_USER),
    )
    with pytest.raises(ValidationError, match="your company's name"):
        GuessablePasswordValidator().validate(password, user)


def test_it_works_without_a_user():
    validator = GuessablePasswordValidator(service_names=["Carrier Portal"])
    validator.validate("violet tractor umbrella ocean")
    with pytest.raises(ValidationError, match="portal's name"):
        validator.validate("Carrier Portal 2026")


def test_the_rules_are_told_on_the_invitation_form(client, invitation_url):
    page = client.get(invitation_url).text
    assert "not only digits, no repeats or sequences" in page
