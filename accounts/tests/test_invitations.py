import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts import actions, services
from accounts.models import Invitation, Role, User
from audit.models import AuditEvent
from tests.factories import UserFactory, role

INVITE_URL = reverse("accounts:invite_user")
NEW_PASSWORD = "tangerine trapeze 42"


def _invite_form(**overrides):
    data = {
        "email": "nina@acme.test",
        "name": "Nina New",
        "role": role(Role.GENERAL_USER).pk,
        "access_types": ["portal_access", "sms_access"],
    }
    data.update(overrides)
    return data


def _invitation(enterprise, admin_user, *, email="nina@acme.test", **fields):
    """A pending invitation and the token of its link."""
    invitation = Invitation(
        enterprise=enterprise,
        email=email,
        name="Nina New",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
        api_access=True,
        **fields,
    )
    token = invitation.issue_token()
    invitation.save()
    return invitation, token


def _accept_url(token):
    return reverse("accounts:accept_invitation", args=[token])


def _link_in(message):
    match = re.search(r"https?://\S+/invitation/[\w-]+/", message.body)
    assert match, "the e-mail holds no invitation link"
    return match.group(0)


# Inviting


def test_the_invite_form_marks_the_name_optional_once(admin_client):
    page = admin_client.get(INVITE_URL).text
    assert 'for="id_name">Name <span class="field__optional">(optional)</span>' in page
    assert "The invitee can change it when they accept." in page
    assert "Optional:" not in page


def test_it_invites_a_user_and_the_worker_sends_the_email(
    admin_client, enterprise, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INVITE_URL, _invite_form())
    assert response.status_code == 302
    assert response.url == reverse("accounts:users")

    invitation = Invitation.objects.get()
    assert invitation.enterprise == enterprise
    assert (invitation.email, invitation.name) == ("nina@acme.test", "Nina New")
    assert invitation.role.slug == Role.GENERAL_USER
    assert (invitation.portal_access, invitation.api_access, invitation.sms_access) == (
        True,
        False,
        True,
    )
    event = AuditEvent.objects.get(action=actions.USER_INVITED)
    assert event.actor.email == "alice@acme.test"
    assert event.enterprise == enterprise
    assert event.object_id == str(invitation.public_id)

    # Nothing is sent by the web request: the worker sends it.
    assert mailoutbox == []
    assert run_jobs() == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nina@acme.test"]
    assert "Acme Telecom" in message.subject
    assert "Alice Admin invited you" in message.body
    link = _link_in(message)
    assert link.startswith(settings.SITE_URL + "/invitation/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only the token's hash is stored.
    assert invitation.token_hash == Invitation.hash_token(token)
    assert token not in invitation.token_hash
    assert link in message.alternatives[0].content

    page = admin_client.get(reverse("accounts:users"))
    assert "An invitation was sent to nina@acme.test." in page.text
    assert "Pending invitations" in page.text
    assert "nina@acme.test" in page.text


def test_it_opens_the_invitation_form_as_a_pop_up(admin_client):
    response = admin_client.get(INVITE_URL, headers={"HX-Request": "true", "HX-Target": "modal"})
    assert response.status_code == 200
    assert "<dialog" in response.text
    assert 'name="email"' in response.text
    assert "sidebar" not in response.text


def test_it_redirects_the_whole_page_after_a_pop_up_invitation(admin_client):
    response = admin_client.post(
        INVITE_URL, _invite_form(), headers={"HX-Request": "true", "HX-Target": "modal"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("accounts:users")
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "Enter a valid email address"),
        ({"email": ""}, "email", "Enter the email address to send the invitation to."),
        ({"role": ""}, "role", "Choose a role."),
        ({"role": "999999"}, "role", "Choose one of the roles in the list."),
        ({"access_types": []}, "access_types", "Choose at least one access type."),
        ({"access_types": ["root"]}, "access_types", "Choose access types from the list"),
    ],
)
def test_it_refuses_bad_input_next_to_the_field(admin_client, data, field, message):
    response = admin_client.post(INVITE_URL, _invite_form(**data))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert f'id="id_{field}_error"' in response.text
    assert Invitation.objects.count() == 0
    assert not AuditEvent.objects.filter(action=actions.USER_INVITED).exists()


@pytest.mark.parametrize("email", ["bob@acme.test", "BOB@ACME.TEST"])
def test_it_refuses_the_address_of_a_user_of_the_same_enterprise(
    admin_client, general_user, email, mailoutbox
):
    response = admin_client.post(INVITE_URL, _invite_form(email=email))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "A user with this email address already exists."
    ]
    assert Invitation.objects.count() == 0
    assert mailoutbox == []


def test_it_refuses_an_address_this_enterprise_already_invited(
    admin_client, enterprise, admin_user
):
    _invitation(enterprise, admin_user, email="nina@acme.test")
    response = admin_client.post(INVITE_URL, _invite_form(email="Nina@Acme.test"))
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "This email address already has a pending invitation."
    ]
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    "email", ["charlie@globex.test", "CHARLIE@globex.test", "staff@carrier.test"]
)
def test_an_address_held_elsewhere_gets_the_answer_of_a_sent_invitation(
    admin_client,
    enterprise,
    outsider,
    staff_user,
    email,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.ADMINS = ["ops@carrier.test"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INVITE_URL, _invite_form(email=email))
    run_jobs()

    assert response.status_code == 302
    page = admin_client.get(response.url).text
    assert f"An invitation was sent to {email.lower()}." in page
    # Nothing goes to the address; staff are told and sort it out.
    assert [message.to for message in mailoutbox] == [["ops@carrier.test"]]
    assert email.lower() in mailoutbox[0].subject
    assert "Acme Telecom" in mailoutbox[0].body
    event = AuditEvent.objects.get(action=actions.INVITATION_HELD_ELSEWHERE)
    assert (event.enterprise, event.actor_email) == (None, "alice@acme.test")
    assert event.details["email"] == email.lower()
    assert event.details["invited_to"] == str(enterprise)
    _looks_like_a_sent_invitation(admin_client, email.lower())


def _looks_like_a_sent_invitation(admin_client, email):
    """What Acme sees afterwards is what it sees after inviting a new address."""
    pending = Invitation.objects.filter(enterprise__name="Acme Telecom").pending()
    assert [invitation.email for invitation in pending] == [email]
    users_page = admin_client.get(reverse("accounts:users")).text
    assert f'<td data-label="Email">{email}</td>' in users_page
    audit_log = admin_client.get(reverse("audit:audit_log")).text
    assert email in audit_log
    again = admin_client.post(INVITE_URL, _invite_form(email=email))
    assert again.status_code == 200
    assert "This email address already has a pending invitation." in again.text


def test_an_address_another_enterprise_invited_gets_the_answer_of_a_sent_invitation(
    admin_client,
    other_enterprise,
    outsider,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.ADMINS = ["ops@carrier.test"]
    _invitation(other_enterprise, outsider, email="nina@acme.test")
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(INVITE_URL, _invite_form(email="Nina@Acme.test"))
    run_jobs()
    assert response.status_code == 302
    assert "An invitation was sent to nina@acme.test." in admin_client.get(response.url).text
    assert [message.to for message in mailoutbox] == [["ops@carrier.test"]]
    event = AuditEvent.objects.get(action=actions.INVITATION_HELD_ELSEWHERE)
    assert event.details["reason"] == (
        "The address has a pending invitation from another enterprise."
    )
    _looks_like_a_sent_invitation(admin_client, "nina@acme.test")


def test_resending_to_an_address_held_elsewhere_sends_nothing_to_it(
    admin_client,
    enterprise,
    admin_user,
    outsider,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.ADMINS = ["ops@carrier.test"]
    invitation, _token = _invitation(enterprise, admin_user, email="charlie@globex.test")
    url = reverse("accounts:resend_invitation", args=[invitation.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, follow=True)
    run_jobs()
    assert "A new invitation was sent to charlie@globex.test." in response.text
    assert [message.to for message in mailoutbox] == [["ops@carrier.test"]]


def test_it_replaces_an_expired_invitation_with_a_new_one(admin_client, enterprise, admin_user):
    old, _token = _invitation(enterprise, admin_user)
    Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=1))
    response = admin_client.post(INVITE_URL, _invite_form())
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert Invitation.objects.pending().get().pk != old.pk


@pytest.mark.parametrize("email", ["charlie@globex.test", "nina@acme.test"])
def test_an_invitation_nobody_accepted_says_so_and_can_be_withdrawn(
    admin_client, enterprise, admin_user, outsider, email
):
    # Whether another enterprise holds the address or not, Acme sees the same.
    invitation, _token = _invitation(enterprise, admin_user, email=email)
    eight_days_ago = timezone.now() - timedelta(days=8, hours=1)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=eight_days_ago, expires_at=eight_days_ago + timedelta(days=7)
    )
    page = admin_client.get(reverse("accounts:users")).text
    assert "Not accepted after 8 days: resend it, or revoke it to withdraw it." in page
    revoke_url = reverse("accounts:revoke_invitation", args=[invitation.public_id])
    assert revoke_url in page
    response = admin_client.post(revoke_url, follow=True)
    assert f"The invitation for {email} was revoked." in response.text
    assert "Not accepted after" not in response.text
    assert not Invitation.objects.pending().exists()


# Resending and revoking


def test_it_resends_an_invitation_with_a_new_link(
    admin_client,
    enterprise,
    admin_user,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    invitation, old_token = _invitation(enterprise, admin_user)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:resend_invitation", args=[invitation.public_id])
        )
    assert response.status_code == 302
    run_jobs()
    assert [message.to for message in mailoutbox] == [["nina@acme.test"]]
    invitation.refresh_from_db()
    assert not invitation.is_expired
    assert AuditEvent.objects.filter(action=actions.INVITATION_RESENT).count() == 1
    # The old link stops working; the new one works.
    assert admin_client.logout() is None
    assert admin_client.get(_accept_url(old_token)).status_code == 404
    new_link = _link_in(mailoutbox[0])
    assert admin_client.get(new_link.removeprefix(settings.SITE_URL)).status_code == 200


def test_it_revokes_an_invitation(admin_client, client, enterprise, admin_user):
    invitation, token = _invitation(enterprise, admin_user)
    response = admin_client.post(reverse("accounts:revoke_invitation", args=[invitation.public_id]))
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert AuditEvent.objects.filter(action=actions.INVITATION_REVOKED).count() == 1
    page = admin_client.get(reverse("accounts:users"))
    assert "The invitation for nina@acme.test was revoked." in page.text
    assert "No invitations are waiting to be accepted." in page.text

    admin_client.logout()
    response = client.get(_accept_url(token))
    assert response.status_code == 410
    assert "This invitation was withdrawn." in response.text


def test_it_asks_before_revoking(admin_client, enterprise, admin_user):
    invitation, _token = _invitation(enterprise, admin_user)
    url = reverse("accounts:revoke_invitation", args=[invitation.public_id])
    assert f'href="{url}" hx-get="{url}"' in admin_client.get(reverse("accounts:users")).text

    response = admin_client.get(url, headers={"HX-Request": "true", "HX-Target": "modal"})
    assert "<dialog" in response.text
    assert "Revoke the invitation for nina@acme.test?" in response.text
    assert f'<form method="post" action="{url}">' in response.text
    invitation.refresh_from_db()
    assert invitation.revoked_at is None
    assert not AuditEvent.objects.filter(action=actions.INVITATION_REVOKED).exists()


def test_it_says_so_when_revoking_twice(admin_client, enterprise, admin_user):
    invitation, _token = _invitation(enterprise, admin_user)
    url = reverse("accounts:revoke_invitation", args=[invitation.public_id])
    admin_client.post(url)
    response = admin_client.post(url, follow=True)
    assert "This invitation was already accepted or revoked." in response.text
    assert AuditEvent.objects.filter(action=actions.INVITATION_REVOKED).count() == 1
    # Opening the pop-up again says so at once, with nothing to confirm.
    response = admin_client.get(url)
    assert "This invitation was already accepted or revoked." in response.text
    assert f'action="{url}"' not in response.text


def test_an_invitation_from_staff_says_carrier_staff(
    acme_scope,
    admin_client,
    enterprise,
    staff_user,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_user(
            enterprise=enterprise,
            by=staff_user,
            ip_address=None,
            email="nina@acme.test",
            name="Nina New",
            role=role(Role.GENERAL_USER),
            portal_access=True,
            api_access=False,
            sms_access=False,
        )
    run_jobs()
    assert "Carrier staff invited you to use the Carrier Portal for Acme Telecom" in (
        mailoutbox[0].body
    )
    page = admin_client.get(reverse("accounts:users")).text
    assert '<td data-label="Invited by">Carrier staff</td>' in page
    assert "A former user" not in page


@pytest.mark.parametrize("name", ["accounts:resend_invitation", "accounts:revoke_invitation"])
def test_it_checks_ownership_of_invitations(client, outsider, enterprise, admin_user, name):
    invitation, _token = _invitation(enterprise, admin_user)
    client.force_login(outsider)
    response = client.post(reverse(name, args=[invitation.public_id]))
    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


@pytest.mark.parametrize("name", ["accounts:resend_invitation", "accounts:revoke_invitation"])
def test_it_requires_the_manage_users_permission_for_invitations(
    general_client, enterprise, admin_user, name
):
    invitation, _token = _invitation(enterprise, admin_user)
    response = general_client.post(reverse(name, args=[invitation.public_id]))
    assert response.status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_refuses_a_general_user_inviting(general_client):
    response = general_client.post(INVITE_URL, _invite_form())
    assert response.status_code == 403
    assert Invitation.objects.count() == 0


# Accepting


def test_it_accepts_an_invitation(client, enterprise, admin_user):
    invitation, token = _invitation(enterprise, admin_user)
    page = client.get(_accept_url(token))
    assert page.status_code == 200
    assert "Join Acme Telecom" in page.text
    assert "nina@acme.test" in page.text

    response = client.post(
        _accept_url(token),
        {"name": "Nina Newton", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")

    user = User.objects.get(email="nina@acme.test")
    assert user.name == "Nina Newton"
    assert user.enterprise == enterprise
    assert user.role.slug == Role.GENERAL_USER
    assert (user.portal_access, user.api_access, user.sms_access) == (True, True, False)
    assert user.check_password(NEW_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("nina@acme.test", True, True)
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.get(action=actions.INVITATION_ACCEPTED)
    assert (event.actor, event.enterprise) == (user, enterprise)

    # They are signed in.
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert "Successfully signed in as Nina Newton." in dashboard.text
    assert AuditEvent.objects.filter(action=actions.SIGN_IN, actor=user).count() == 1


def test_a_new_user_sets_up_mfa_at_once_when_the_enterprise_requires_it(
    client, enterprise, admin_user
):
    enterprise.require_mfa = True
    enterprise.save()
    _, token = _invitation(enterprise, admin_user)
    response = client.post(
        _accept_url(token),
        {"name": "Nina Newton", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[1][0] == reverse("mfa_activate_totp")
    assert "requires multi-factor authentication" in response.text


def test_the_new_user_can_sign_in_with_the_chosen_password(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user)
    client.post(
        _accept_url(token),
        {"name": "Nina Newton", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    client.logout()
    response = client.post(
        reverse("account_login"), {"login": "nina@acme.test", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
        ("", "Choose a password."),
    ],
)
def test_it_applies_the_password_rules(client, enterprise, admin_user, password, message):
    invitation, token = _invitation(enterprise, admin_user)
    response = client.post(
        _accept_url(token), {"name": "Nina", "password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert message in response.context["form"].errors["password1"]
    assert message in response.text
    assert not User.objects.filter(email="nina@acme.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_accepts_a_long_password_without_composition_rules(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user)
    password = "the quick brown fox jumps over the lazy dog again and again and again"
    assert len(password) > 64
    response = client.post(
        _accept_url(token), {"name": "Nina", "password1": password, "password2": password}
    )
    assert response.status_code == 302
    assert User.objects.get(email="nina@acme.test").check_password(password)


def test_it_refuses_different_passwords(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user)
    response = client.post(
        _accept_url(token),
        {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "!"},
    )
    assert response.context["form"].errors["password2"] == ["The two passwords differ."]
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_it_refuses_an_expired_link(client, enterprise, admin_user):
    invitation, token = _invitation(enterprise, admin_user)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    for response in (
        client.get(_accept_url(token)),
        client.post(
            _accept_url(token),
            {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        ),
    ):
        assert response.status_code == 410
        assert "This invitation has expired." in response.text
    assert not User.objects.filter(email="nina@acme.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_it_refuses_a_used_link(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user)
    data = {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    client.post(_accept_url(token), data)
    client.logout()
    response = client.post(_accept_url(token), {**data, "password1": "another password 99"})
    assert response.status_code == 410
    assert "This invitation was already used." in response.text
    assert User.objects.filter(email="nina@acme.test").count() == 1
    assert User.objects.get(email="nina@acme.test").check_password(NEW_PASSWORD)


def test_it_refuses_an_unknown_link(client, db):
    response = client.get(_accept_url("not-a-real-token"))
    assert response.status_code == 404
    assert "This invitation link is not valid." in response.text


def test_it_refuses_an_address_taken_since_the_invitation(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user)
    UserFactory(email="nina@acme.test", enterprise=enterprise)
    response = client.post(
        _accept_url(token), {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 410
    assert "A user with this email address already exists." in response.text
    assert User.objects.filter(email="nina@acme.test").count() == 1


def test_it_tells_a_signed_in_user_to_sign_out_first(admin_client, enterprise, admin_user):
    invitation, token = _invitation(enterprise, admin_user)
    response = admin_client.get(_accept_url(token))
    assert response.status_code == 200
    assert "Sign out first" in response.text
    response = admin_client.post(
        _accept_url(token), {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "Sign out first" in response.text
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    assert not User.objects.filter(email="nina@acme.test").exists()


def test_it_does_not_sign_in_an_invitee_without_portal_access(client, enterprise, admin_user):
    _, token = _invitation(enterprise, admin_user, portal_access=False)
    response = client.post(
        _accept_url(token),
        {"name": "Nina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Your account was created." in response.text
    assert "does not have Portal access" in response.text
    assert User.objects.filter(email="nina@acme.test", api_access=True).exists()
    assert not response.wsgi_request.user.is_authenticated
