"""What accounts records in the audit log, in words, from the pages where people change things."""

import pytest
from django.urls import reverse

from accounts import actions
from accounts.models import Role
from audit.models import AuditEvent
from tests.downloads import csv_rows
from tests.factories import role

URL = reverse("audit:audit_log")


@pytest.fixture
def alice_client(admin_client):
    """Alice signed in, with the sign-in event that signing in records cleared."""
    AuditEvent.objects.all().delete()
    return admin_client


def test_changing_enterprise_settings_is_recorded(alice_client, admin_user):
    alice_client.post(
        reverse("accounts:enterprise_settings"),
        {"adr_delivery_enabled": "on", "time_zone": admin_user.enterprise.time_zone},
        REMOTE_ADDR="203.0.113.20",
    )
    audit_event = AuditEvent.objects.get(action=actions.SETTINGS_CHANGED)
    assert audit_event.actor == admin_user
    assert audit_event.enterprise == admin_user.enterprise
    assert audit_event.object_type == "enterprise"
    assert audit_event.object_id == str(admin_user.enterprise.public_id)
    assert audit_event.ip_address == "203.0.113.20"
    assert audit_event.changes == [
        {"field": "Application Data Record File Delivery", "before": "off", "after": "on"}
    ]
    shown = "Application Data Record File Delivery: off → on"
    assert shown in alice_client.get(URL).text
    rows = csv_rows(alice_client.get(URL, {"format": "csv"}))
    assert rows[1][4] == shown


def test_changing_ones_profile_is_recorded(client, general_user):
    client.force_login(general_user)
    client.post(
        reverse("accounts:my_account"),
        {"name": "Robert General", "phone": "+13035551234", "time_zone": "America/Denver"},
        REMOTE_ADDR="203.0.113.21",
    )
    audit_event = AuditEvent.objects.get(action=actions.PROFILE_CHANGED)
    assert audit_event.actor == general_user
    assert audit_event.enterprise == general_user.enterprise
    assert audit_event.ip_address == "203.0.113.21"
    assert audit_event.changes_in_words == (
        "Name: Bob General → Robert General; Phone: (none) → +13035551234; "
        "Time zone: (none) → America/Denver"
    )


def test_saving_an_unchanged_profile_records_nothing(client, general_user):
    client.force_login(general_user)
    client.post(
        reverse("accounts:my_account"),
        {"name": general_user.name, "phone": "", "time_zone": ""},
    )
    assert not AuditEvent.objects.filter(action=actions.PROFILE_CHANGED).exists()


def test_role_and_access_changes_are_shown_in_words(alice_client, general_user):
    alice_client.post(
        reverse("accounts:user_edit", args=[general_user.public_id]),
        {
            "name": general_user.name,
            "role": role(Role.ADMINISTRATOR).pk,
            "access_types": ["portal_access", "api_access"],
        },
    )
    page = alice_client.get(URL).text
    assert "Role: General User → Administrator" in page
    assert "Access types: Portal → Portal, API" in page
