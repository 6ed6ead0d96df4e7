"""User Management: editing a user's name, resetting their MFA, sending a password reset, and
the actions offered (or not) on each row."""

import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts import actions
from accounts.models import Role
from audit.models import AuditEvent
from tests.factories import role
from tests.totp import enable_totp

USERS_URL = reverse("accounts:users")
MODAL = {"HX-Request": "true", "HX-Target": "modal"}


def _url(name, user):
    return reverse(name, args=[user.public_id])


def _edit(client, user, **data):
    form = {"name": user.name, "role": user.role.pk, "access_types": user.access_fields}
    return client.post(_url("accounts:user_edit", user), form | data)


@pytest.fixture
def bob_with_mfa(general_user):
    enable_totp(general_user)
    return general_user


# The rows


def test_the_own_row_offers_no_deactivate(admin_client, admin_user, general_user):
    page = admin_client.get(USERS_URL).text
    assert 'aria-label="Deactivate Bob General"' in page
    assert 'aria-label="Deactivate Alice Admin"' not in page
    assert 'aria-label="Edit Alice Admin"' in page


def test_deactivating_oneself_is_refused_before_confirming(admin_client, admin_user):
    url = _url("accounts:deactivate_user", admin_user)
    response = admin_client.get(url, headers=MODAL)
    assert "You cannot deactivate your own account." in response.text
    assert f'action="{url}"' not in response.text
    assert ">Close</a>" in response.text
    admin_user.refresh_from_db()
    assert admin_user.is_active


# Editing


def test_the_edit_form_says_that_without_portal_the_user_cannot_sign_in(admin_client, general_user):
    page = admin_client.get(_url("accounts:user_edit", general_user)).text
    assert "without it they cannot sign in to the portal" in page


def test_saving_without_portal_says_the_user_is_locked_out(admin_client, general_user):
    response = _edit(admin_client, general_user, access_types=["api_access"])
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert (general_user.portal_access, general_user.api_access) == (False, True)
    page = admin_client.get(USERS_URL).text
    assert (
        "Bob General can no longer sign in to the portal: they do not have Portal access."
    ) in page


def test_other_changes_say_nothing_about_portal(admin_client, general_user):
    _edit(admin_client, general_user, access_types=["portal_access", "sms_access"])
    assert "can no longer sign in" not in admin_client.get(USERS_URL).text


def test_it_changes_the_name_and_records_it_in_words(admin_client, admin_user, general_user):
    page = admin_client.get(_url("accounts:user_edit", general_user)).text
    assert 'name="name" value="Bob General"' in page

    response = _edit(admin_client, general_user, name="  Robert General ")
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert general_user.name == "Robert General"
    event = AuditEvent.objects.get(action=actions.PROFILE_CHANGED)
    assert (event.actor, event.object_id) == (admin_user, str(general_user.public_id))
    assert event.changes_in_words == "Name: Bob General → Robert General"
    assert "Robert General was updated." in admin_client.get(USERS_URL).text


def test_it_requires_a_name(admin_client, general_user):
    response = _edit(admin_client, general_user, name="   ")
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Enter the user's name."]
    assert 'id="id_name_error"' in response.text
    general_user.refresh_from_db()
    assert general_user.name == "Bob General"


def test_a_refused_role_change_changes_the_name_neither(admin_client, admin_user):
    response = _edit(
        admin_client, admin_user, name="Alice Renamed", role=role(Role.GENERAL_USER).pk
    )
    assert response.status_code == 200
    assert "is the last active Administrator" in response.text
    admin_user.refresh_from_db()
    assert (admin_user.name, admin_user.role.slug) == ("Alice Admin", Role.ADMINISTRATOR)
    assert not AuditEvent.objects.filter(action=actions.PROFILE_CHANGED).exists()


# Resetting MFA


def test_it_resets_a_users_mfa_after_confirming(
    admin_client,
    admin_user,
    bob_with_mfa,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    url = _url("accounts:reset_mfa", bob_with_mfa)
    edit = admin_client.get(_url("accounts:user_edit", bob_with_mfa)).text
    assert f'href="{url}" hx-get="{url}"' in edit

    confirm = admin_client.get(url, headers=MODAL)
    assert "<dialog" in confirm.text
    assert "Reset the MFA of Bob General?" in confirm.text
    assert f'<form method="post" action="{url}">' in confirm.text
    assert Authenticator.objects.filter(user=bob_with_mfa).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=bob_with_mfa).exists()
    event = AuditEvent.objects.get(action=actions.MFA_RESET)
    assert (event.actor, event.object_id) == (admin_user, str(bob_with_mfa.public_id))
    assert "The MFA of Bob General was reset" in admin_client.get(USERS_URL).text

    run_jobs()
    assert [message.to for message in mailoutbox] == [["bob@acme.test"]]
    assert "Alice Admin, an Administrator of Acme Telecom, reset" in mailoutbox[0].body


def test_it_refuses_resetting_mfa_that_is_not_set_up(admin_client, general_user):
    url = _url("accounts:reset_mfa", general_user)
    assert "Reset MFA" not in admin_client.get(_url("accounts:user_edit", general_user)).text
    response = admin_client.get(url)
    assert "Bob General has no authenticator app to reset." in response.text
    assert f'action="{url}"' not in response.text
    assert "has no authenticator app" in admin_client.post(url).text
    assert not AuditEvent.objects.filter(action=actions.MFA_RESET).exists()


def test_an_administrator_cannot_reset_their_own_mfa_here(admin_client, admin_user):
    enable_totp(admin_user)
    assert "Reset MFA" not in admin_client.get(_url("accounts:user_edit", admin_user)).text
    response = admin_client.post(_url("accounts:reset_mfa", admin_user))
    assert "To change your own MFA, use Multi-factor authentication (MFA)" in response.text
    assert Authenticator.objects.filter(user=admin_user).exists()


# Sending a password reset


def test_it_sends_a_password_reset_after_confirming(
    admin_client,
    client,
    admin_user,
    general_user,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    url = _url("accounts:send_password_reset", general_user)
    edit = admin_client.get(_url("accounts:user_edit", general_user)).text
    assert f'href="{url}" hx-get="{url}"' in edit
    confirm = admin_client.get(url, headers=MODAL)
    assert "Send Bob General a password reset e-mail?" in confirm.text
    assert f'<form method="post" action="{url}">' in confirm.text

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    assert response.status_code == 302
    assert "A password reset e-mail was sent to bob@acme.test." in admin_client.get(USERS_URL).text
    event = AuditEvent.objects.get(action=actions.PASSWORD_RESET_SENT)
    assert (event.actor, event.object_id) == (admin_user, str(general_user.public_id))

    run_jobs()
    assert [message.to for message in mailoutbox] == [["bob@acme.test"]]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mailoutbox[0].body)
    assert link, "the e-mail holds no password reset link"
    # The link is the one of "Forgot your password?": it opens the form to choose a new one.
    response = client.get(urlsplit(link.group(0)).path, follow=True)
    assert 'name="password1"' in response.text


def test_it_refuses_a_password_reset_for_a_deactivated_user(admin_client, general_user):
    general_user.is_active = False
    general_user.save()
    assert "Send password reset" not in (
        admin_client.get(_url("accounts:user_edit", general_user)).text
    )
    response = admin_client.post(_url("accounts:send_password_reset", general_user))
    assert "Bob General is deactivated: reactivate the account first." in response.text
    assert not AuditEvent.objects.filter(action=actions.PASSWORD_RESET_SENT).exists()
