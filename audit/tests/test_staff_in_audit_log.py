"""Customers see "Carrier staff" where staff acted, as the timelines say: not who, nor where."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.records import record
from audit.tests import actions
from core.actors import Actor
from tests.downloads import csv_rows

URL = reverse("audit:audit_log")
STAFF_ADDRESS = "203.0.113.9"
ALICE_ADDRESS = "198.51.100.7"


@pytest.fixture
def events(admin_user, staff_user):
    AuditEvent.objects.all().delete()
    AuditEvent.objects.create(
        enterprise=admin_user.enterprise,
        action=actions.SETTINGS_CHANGED,
        actor=staff_user,
        actor_email=staff_user.email,
        ip_address=STAFF_ADDRESS,
    )
    AuditEvent.objects.create(
        enterprise=admin_user.enterprise,
        action=actions.ROLE_CHANGED,
        actor=admin_user,
        actor_email=admin_user.email,
        ip_address=ALICE_ADDRESS,
    )


def test_the_page_says_carrier_staff_without_their_address(admin_client, events):
    page = admin_client.get(URL).text
    assert "Carrier staff" in page
    assert "staff@carrier.test" not in page
    assert STAFF_ADDRESS not in page
    # The customer's own people are named, with where they acted from.
    assert "alice@acme.test" in page
    assert ALICE_ADDRESS in page


def test_the_csv_says_the_same(admin_client, events):
    rows = csv_rows(admin_client.get(URL, {"format": "csv"}))
    header, *body = rows
    by_action = {row[header.index("Action")]: row for row in body}
    staff_row = by_action["Enterprise Settings changed"]
    assert staff_row[header.index("Actor")] == "Carrier staff"
    assert staff_row[header.index("IP address")] == ""
    alice_row = by_action["Role changed"]
    assert alice_row[header.index("Actor")] == "alice@acme.test"
    assert alice_row[header.index("IP address")] == ALICE_ADDRESS
    assert "staff@carrier.test" not in str(rows)


def _shown_actions(response):
    return [row["object"].action for row in response.context["table"]["rows"]]


@pytest.mark.parametrize("term", ["staff@carrier.test", "carrier.test", "STAFF@"])
def test_the_actor_filter_does_not_find_a_staff_members_address(admin_client, events, term):
    response = admin_client.get(URL, {"actor": term})
    assert _shown_actions(response) == []
    assert "Carrier staff" not in response.text.split("<tbody>")[-1]


@pytest.mark.parametrize("term", ["Carrier staff", "carrier", "STAFF"])
def test_the_actor_filter_finds_staff_by_what_customers_see(admin_client, events, term):
    response = admin_client.get(URL, {"actor": term})
    assert _shown_actions(response) == [actions.SETTINGS_CHANGED]
    assert "staff@carrier.test" not in response.text


def test_staff_acting_through_a_service_are_found_the_same_way(
    admin_client, admin_user, staff_user, events
):
    record(actions.MFA_RESET, actor=Actor.of_user(staff_user), obj=admin_user)
    assert _shown_actions(admin_client.get(URL, {"actor": "staff@carrier"})) == []
    shown = _shown_actions(admin_client.get(URL, {"actor": "carrier staff"}))
    assert sorted(shown) == sorted([actions.SETTINGS_CHANGED, actions.MFA_RESET])


def test_the_actor_filter_still_finds_the_customers_own_people(admin_client, events):
    response = admin_client.get(URL, {"actor": "alice@"})
    assert _shown_actions(response) == [actions.ROLE_CHANGED]
