"""Being held at the authenticator setup: users of an enterprise that requires MFA, and staff."""

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from tests.factories import UserFactory
from tests.totp import enable_totp, secret_on_page, sign_in_was_a_while_ago, totp_code

LOGIN_URL = reverse("account_login")
ACTIVATE_URL = reverse("mfa_activate_totp")
REAUTH_URL = reverse("account_reauthenticate")
LOGOUT_URL = reverse("account_logout")
SIGN_IN_CODE = "Send me a sign-in code"


def sign_in(client, email, password, **extra):
    return client.post(LOGIN_URL, {"login": email, "password": password}, **extra)


@pytest.fixture
def mfa_required(enterprise):
    enterprise.require_mfa = True
    enterprise.save(update_fields=["require_mfa"])
    return enterprise


@pytest.fixture
def new_staff(db):
    """Carrier staff who have not set up an authenticator app yet."""
    return UserFactory(
        email="newstaff@carrier.test", enterprise=None, role=None, is_staff=True, is_superuser=True
    )


def test_right_after_signing_in_the_setup_asks_no_password(
    client, mfa_required, general_user, password
):
    response = sign_in(client, "bob@acme.test", password, follow=True)
    assert [url for url, _ in response.redirect_chain] == [reverse("dashboard"), ACTIVATE_URL]
    assert "Confirm it&#x27;s you" not in response.text
    secret_on_page(response.text)


def test_a_while_after_signing_in_it_asks_for_the_password_only(
    client, mfa_required, general_user, password
):
    sign_in(client, "bob@acme.test", password)
    sign_in_was_a_while_ago(client)
    response = client.get(ACTIVATE_URL, follow=True)
    assert response.request["PATH_INFO"] == REAUTH_URL
    # No e-mailed sign-in code: it led back to this same page.
    assert SIGN_IN_CODE not in response.text
    # Held here, the user can still sign out.
    assert f'action="{LOGOUT_URL}"' in response.text

    response = client.post(response.redirect_chain[-1][0], {"password": password}, follow=True)
    assert response.request["PATH_INFO"] == ACTIVATE_URL


def test_no_one_confirms_it_is_them_with_an_emailed_code(general_client):
    assert general_client.get(reverse("account_request_reauthentication_code")).status_code == 403


def test_the_setup_page_offers_sign_out_to_those_held_there(
    client, mfa_required, general_user, password
):
    sign_in(client, "bob@acme.test", password)
    page = client.get(ACTIVATE_URL).text
    assert f'<form id="sign-out" method="post" action="{LOGOUT_URL}"' in page
    assert 'form="sign-out">Sign Out</button>' in page
    assert ">Cancel</a>" not in page

    client.post(LOGOUT_URL)
    assert SESSION_KEY not in client.session


def test_others_setting_it_up_of_their_own_accord_may_cancel(client, general_user, password):
    sign_in(client, "bob@acme.test", password)
    page = client.get(ACTIVATE_URL).text
    assert ">Cancel</a>" in page
    assert 'form="sign-out"' not in page


def test_staff_without_an_authenticator_are_held_before_the_back_office(
    client, new_staff, password
):
    response = sign_in(client, "newstaff@carrier.test", password, follow=True)
    assert [url for url, _ in response.redirect_chain] == [reverse("admin:index"), ACTIVATE_URL]
    assert "Staff accounts require multi-factor authentication." in response.text
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == ACTIVATE_URL
    response = client.get(ACTIVATE_URL)

    secret = secret_on_page(response.text)
    response = client.post(ACTIVATE_URL, {"code": totp_code(secret)}, follow=True)
    assert Authenticator.objects.filter(user=new_staff, type=Authenticator.Type.TOTP).exists()
    # The recovery codes page leads on to the back office.
    assert f'href="{reverse("admin:index")}">Done</a>' in response.text
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_cannot_remove_their_authenticator(client, new_staff, password):
    secret, _ = enable_totp(new_staff)
    sign_in(client, "newstaff@carrier.test", password)
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    response = client.post(reverse("mfa_deactivate_totp"))
    assert response.status_code == 200
    assert "cannot be deactivated" in response.text
    assert Authenticator.objects.filter(user=new_staff, type=Authenticator.Type.TOTP).exists()


def test_users_whose_enterprise_does_not_require_it_are_not_held(general_client):
    assert general_client.get(reverse("dashboard")).status_code == 200
