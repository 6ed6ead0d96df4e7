"""Services called as a worker or the API would: no request; the acting user and address given.

Each test acts for Acme inside its scope (acme_scope), as a job of Acme's runs: a service that
forgets the scope, or reaches another enterprise's rows, fails here.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts import actions, services
from accounts.models import Invitation, Role
from audit.models import AuditEvent
from tests.factories import role

WORKER_ADDRESS = "198.51.100.4"

pytestmark = pytest.mark.usefixtures("acme_scope")


def the_event(action):
    return AuditEvent.objects.get(action=action)


def test_enterprise_settings_record_who_from_where_and_what_changed(admin_user, enterprise):
    changes = services.update_enterprise_settings(
        enterprise,
        by=admin_user,
        ip_address=WORKER_ADDRESS,
        adr_delivery_enabled=False,
        require_mfa=True,
        time_zone="America/Chicago",
    )
    assert [change.field for change in changes] == ["Require MFA", "Time zone"]
    enterprise.refresh_from_db()
    assert enterprise.require_mfa is True
    event = the_event(actions.SETTINGS_CHANGED)
    assert (event.actor, event.ip_address, event.enterprise) == (
        admin_user,
        WORKER_ADDRESS,
        enterprise,
    )
    assert event.changes_in_words == (
        "Require MFA: off → on; Time zone: America/New_York → America/Chicago"
    )


def test_role_and_access_changes_are_recorded_in_words(admin_user, general_user):
    services.change_role_and_access(
        general_user,
        by=admin_user,
        ip_address=None,
        role=role(Role.ADMINISTRATOR),
        portal_access=True,
        api_access=True,
        sms_access=False,
    )
    role_event = the_event(actions.ROLE_CHANGED)
    assert role_event.actor == admin_user
    assert role_event.ip_address is None
    assert role_event.changes_in_words == "Role: General User → Administrator"
    access_event = the_event(actions.ACCESS_CHANGED)
    assert access_event.changes_in_words == "Access types: Portal → Portal, API"


def test_a_profile_change_is_recorded_in_words(general_user):
    changes = services.update_profile(
        general_user,
        by=general_user,
        ip_address=WORKER_ADDRESS,
        name="Bob General",
        phone="+13035551234",
        time_zone="",
    )
    assert len(changes) == 1
    general_user.refresh_from_db()
    assert general_user.phone == "+13035551234"
    event = the_event(actions.PROFILE_CHANGED)
    assert (event.actor, event.ip_address) == (general_user, WORKER_ADDRESS)
    assert event.changes == [{"field": "Phone", "before": "(none)", "after": "+13035551234"}]


def test_an_unchanged_profile_records_nothing(general_user):
    changes = services.update_profile(
        general_user, by=general_user, ip_address=None, name="Bob General", phone="", time_zone=""
    )
    assert changes == []
    assert not AuditEvent.objects.filter(action=actions.PROFILE_CHANGED).exists()


def test_invitations_record_who_and_from_where(admin_user, enterprise, mailoutbox, run_jobs):
    invitation = services.invite_user(
        enterprise=enterprise,
        by=admin_user,
        ip_address=WORKER_ADDRESS,
        email="new@acme.test",
        name="New Person",
        role=role(Role.GENERAL_USER),
        portal_access=True,
        api_access=False,
        sms_access=False,
    )
    services.resend_invitation(invitation, by=admin_user, ip_address=WORKER_ADDRESS)
    services.revoke_invitation(invitation, by=admin_user, ip_address=WORKER_ADDRESS)
    for action in (actions.USER_INVITED, actions.INVITATION_RESENT, actions.INVITATION_REVOKED):
        event = the_event(action)
        assert (event.actor, event.ip_address) == (admin_user, WORKER_ADDRESS)
        assert event.object_id == str(invitation.public_id)


def _expired_invitation(enterprise, by, email):
    invitation = Invitation(enterprise=enterprise, email=email, role=role(Role.GENERAL_USER))
    invitation.invited_by = by
    invitation.issue_token()
    invitation.expires_at = timezone.now() - timedelta(days=1)
    invitation.save()
    return invitation


def test_inviting_closes_only_this_enterprises_expired_invitation(
    admin_user, enterprise, outsider, other_enterprise
):
    with scopes_disabled():
        theirs = _expired_invitation(other_enterprise, outsider, "nina@example.test")
    ours = _expired_invitation(enterprise, admin_user, "nina@example.test")
    services.invite_user(
        enterprise=enterprise,
        by=admin_user,
        ip_address=WORKER_ADDRESS,
        email="Nina@example.test",
        name="Nina",
        role=role(Role.GENERAL_USER),
        portal_access=True,
        api_access=False,
        sms_access=False,
    )
    with scopes_disabled():
        theirs.refresh_from_db()
        assert theirs.revoked_at is None
        assert not AuditEvent.objects.filter(enterprise=other_enterprise).exists()
    ours.refresh_from_db()
    assert ours.revoked_at is not None
    event = the_event(actions.INVITATION_REVOKED)
    assert (event.enterprise, event.actor, event.object_id) == (
        enterprise,
        admin_user,
        str(ours.public_id),
    )


def test_the_invitee_is_the_actor_of_accepting(admin_user, enterprise):
    invitation = Invitation(
        enterprise=enterprise, email="new@acme.test", role=role(Role.GENERAL_USER)
    )
    invitation.issue_token()
    invitation.save()
    user = services.accept_invitation(
        invitation, ip_address=WORKER_ADDRESS, name="New Person", password="a long passphrase 42"
    )
    event = the_event(actions.INVITATION_ACCEPTED)
    assert (event.actor, event.ip_address, event.enterprise) == (user, WORKER_ADDRESS, enterprise)


def test_deactivating_and_reactivating_record_who_and_from_where(admin_user, general_user):
    services.deactivate_user(general_user, by=admin_user, ip_address=WORKER_ADDRESS)
    services.reactivate_user(general_user, by=admin_user, ip_address=WORKER_ADDRESS)
    for action in (actions.USER_DEACTIVATED, actions.USER_REACTIVATED):
        event = the_event(action)
        assert (event.actor, event.ip_address) == (admin_user, WORKER_ADDRESS)


def test_an_address_another_enterprise_invited_is_held_and_staff_are_told(
    admin_user,
    enterprise,
    outsider,
    mailoutbox,
    run_jobs,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.ADMINS = ["ops@carrier.test"]
    globex_invitation = Invitation(
        enterprise=outsider.enterprise,
        email="nina@acme.test",
        role=role(Role.GENERAL_USER),
        invited_by=outsider,
    )
    globex_invitation.issue_token()
    globex_invitation.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.invite_user(
            enterprise=enterprise,
            by=admin_user,
            ip_address=WORKER_ADDRESS,
            email="Nina@Acme.test",
            name="Nina New",
            role=role(Role.GENERAL_USER),
            portal_access=True,
            api_access=False,
            sms_access=False,
        )
    run_jobs()

    # Acme's pending invitation is there; nothing went to the address, staff were told.
    assert [each.email for each in Invitation.objects.pending()] == ["nina@acme.test"]
    assert [message.to for message in mailoutbox] == [["ops@carrier.test"]]
    with scopes_disabled():
        globex_invitation.refresh_from_db()
        assert globex_invitation.revoked_at is None
        event = AuditEvent.objects.get(action=actions.INVITATION_HELD_ELSEWHERE)
    assert event.enterprise is None
    assert event.details["reason"] == (
        "The address has a pending invitation from another enterprise."
    )
