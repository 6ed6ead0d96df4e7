"""The audit log's table at scale: substring search by index, paging by every column, CSV."""

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent, actor_addresses
from audit.tests import actions
from audit.views import AuditTable
from tests.downloads import csv_rows

URL = reverse("audit:audit_log")


@pytest.fixture
def events(admin_user, outsider):
    AuditEvent.objects.all().delete()
    enterprise = admin_user.enterprise
    for number in range(7):
        AuditEvent.objects.create(
            enterprise=enterprise,
            action=actions.SIGN_IN if number % 2 else actions.ROLE_CHANGED,
            actor_email=f"person{number % 3}@acme.test",
        )
    AuditEvent.objects.create(
        enterprise=outsider.enterprise, action=actions.SIGN_IN, actor_email="person1@globex.test"
    )
    return admin_user


def table(user, query=""):
    return AuditTable(user, QueryDict(query))


def test_the_actor_filter_matches_part_of_the_address(admin_client, events):
    response = admin_client.get(URL, {"actor": "SON1@acme"})
    shown = {row["object"].actor_email for row in response.context["table"]["rows"]}
    assert shown == {"person1@acme.test"}


def test_the_actor_filter_reads_events_by_an_actor_index(acme_scope, events):
    queryset = table(events, "actor=SON1&sort=actor").queryset
    with connection.cursor() as cursor:
        # On a few rows a scan is cheaper: forbid it to see that an index can serve the filter.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    # The index is searched for the matching address itself, not walked event by event.
    conditions = [line for line in plan.splitlines() if "Index Cond" in line]
    assert any("actor_email)::text = 'person1@acme.test'" in line for line in conditions)


def test_the_planner_keeps_statistics_on_every_actor_address(db):
    # With the default 100 most common addresses the planner misjudged how many events an
    # address has, and read and sorted them all where the newest page was at hand.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'audit_auditevent'::regclass AND attname = 'actor_email'"
        )
        assert cursor.fetchone() == (1000,)


def test_the_actor_addresses_are_the_enterprises_own_in_order(acme_scope, events, outsider):
    assert actor_addresses(events.enterprise_id) == [
        "person0@acme.test",
        "person1@acme.test",
        "person2@acme.test",
    ]


@pytest.mark.parametrize("search", ["", "&actor=person", "&actor=SON1@", "&actor=0@acme"])
@pytest.mark.parametrize("sort", ["action", "-action", "actor", "-actor", "time", "-time"])
def test_it_pages_through_every_sortable_column_without_losing_a_row(
    acme_scope, events, sort, search
):
    AuditTable.page_size = 2
    try:
        query = f"sort={sort}{search}"
        expected = [event.pk for event in table(events, query).queryset]
        pages = [table(events, query).page()]
        while pages[-1]["next_cursor"]:
            pages.append(table(events, f"{query}&after={pages[-1]['next_cursor']}").page())
    finally:
        AuditTable.page_size = 50
    assert [event.pk for page in pages for event in page["rows"]] == expected
    matching = {"": 7, "&actor=person": 7, "&actor=SON1@": 2, "&actor=0@acme": 3}[search]
    assert len(expected) == matching


@pytest.mark.parametrize("search", ["actor=person", "actor=0@acme"])
def test_every_page_of_an_actor_search_costs_the_same_queries(admin_client, events, search):
    AuditTable.page_size = 2
    try:
        admin_client.get(URL)  # what the first request of a session loads once
        with CaptureQueriesContext(connection) as first:
            response = admin_client.get(f"{URL}?{search}")
        with CaptureQueriesContext(connection) as second:
            admin_client.get(URL + response.context["table"]["next_url"])
    finally:
        AuditTable.page_size = 50
    assert len(first) == len(second)


def test_a_cursor_of_another_sort_starts_from_the_first_page(admin_client, events):
    AuditTable.page_size = 2
    try:
        cursor = admin_client.get(URL, {"sort": "action"}).context["table"]["next_url"]
        after = QueryDict(cursor[1:])["after"]
        response = admin_client.get(URL, {"sort": "time", "after": after})
    finally:
        AuditTable.page_size = 50
    assert response.status_code == 200
    assert response.context["table"]["previous_url"] is None


def test_the_csv_says_what_the_page_says(admin_client, admin_user, acme_scope):
    AuditEvent.objects.all().delete()
    admin_user.time_zone = "America/Denver"
    admin_user.save(update_fields=["time_zone"])
    AuditEvent.objects.create(
        enterprise=admin_user.enterprise,
        action=actions.ROLE_CHANGED,
        actor_email="alice@acme.test",
        object_type="user",
        object_repr="Bob General",
        ip_address="203.0.113.7",
        changes=[
            {"field": "Role", "before": "General User", "after": "Read Only"},
            {"field": "Access", "before": "Portal", "after": "Portal, API"},
        ],
        details={"sms_access": True, "note": "by request", "types": ["api_access", "sms"]},
    )
    response = admin_client.get(URL, {"format": "csv"})
    rows = csv_rows(response)
    page = table(admin_user)
    with timezone.override("America/Denver"):
        shown = [column.text_of(page.queryset.get()) for column in page.export_columns]
    for got, want in zip(rows[1], shown, strict=True):
        assert got == want


# The Acted upon search reads windows of the log (core.tables): here a glance is 4 rows, a window
# 8 and the count of matches further on stops at 5, so 30 events cross every edge.


@pytest.fixture
def searched(admin_user, outsider, monkeypatch):
    """30 events, a minute apart: Bob was acted upon in the oldest ten, Ann once among them,
    Carl in the twenty since."""
    for name, value in [("page_size", 3), ("search_glance", 4), ("search_window", 8)]:
        monkeypatch.setattr(AuditTable, name, value)
    monkeypatch.setattr(AuditTable, "search_cap", 5)
    AuditEvent.objects.all().delete()
    start = timezone.now() - timezone.timedelta(hours=1)
    for number in range(30):
        if number < 10:
            acted_upon = "Rare Ann" if number == 4 else f"Old Bob {number}"
        else:
            acted_upon = f"Carl {number}"
        AuditEvent.objects.create(
            enterprise=admin_user.enterprise,
            action=actions.SIGN_IN if number % 2 else actions.ROLE_CHANGED,
            actor_email="person@acme.test",
            object_type="user",
            object_repr=acted_upon,
            created_at=start + timezone.timedelta(minutes=number),
        )
    AuditEvent.objects.create(
        enterprise=outsider.enterprise, action=actions.SIGN_IN, object_repr="Old Bob of Globex"
    )
    return admin_user


def _every_page(user, query, direction="after"):
    pages = [table(user, query).page()]
    while True:
        cursor = pages[-1]["next_cursor" if direction == "after" else "previous_cursor"]
        if not cursor:
            return pages
        pages.append(table(user, f"{query}&{direction}={cursor}").page())


@pytest.mark.parametrize("search", ["bob", "carl", "ann", "l", "bob&action=" + actions.SIGN_IN])
@pytest.mark.parametrize("sort", ["-time", "time", "action", "-actor"])
def test_a_search_pages_through_every_match_once_forwards_and_back(
    acme_scope, searched, search, sort
):
    query = f"sort={sort}&acted_upon={search}"
    expected = [event.pk for event in table(searched, query).queryset]
    pages = _every_page(searched, query)
    assert [event.pk for page in pages for event in page["rows"]] == expected
    assert len(expected) == {"bob": 9, "carl": 20, "ann": 1, "l": 29}.get(search, 5)
    # Back from the last page to the first, through the same windows.
    last = pages[-1]["rows"][-1] if pages[-1]["rows"] else None
    if last is not None and len(pages) > 1:
        cursor = table(searched, query)._cursor_through(
            (last.created_at if "time" in sort else getattr(last, _SORTED[sort]), last.pk),
            backwards=True,
        )
        back = _every_page(searched, f"{query}&before={cursor}", direction="before")
        assert [event.pk for page in reversed(back) for event in page["rows"]] == expected


_SORTED = {"action": "action", "-actor": "actor_email"}


def test_a_page_stops_at_its_window_when_the_many_matches_are_further_on(admin_client, searched):
    # Bob's nine events are the oldest ten but one: more than the count's five, none in the
    # newest eight, so the first page says where it stopped and Next searches on.
    response = admin_client.get(URL, {"acted_upon": "bob"})
    page = response.content.decode()
    assert "No match in the rows searched so far." in page
    assert "The search stopped after 8 rows: Next searches on." in page
    assert response.context["table"]["next_url"]
    assert response.context["table"]["previous_url"] is None


def test_a_rare_match_far_back_is_on_the_first_page(acme_scope, searched):
    # One event beyond every window: the count finds it, and the page is complete.
    page = table(searched, "acted_upon=ann").page()
    assert [event.object_repr for event in page["rows"]] == ["Rare Ann"]
    assert page["next_cursor"] is None and not page["searched_on"]


def test_many_recent_matches_fill_the_page_from_the_glance(acme_scope, searched):
    with CaptureQueriesContext(connection) as queries:
        page = table(searched, "acted_upon=carl").page()
    assert [event.object_repr for event in page["rows"]] == ["Carl 29", "Carl 28", "Carl 27"]
    # The glance's edge and its matches: nothing is counted.
    reads = [query["sql"] for query in queries if "audit_auditevent" in query["sql"]]
    assert len(reads) == 2
    assert not any("enable_indexscan" in query["sql"] for query in queries)
