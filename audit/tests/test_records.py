"""record(): who acted from where, what changed in words, and only declared actions."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.urls import reverse

from audit.actions import declare
from audit.models import AuditEvent
from audit.records import Change, client_ip, in_words, record
from audit.tests import actions

# An app declares its actions when it is imported; this test module is such an app. The audit
# log knows the new action at once: no migration, no list to edit.
SPROCKET_POLISHED = declare("audit_tests.sprocket.polished", "Sprocket polished")


def test_it_records_the_actor_object_and_address_it_is_given(admin_user, general_user, acme_scope):
    audit_event = record(
        actions.ROLE_CHANGED, actor=admin_user, ip_address="192.0.2.1", obj=general_user
    )
    audit_event.refresh_from_db()
    assert audit_event.actor == admin_user
    assert audit_event.actor_email == "alice@acme.test"
    assert audit_event.enterprise == general_user.enterprise
    assert audit_event.object_type == "user"
    assert audit_event.object_id == str(general_user.public_id)
    assert audit_event.object_repr == "Bob General"
    assert audit_event.ip_address == "192.0.2.1"
    assert audit_event.created_at.tzinfo is not None


def test_it_records_an_unknown_actor_by_email(db):
    audit_event = record(actions.SIGN_IN_FAILED, actor=None, actor_email="nobody@example.com")
    assert (audit_event.actor, audit_event.actor_email) == (None, "nobody@example.com")
    assert audit_event.enterprise is None
    assert audit_event.ip_address is None


def test_it_refuses_an_action_no_app_declares(admin_user, acme_scope):
    with pytest.raises(ValueError, match="audit.test.signed_inn"):
        record("audit.test.signed_inn", actor=admin_user)
    assert not AuditEvent.objects.exists()


def test_it_stores_changes_in_words(admin_user, general_user, acme_scope):
    when = datetime(2026, 3, 1, 7, 30, tzinfo=timezone(timedelta(hours=-5)))
    audit_event = record(
        SPROCKET_POLISHED,
        actor=admin_user,
        changes=[
            Change("Require MFA", False, True),
            Change("Phone", "", "+13035551234"),
            Change("Manager", None, general_user),
            Change("Access types", ["Portal"], []),
            Change("Polished at", None, when),
        ],
    )
    audit_event.refresh_from_db()
    assert audit_event.changes == [
        {"field": "Require MFA", "before": "off", "after": "on"},
        {"field": "Phone", "before": "(none)", "after": "+13035551234"},
        {"field": "Manager", "before": "(none)", "after": "Bob General"},
        {"field": "Access types", "before": "Portal", "after": "(none)"},
        {"field": "Polished at", "before": "(none)", "after": "2026-03-01T12:30:00+00:00"},
    ]
    assert audit_event.changes_in_words.startswith(
        "Require MFA: off → on; Phone: (none) → +13035551234; Manager: (none) → Bob General"
    )


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (True, "on"),
        (False, "off"),
        (None, "(none)"),
        ("", "(none)"),
        ([], "(none)"),
        (["Portal", "API", "SMS"], "Portal, API, SMS"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "2026-01-02T03:04:05+00:00"),
        (0, "0"),
    ],
)
def test_values_in_words(value, words):
    assert in_words(value) == words


def test_the_client_address_honours_trusted_proxies(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.2")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # a forwarded address is anyone's to forge
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.2"
    assert client_ip(None) is None


def test_a_newly_declared_action_can_be_filtered_on_without_a_migration(
    admin_client, admin_user, staff_user, client
):
    record(SPROCKET_POLISHED, actor=admin_user, ip_address="192.0.2.7")
    record(actions.SIGN_IN, actor=admin_user)
    url = reverse("audit:audit_log")
    page = admin_client.get(url).text
    assert f'<option value="{SPROCKET_POLISHED}">Sprocket polished</option>' in page

    response = admin_client.get(url, {"action": SPROCKET_POLISHED})
    shown = [row["object"] for row in response.context["table"]["rows"]]
    assert [event.action for event in shown] == [SPROCKET_POLISHED]
    assert "Sprocket polished" in response.text

    client.force_login(staff_user)
    admin_url = reverse("admin:audit_auditevent_changelist")
    page = client.get(admin_url).text
    assert "Sprocket polished" in page
    page = client.get(admin_url, {"action": SPROCKET_POLISHED}).text
    assert "192.0.2.7" in page
