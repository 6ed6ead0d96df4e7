"""The Audit Log page for Administrators, and the staff view in admin."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from audit.records import record
from audit.tests import actions
from tests.downloads import csv_rows

URL = reverse("audit:audit_log")


def event(enterprise, action=actions.SIGN_IN, *, actor=None, at=None, **fields):
    created = AuditEvent.objects.create(
        enterprise=enterprise,
        actor=actor,
        actor_email=actor.email if actor else fields.pop("actor_email", ""),
        action=action,
        **fields,
    )
    if at is not None:
        AuditEvent.objects.filter(pk=created.pk).update(created_at=at)
        created.refresh_from_db()
    return created


@pytest.fixture
def alice_client(admin_client):
    """Alice signed in, with the sign-in event that signing in records cleared."""
    AuditEvent.objects.all().delete()
    return admin_client


# The page


def test_it_lists_the_enterprises_events_newest_first(alice_client, admin_user, general_user):
    enterprise = admin_user.enterprise
    event(enterprise, actions.SIGN_IN, actor=general_user, at=timezone.now() - timedelta(hours=2))
    event(
        enterprise,
        actions.ROLE_CHANGED,
        actor=admin_user,
        object_type="user",
        object_repr="Bob General",
        ip_address="203.0.113.7",
        changes=[{"field": "Role", "before": "General User", "after": "Read Only"}],
        details={"note": "by request"},
    )
    response = alice_client.get(URL)
    assert response.status_code == 200
    page = response.text
    assert "<h1>Audit Log</h1>" in page
    for label in ("Time", "Action", "Actor", "Object", "Changes", "IP address", "Details"):
        assert f">{label}</a>" in page or f"{label}\n" in page or f">{label}<" in page
    rows = page[page.index("<tbody>") :]
    assert rows.index("Role changed") < rows.index("Signed in")
    assert "User: Bob General" in page
    assert "203.0.113.7" in page
    assert "Role: General User → Read Only" in page
    assert "Note: by request" in page
    assert "alice@acme.test" in page and "bob@acme.test" in page


def test_it_shows_times_in_the_viewers_time_zone(alice_client, admin_user):
    admin_user.time_zone = "America/Denver"
    admin_user.save(update_fields=["time_zone"])
    event(admin_user.enterprise, actor=admin_user, at=datetime(2026, 1, 15, 18, 30, 5, tzinfo=UTC))
    page = alice_client.get(URL).text
    assert "2026-01-15 11:30 MST" in page


def test_it_does_not_show_other_enterprises_events(alice_client, admin_user, outsider):
    event(outsider.enterprise, actions.USER_INVITED, actor=outsider)
    event(None, actions.SIGN_IN_FAILED, actor_email="nobody@example.com")
    page = alice_client.get(URL).text
    assert "charlie@globex.test" not in page
    assert "nobody@example.com" not in page
    assert "Nothing to show" in page


def test_it_is_for_administrators_only(client, general_user, read_only_user):
    for user in (general_user, read_only_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_the_menu_links_to_it_for_administrators(alice_client, client, general_user):
    assert f'href="{URL}"' in alice_client.get(reverse("dashboard")).text
    client.force_login(general_user)
    assert f'href="{URL}"' not in client.get(reverse("dashboard")).text


def test_it_pages_through_many_events(alice_client, admin_user):
    now = timezone.now()
    AuditEvent.objects.bulk_create(
        AuditEvent(
            enterprise=admin_user.enterprise,
            actor_email=f"user{number:03}@acme.test",
            action=actions.SIGN_IN,
            created_at=now - timedelta(minutes=number),
        )
        for number in range(60)
    )
    response = alice_client.get(URL)
    assert "user000@acme.test" in response.text
    assert "user050@acme.test" not in response.text
    next_url = response.context["table"]["next_url"]
    page = alice_client.get(URL + next_url).text
    assert "user050@acme.test" in page
    assert "user000@acme.test" not in page


def test_the_list_costs_the_same_queries_for_many_rows(
    alice_client, admin_user, django_assert_max_num_queries
):
    AuditEvent.objects.bulk_create(
        AuditEvent(enterprise=admin_user.enterprise, action=actions.SIGN_IN) for _ in range(50)
    )
    with django_assert_max_num_queries(12):
        alice_client.get(URL)


# Filters


@pytest.fixture
def some_events(admin_user, general_user):
    enterprise = admin_user.enterprise
    return [
        event(
            enterprise, actions.SIGN_IN, actor=general_user, at=datetime(2026, 3, 1, 12, tzinfo=UTC)
        ),
        event(
            enterprise,
            actions.SETTINGS_CHANGED,
            actor=admin_user,
            at=datetime(2026, 3, 2, 12, tzinfo=UTC),
        ),
        event(
            enterprise, actions.SIGN_IN, actor=admin_user, at=datetime(2026, 3, 3, 12, tzinfo=UTC)
        ),
    ]


def _shown(response):
    return [row["object"] for row in response.context["table"]["rows"]]


def test_it_filters_by_action(alice_client, some_events):
    response = alice_client.get(URL, {"action": actions.SIGN_IN})
    assert _shown(response) == [some_events[2], some_events[0]]


def test_it_filters_by_actor_email(alice_client, some_events):
    response = alice_client.get(URL, {"actor": "BOB@"})
    assert _shown(response) == [some_events[0]]


def test_it_filters_by_dates_in_the_viewers_zone(alice_client, admin_user, some_events):
    admin_user.time_zone = "Asia/Tokyo"  # 12:00 UTC is 21:00 the same day in Tokyo
    admin_user.save(update_fields=["time_zone"])
    response = alice_client.get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-02"})
    assert _shown(response) == [some_events[1]]
    response = alice_client.get(URL, {"date_from": "2026-03-02"})
    assert _shown(response) == [some_events[2], some_events[1]]


def test_a_bad_filter_shows_nothing_and_says_why(alice_client, some_events):
    response = alice_client.get(URL, {"date_from": "yesterday"})
    assert _shown(response) == []
    assert "From: enter a date, e.g. 2026-12-31." in response.text


# CSV download


def test_it_downloads_the_filtered_log_as_csv(alice_client, admin_user, some_events):
    admin_user.time_zone = "UTC"
    admin_user.save(update_fields=["time_zone"])
    response = alice_client.get(URL, {"format": "csv", "action": actions.SIGN_IN})
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = csv_rows(response)
    assert rows[0] == ["Time", "Action", "Actor", "Object", "Changes", "IP address", "Details"]
    assert [row[:3] for row in rows[1:]] == [
        ["2026-03-03 12:00 UTC", "Signed in", "alice@acme.test"],
        ["2026-03-01 12:00 UTC", "Signed in", "bob@acme.test"],
    ]


def test_the_csv_cannot_smuggle_spreadsheet_formulas(alice_client, admin_user):
    event(
        admin_user.enterprise,
        actor=admin_user,
        object_type="user",
        object_repr="x",
        details={"name": '=HYPERLINK("http://evil")'},
    )
    rows = csv_rows(alice_client.get(URL, {"format": "csv"}))
    assert rows[1][6].startswith("Name: =HYPERLINK")  # not at the start of the cell


def test_the_csv_is_for_administrators_only(client, general_user):
    client.force_login(general_user)
    assert client.get(URL, {"format": "csv"}).status_code == 403


# Staff see everything in the back office


def test_staff_see_all_events_in_admin(client, staff_user, admin_user, outsider):
    event(admin_user.enterprise, actions.USER_INVITED, actor=admin_user)
    event(outsider.enterprise, actions.SIGN_IN, actor=outsider)
    event(None, actions.SIGN_IN_FAILED, actor_email="nobody@example.com")
    client.force_login(staff_user)
    url = reverse("admin:audit_auditevent_changelist")
    page = client.get(url).text
    for email in ("alice@acme.test", "charlie@globex.test", "nobody@example.com"):
        assert email in page

    page = client.get(url, {"q": "globex"}).text
    assert "charlie@globex.test" in page
    assert "alice@acme.test" not in page

    page = client.get(url, {"action": actions.SIGN_IN_FAILED}).text
    assert "nobody@example.com" in page
    assert "alice@acme.test" not in page


def test_staff_cannot_edit_or_delete_events(client, staff_user, admin_user):
    audit_event = event(admin_user.enterprise, actor=admin_user)
    client.force_login(staff_user)
    response = client.get(reverse("admin:audit_auditevent_change", args=[audit_event.pk]))
    assert response.status_code == 200
    assert 'name="_save"' not in response.text
    response = client.post(reverse("admin:audit_auditevent_delete", args=[audit_event.pk]))
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=audit_event.pk).exists()


def test_customers_cannot_open_the_back_office(alice_client):
    response = alice_client.get(reverse("admin:audit_auditevent_changelist"))
    assert response.status_code in (302, 403)


# Events outlive the user who acted


def test_events_outlive_the_user(admin_user, general_user):
    audit_event = record(actions.SIGN_IN, actor=general_user, obj=general_user)
    general_user.delete()
    audit_event.refresh_from_db()
    assert audit_event.actor is None
    assert audit_event.actor_email == "bob@acme.test"
