"""The back office changes customers' data through the portal's services: the same rules, the
same e-mails, and audit entries with the staff member as actor."""

from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import Enterprise, Invitation, Role, User
from audit.models import AuditEvent
from tests.factories import UserFactory, role
from tests.totp import enable_totp

INVITATION_ADD_URL = reverse("admin:accounts_invitation_add")


class _FormReader(HTMLParser):
    """The fields of a page's main form as a browser would submit them, unchanged."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.select = None
        self.data = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif kind not in ("submit", "button", "file"):
                self.data[attrs["name"]] = attrs.get("value", "")
        elif tag == "select":
            self.select = attrs["name"]
            self.data.setdefault(self.select, [])
        elif tag == "option" and self.select and "selected" in attrs:
            self.data[self.select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "form":
            self.inside = False


def form_data(client, url, form_id):
    reader = _FormReader(form_id)
    reader.feed(client.get(url).text)
    return reader.data


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def events(action):
    return list(AuditEvent.objects.filter(action=action))


# Invitations


def _invite(staff_client, enterprise, **overrides):
    data = {
        "enterprise": enterprise.pk,
        "email": "nina@acme.test",
        "name": "Nina New",
        "role": role(Role.GENERAL_USER).pk,
        "access_types": ["portal_access"],
    }
    return staff_client.post(INVITATION_ADD_URL, data | overrides)


def test_the_invitation_form_shows_only_what_staff_choose(staff_client):
    page = staff_client.get(INVITATION_ADD_URL).text
    for field in ("enterprise", "email", "name", "role", "access_types"):
        assert f'name="{field}"' in page
    assert "token_hash" not in page
    assert "Token hash" not in page
    assert 'name="expires_at"' not in page
    assert 'name="invited_by"' not in page


def test_staff_invite_through_the_service(
    staff_client, staff_user, enterprise, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(staff_client, enterprise)
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("admin:accounts_invitation_change", args=[invitation.pk])
    assert (invitation.enterprise, invitation.invited_by) == (enterprise, staff_user)
    assert (invitation.portal_access, invitation.api_access) == (True, False)
    event = events(actions.USER_INVITED)[0]
    assert (event.actor, event.enterprise) == (staff_user, enterprise)

    run_jobs()
    assert [message.to for message in mailoutbox] == [["nina@acme.test"]]
    assert "Carrier staff invited you" in mailoutbox[0].body
    assert "An invitation was sent to nina@acme.test." in staff_client.get(response.url).text


def test_a_second_pending_invitation_is_refused_next_to_the_address(staff_client, enterprise):
    _invite(staff_client, enterprise)
    response = _invite(staff_client, enterprise, email="NINA@acme.test")
    assert response.status_code == 200
    assert "This email address already has a pending invitation." in response.text
    assert Invitation.objects.count() == 1


def test_staff_are_told_plainly_when_the_address_is_a_users(
    staff_client, enterprise, outsider, mailoutbox
):
    response = _invite(staff_client, enterprise, email="charlie@globex.test")
    assert response.status_code == 200
    assert "A user with this email address already exists." in response.text
    assert Invitation.objects.count() == 0
    assert not events(actions.INVITATION_HELD_ELSEWHERE)


def _pending(enterprise, admin_user, **fields):
    invitation = Invitation(
        enterprise=enterprise,
        email="nina@acme.test",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
        **fields,
    )
    invitation.issue_token()
    invitation.save()
    return invitation


def test_a_pending_invitation_is_shown_with_resend_and_revoke(
    staff_client, staff_user, enterprise, admin_user, mailoutbox, run_jobs
):
    invitation = _pending(enterprise, admin_user)
    change_url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    page = staff_client.get(change_url).text
    assert invitation.token_hash not in page
    assert 'name="email"' not in page
    assert "Resend the invitation" in page
    assert "Revoke the invitation" in page
    old_hash = invitation.token_hash

    response = staff_client.post(
        reverse("admin:accounts_invitation_resend", args=[invitation.pk]), follow=True
    )
    assert "A new invitation was sent to nina@acme.test." in response.text
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    assert events(actions.INVITATION_RESENT)[0].actor == staff_user

    response = staff_client.post(
        reverse("admin:accounts_invitation_revoke", args=[invitation.pk]), follow=True
    )
    assert "The invitation for nina@acme.test was revoked." in response.text
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert events(actions.INVITATION_REVOKED)[0].actor == staff_user
    # Revoked, it has nothing left to offer.
    page = staff_client.get(change_url).text
    assert "Resend the invitation" not in page
    assert "Revoke the invitation" not in page


def test_invitations_cannot_be_edited_or_deleted(staff_client, enterprise, admin_user):
    invitation = _pending(enterprise, admin_user, accepted_at=timezone.now())
    change_url = reverse("admin:accounts_invitation_change", args=[invitation.pk])
    staff_client.post(change_url, {"email": "other@acme.test", "role": invitation.role_id})
    invitation.refresh_from_db()
    assert invitation.email == "nina@acme.test"
    delete_url = reverse("admin:accounts_invitation_delete", args=[invitation.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    response = staff_client.post(reverse("admin:accounts_invitation_revoke", args=[invitation.pk]))
    assert response.status_code == 302
    assert "already accepted or revoked" in staff_client.get(response.url).text


# Users


def _user_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def _save_user(staff_client, user, **changes):
    data = form_data(staff_client, _user_url(user), "user_form")
    data.update(changes)
    return staff_client.post(_user_url(user), data)


def test_staff_cannot_demote_the_last_administrator(staff_client, admin_user):
    response = _save_user(staff_client, admin_user, role=role(Role.GENERAL_USER).pk)
    assert response.status_code == 200
    assert "Alice Admin is the last active Administrator of Acme Telecom" in response.text
    admin_user.refresh_from_db()
    assert admin_user.role.slug == Role.ADMINISTRATOR
    assert not events(actions.ROLE_CHANGED)


def test_staff_cannot_take_portal_from_the_last_administrator(staff_client, admin_user):
    data = form_data(staff_client, _user_url(admin_user), "user_form")
    del data["portal_access"]
    response = staff_client.post(_user_url(admin_user), data)
    assert response.status_code == 200
    assert "is the last active Administrator" in response.text
    admin_user.refresh_from_db()
    assert admin_user.portal_access is True


def test_staff_cannot_deactivate_the_last_administrator(staff_client, admin_user):
    data = form_data(staff_client, _user_url(admin_user), "user_form")
    del data["is_active"]
    response = staff_client.post(_user_url(admin_user), data)
    assert response.status_code == 200
    assert "is the last active Administrator" in response.text
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not events(actions.USER_DEACTIVATED)


def test_staff_changes_to_a_user_are_audited_with_staff_as_actor(
    staff_client, staff_user, admin_user, general_user
):
    data = form_data(staff_client, _user_url(general_user), "user_form")
    data.update(
        name="Robert General",
        phone="(303) 555-0142",
        role=role(Role.BILLING).pk,
        api_access=["on"],
    )
    del data["is_active"]
    response = staff_client.post(_user_url(general_user), data)
    assert response.status_code == 302, response.text

    general_user.refresh_from_db()
    assert (general_user.name, general_user.phone) == ("Robert General", "+13035550142")
    assert (general_user.role.slug, general_user.api_access) == (Role.BILLING, True)
    assert general_user.is_active is False
    in_words = {
        event.action: event.changes_in_words
        for event in AuditEvent.objects.filter(actor=staff_user).exclude(action=actions.SIGN_IN)
    }
    assert in_words == {
        actions.PROFILE_CHANGED: "Name: Bob General → Robert General; Phone: (none) → +13035550142",
        actions.ROLE_CHANGED: "Role: General User → Billing",
        actions.ACCESS_CHANGED: "Access types: Portal → Portal, API",
        actions.USER_DEACTIVATED: "",
    }

    data = form_data(staff_client, _user_url(general_user), "user_form")
    data["is_active"] = ["on"]
    assert staff_client.post(_user_url(general_user), data).status_code == 302
    general_user.refresh_from_db()
    assert general_user.is_active
    assert events(actions.USER_REACTIVATED)[0].actor == staff_user


def test_an_unchanged_user_records_nothing(staff_client, general_user):
    response = _save_user(staff_client, general_user)
    assert response.status_code == 302
    assert not AuditEvent.objects.exclude(action=actions.SIGN_IN).exists()


def test_staff_cannot_save_a_phone_extension(staff_client, general_user):
    response = _save_user(staff_client, general_user, phone="303-555-0142 x12")
    assert response.status_code == 200
    assert "Extensions are not supported: enter the number without x12." in response.text
    general_user.refresh_from_db()
    assert general_user.phone == ""


def test_a_customers_page_has_no_staff_fields_and_keeps_address_and_enterprise(
    staff_client, general_user
):
    page = staff_client.get(_user_url(general_user)).text
    for field in ("is_staff", "is_superuser", "groups", "user_permissions", "email", "enterprise"):
        assert f'name="{field}"' not in page
    for field in ("role", "portal_access", "is_active", "name"):
        assert f'name="{field}"' in page
    assert "bob@acme.test" in page


def test_a_staff_members_page_has_the_staff_fields(staff_client, staff_user):
    other = UserFactory(email="kim@carrier.test", enterprise=None, role=None, is_staff=True)
    page = staff_client.get(_user_url(other)).text
    for field in ("is_staff", "is_superuser", "user_permissions", "email"):
        assert f'name="{field}"' in page
    for field in ("role", "groups"):
        assert f'name="{field}"' not in page


# Enterprises


def _enterprise_url(enterprise):
    return reverse("admin:accounts_enterprise_change", args=[enterprise.pk])


def test_staff_changes_to_enterprise_settings_are_audited(
    staff_client, staff_user, enterprise, admin_user
):
    data = form_data(staff_client, _enterprise_url(enterprise), "enterprise_form")
    assert data["users-TOTAL_FORMS"] == "1"
    data.update(name="Acme Telecom West", require_mfa=["on"], time_zone=["America/Chicago"])
    response = staff_client.post(_enterprise_url(enterprise), data)
    assert response.status_code == 302, response.text

    enterprise.refresh_from_db()
    assert enterprise.name == "Acme Telecom West"
    assert (enterprise.require_mfa, enterprise.time_zone) == (True, "America/Chicago")
    event = events(actions.SETTINGS_CHANGED)[0]
    assert (event.actor, event.enterprise) == (staff_user, enterprise)
    assert event.changes_in_words == (
        "Require MFA: off → on; Time zone: America/New_York → America/Chicago"
    )
    account_event = events(actions.ACCOUNT_CHANGED)[0]
    assert account_event.actor == staff_user
    assert account_event.changes_in_words == "Name: Acme Telecom → Acme Telecom West"


def test_suspending_an_account_in_the_back_office_is_audited_and_signs_its_users_out(
    staff_client, staff_user, enterprise, admin_user
):
    alice = Client()
    alice.force_login(admin_user)
    assert alice.get(reverse("dashboard")).status_code == 200
    data = form_data(staff_client, _enterprise_url(enterprise), "enterprise_form")
    data.update(status="suspended")
    assert staff_client.post(_enterprise_url(enterprise), data).status_code == 302

    assert Enterprise.objects.get(pk=enterprise.pk).status == "suspended"
    [event] = events(actions.ACCOUNT_CHANGED)
    assert event.actor == staff_user
    assert event.changes_in_words == "Status: Active → Suspended"
    assert alice.get(reverse("dashboard")).status_code == 302


def test_the_enterprise_page_lists_users_without_editing_them(staff_client, enterprise, admin_user):
    data = form_data(staff_client, _enterprise_url(enterprise), "enterprise_form")
    editable = {name for name in data if name.startswith("users-0-")}
    assert editable == {"users-0-id", "users-0-enterprise"}


def test_an_unchanged_enterprise_records_nothing(staff_client, enterprise, admin_user):
    data = form_data(staff_client, _enterprise_url(enterprise), "enterprise_form")
    assert staff_client.post(_enterprise_url(enterprise), data).status_code == 302
    assert not events(actions.SETTINGS_CHANGED)
    assert not events(actions.ACCOUNT_CHANGED)
    assert Enterprise.objects.get(pk=enterprise.pk).name == "Acme Telecom"


def test_staff_add_only_staff_members_directly(staff_client, enterprise):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "ops@carrier.test",
            "name": "Olive Ops",
            # Customer fields are not on the form: customers join by invitation.
            "enterprise": enterprise.pk,
            "role": role(Role.ADMINISTRATOR).pk,
            "usable_password": "false",
        },
    )
    assert response.status_code == 302, response.text
    user = User.objects.get(email="ops@carrier.test")
    assert (user.is_staff, user.enterprise, user.role) == (True, None, None)


def test_the_add_page_sends_staff_to_invite_customers(staff_client):
    page = staff_client.get(reverse("admin:accounts_user_add")).text
    assert 'name="enterprise"' not in page
    assert 'name="role"' not in page
    assert f'href="{INVITATION_ADD_URL}"' in page


def test_staff_cannot_set_a_customers_password(staff_client, general_user, password):
    url = reverse("admin:auth_user_password_change", args=[general_user.pk])
    strong = "quiet lanterns mossy rivers"
    response = staff_client.post(url, {"password1": strong, "password2": strong})
    assert response.status_code == 403
    general_user.refresh_from_db()
    assert general_user.check_password(password)
    # Nor is a link to that form offered on the customer's page.
    assert url not in staff_client.get(_user_url(general_user)).text


def test_staff_may_still_set_a_staff_members_password(staff_client, staff_user):
    other = UserFactory(email="ops@carrier.test", enterprise=None, role=None, is_staff=True)
    url = reverse("admin:auth_user_password_change", args=[other.pk])
    strong = "quiet lanterns mossy rivers"
    response = staff_client.post(url, {"password1": strong, "password2": strong})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.check_password(strong)


def test_staff_send_a_customer_a_password_reset_through_the_service(
    staff_client, staff_user, general_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "send_password_reset", "_selected_action": [general_user.pk]},
            follow=True,
        )
    assert "A password reset link was sent to bob@acme.test." in response.text
    assert events(actions.PASSWORD_RESET_SENT)[0].actor == staff_user
    run_jobs()
    assert [message.to for message in mailoutbox] == [["bob@acme.test"]]


def test_staff_cannot_delete_a_customer_user(staff_client, admin_user):
    url = reverse("admin:accounts_user_delete", args=[admin_user.pk])
    assert staff_client.post(url, {"post": "yes"}).status_code == 403
    response = staff_client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [admin_user.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_staff_reset_a_users_mfa_through_the_service(
    staff_client, staff_user, general_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    enable_totp(general_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "reset_mfa", "_selected_action": [general_user.pk]},
            follow=True,
        )
    assert "The MFA of Bob General was reset; they were e-mailed." in response.text
    assert not Authenticator.objects.filter(user=general_user).exists()
    assert events(actions.MFA_RESET)[0].actor == staff_user
    run_jobs()
    assert [message.to for message in mailoutbox] == [["bob@acme.test"]]
    assert "Carrier staff reset the multi-factor authentication" in mailoutbox[0].body


def test_addresses_and_authenticators_are_not_edited_as_rows():
    for model in (EmailAddress, Authenticator):
        assert not admin.site.is_registered(model)
