"""The Audit Log's filters: who acted, who was acted upon, and a range of dates."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEvent
from audit.records import record
from audit.tests import actions
from core.actors import PORTAL, Actor

URL = reverse("audit:audit_log")


def shown(response):
    return [row["object"] for row in response.context["table"]["rows"]]


@pytest.fixture
def events(admin_user, general_user, read_only_user):
    """Alice changed Bob's role, reset Rita's MFA and invited Dana, on three days in March."""
    AuditEvent.objects.all().delete()
    made = [
        record(actions.ROLE_CHANGED, actor=admin_user, obj=general_user),
        record(actions.MFA_RESET, actor=admin_user, obj=read_only_user),
        record(actions.USER_INVITED, actor=admin_user, details={"email": "dana@acme.test"}),
    ]
    for day, made_event in enumerate(made, start=1):
        AuditEvent.objects.filter(pk=made_event.pk).update(
            created_at=datetime(2026, 3, day, 12, tzinfo=UTC)
        )
    return made


def test_the_actor_filter_matches_part_of_the_address(admin_client, events, general_user):
    record(actions.SIGN_IN, actor=general_user)
    response = admin_client.get(URL, {"actor": "ALICE"})
    assert {event.actor_email for event in shown(response)} == {"alice@acme.test"}
    assert len(shown(response)) == 3


def test_the_actor_filter_is_named_after_its_column(admin_client, events):
    page = admin_client.get(URL).text
    assert '<label for="filter_actor">Actor' in page
    assert "Actor email" not in page


def test_the_actor_filter_finds_nothing_of_another_enterprise(admin_client, events, outsider):
    record(actions.SIGN_IN, actor=outsider)
    assert shown(admin_client.get(URL, {"actor": "charlie"})) == []
    assert shown(admin_client.get(URL, {"actor": "globex"})) == []


def test_the_actor_filter_does_not_match_a_machine_by_an_address(admin_client, events, admin_user):
    # The portal and API keys act without an address: the Actor column shows their name.
    record(actions.SIGN_IN, actor=Actor.api_key("Billing sync"), obj=admin_user)
    record(actions.SIGN_IN, actor=PORTAL, obj=admin_user)
    response = admin_client.get(URL, {"actor": "alice"})
    assert shown(response) == events[::-1]


def test_the_actor_filter_sorts_by_actor(admin_client, events, general_user):
    record(actions.SIGN_IN, actor=general_user)
    response = admin_client.get(URL, {"actor": "alice", "sort": "-actor"})
    assert shown(response) == events[::-1]


def test_it_filters_by_the_user_acted_upon(admin_client, events):
    response = admin_client.get(URL, {"acted_upon": "bob gen"})
    assert shown(response) == [events[0]]
    assert "User: Bob General" in response.text


def test_the_acted_upon_filter_is_on_the_page(admin_client, events):
    page = admin_client.get(URL).text
    assert '<label for="filter_acted_upon">Acted upon</label>' in page


def test_the_acted_upon_filter_finds_nothing_of_another_enterprise(admin_client, events, outsider):
    record(actions.ROLE_CHANGED, actor=outsider, obj=outsider)
    response = admin_client.get(URL, {"acted_upon": "charlie"})
    assert shown(response) == []


def test_the_acted_upon_filter_can_use_the_trigram_index(events):
    queryset = AuditEvent.objects.filter(object_repr__icontains="bob")
    with connection.cursor() as cursor:
        # On a few rows a scan is cheaper: forbid it to see that the index can serve the search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        plan = queryset.explain()
    assert "audit_auditevent_object_repr_trgm" in plan


def test_a_range_of_one_day_is_fine(admin_client, admin_user, events):
    admin_user.time_zone = "UTC"
    admin_user.save(update_fields=["time_zone"])
    response = admin_client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert shown(response) == [events[1]]
    assert "From must be on or before To." not in response.text


def test_from_after_to_is_an_error_at_the_field(admin_client, events):
    response = admin_client.get(URL, {"date_from": "2026-03-03", "date_to": "2026-03-01"})
    assert response.status_code == 200
    form = response.context["table"]["table"].filterset.form
    assert form.errors == {"date_from": ["From must be on or before To."]}
    assert "From must be on or before To." in response.text
    # The dates stay as typed, for the user to correct.
    assert 'value="2026-03-03"' in response.text
    assert 'value="2026-03-01"' in response.text
    assert shown(response) == []
