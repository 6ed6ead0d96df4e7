"""Data tables (core.tables.DataTable): sorting, keyset pagination, column choice, CSV."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from core.tables import Column, DataTable, csv_safe
from tests.factories import UserFactory


class PeopleTable(DataTable):
    """A small table over the enterprise's users, for these tests only."""

    name = "test-people"
    default_sort = "email"
    page_size = 3
    columns = [
        Column("email", "Email", sort_by="email", always=True),
        Column("name", "Name", sort_by="name"),
        Column("role", "Role", value=lambda user: user.role.name),
        Column("phone", "Phone", default=False),
    ]


def build(user, query=""):
    request = RequestFactory().get(f"/people/?{query}")
    request.user = user
    return PeopleTable(request, User.objects.filter(enterprise=user.enterprise))


def emails(rows):
    return [user.email for user in rows]


@pytest.fixture
def people(admin_user, enterprise):
    """Alice plus four colleagues whose names sort differently from their addresses."""
    for email, name in [
        ("dave@acme.test", "Alpha Dave"),
        ("erin@acme.test", "Zulu Erin"),
        ("carl@acme.test", "Mike Carl"),
        ("bea@acme.test", "Bravo Bea"),
    ]:
        UserFactory(email=email, name=name, enterprise=enterprise)
    return admin_user


def test_it_sorts_by_the_default_column(people):
    assert emails(build(people).page()["rows"]) == [
        "alice@acme.test",
        "bea@acme.test",
        "carl@acme.test",
    ]


def test_it_sorts_ascending_and_descending_by_a_column(people):
    ascending = build(people, "sort=name")
    assert [user.name for user in ascending.queryset] == [
        "Alice Admin",
        "Alpha Dave",
        "Bravo Bea",
        "Mike Carl",
        "Zulu Erin",
    ]
    descending = build(people, "sort=-name")
    assert [user.name for user in descending.queryset][:2] == ["Zulu Erin", "Mike Carl"]


def test_it_marks_the_sorted_column_and_links_to_the_reverse_order(people):
    context = build(people, "sort=name").context()
    name_header = next(h for h in context["headers"] if h["column"].key == "name")
    assert name_header["aria_sort"] == "ascending"
    assert name_header["sort_url"] == "?sort=-name"
    role_header = next(h for h in context["headers"] if h["column"].key == "role")
    assert role_header["sort_url"] is None


@pytest.mark.parametrize("sort", ["password", "-is_superuser", "role", "phone"])
def test_it_ignores_an_unknown_or_unsortable_sort(people, sort):
    table = build(people, f"sort={sort}")
    assert (table.sort_key, table.descending) == ("email", False)
    assert emails(table.page()["rows"])[0] == "alice@acme.test"


@pytest.fixture
def namesakes(admin_user, enterprise):
    """Seven users with the same name: only their primary keys tell them apart."""
    for number in range(7):
        UserFactory(email=f"same{number}@acme.test", name="Sam Same", enterprise=enterprise)
    return admin_user


def follow(user, query, cursor_param, cursor):
    return build(user, f"{query}&{cursor_param}={cursor}").page()


@pytest.mark.parametrize("sort", ["name", "-name"])
def test_it_pages_forward_and_back_through_equal_values(namesakes, sort):
    query = f"sort={sort}"
    expected = emails(build(namesakes, query).queryset)
    assert len(expected) == 8

    first = build(namesakes, query).page()
    assert first["previous_cursor"] is None
    second = follow(namesakes, query, "after", first["next_cursor"])
    third = follow(namesakes, query, "after", second["next_cursor"])
    assert third["next_cursor"] is None
    pages = [emails(page["rows"]) for page in (first, second, third)]
    assert [len(rows) for rows in pages] == [3, 3, 2]
    assert sum(pages, []) == expected

    back_to_second = follow(namesakes, query, "before", third["previous_cursor"])
    assert emails(back_to_second["rows"]) == pages[1]
    back_to_first = follow(namesakes, query, "before", back_to_second["previous_cursor"])
    assert emails(back_to_first["rows"]) == pages[0]
    assert back_to_first["previous_cursor"] is None
    assert back_to_first["next_cursor"] is not None


def test_it_offers_next_and_previous_links(namesakes):
    first = build(namesakes, "sort=name").context()
    assert first["previous_url"] is None and first["first_url"] is None
    assert first["next_url"].startswith("?sort=name&after=")
    second = build(namesakes, first["next_url"][1:]).context()
    assert "before=" in second["previous_url"]
    assert second["first_url"] == "?sort=name"


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "WzEsIDJd:1tampered:signature",
        # A genuine cursor of another table does not open this one.
        "other-table",
    ],
)
def test_it_ignores_a_tampered_cursor(namesakes, cursor):
    if cursor == "other-table":

        class OtherTable(PeopleTable):
            name = "test-other-people"

        request = RequestFactory().get("/")
        request.user = namesakes
        other = OtherTable(request, User.objects.all())
        cursor = other.page()["next_cursor"]
    page = build(namesakes, f"after={cursor}").page()
    assert emails(page["rows"]) == emails(build(namesakes).page()["rows"])
    assert page["previous_cursor"] is None


def test_it_summarises_the_rows_shown(namesakes, people):
    assert build(namesakes, "sort=-name").context()["summary"] == (
        "3 rows on this page, sorted by Name (descending)"
    )


def test_it_shows_the_default_columns(people):
    assert [column.key for column in build(people).visible_columns] == ["email", "name", "role"]


def test_it_saves_the_users_column_choice(admin_client, admin_user):
    response = admin_client.post(
        reverse("table_columns", args=[PeopleTable.name]),
        {"columns": ["phone", "no-such-column"], "next": "/help/?page=2"},
    )
    assert response.status_code == 302
    assert response.url == "/help/?page=2"
    admin_user.refresh_from_db()
    # Email is always shown; unknown columns are dropped.
    assert admin_user.table_preferences[PeopleTable.name] == ["email", "phone"]
    assert [column.key for column in build(admin_user).visible_columns] == ["email", "phone"]


def test_it_keeps_other_tables_column_choices(admin_client, admin_user):
    admin_user.table_preferences = {"audit": ["time", "action"]}
    admin_user.save()
    admin_client.post(reverse("table_columns", args=[PeopleTable.name]), {"columns": ["name"]})
    admin_user.refresh_from_db()
    assert admin_user.table_preferences == {
        "audit": ["time", "action"],
        PeopleTable.name: ["email", "name"],
    }


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/steal", "//evil.example/", "http://testserver.evil/"]
)
def test_it_redirects_only_within_the_portal(admin_client, next_url):
    response = admin_client.post(
        reverse("table_columns", args=[PeopleTable.name]), {"columns": ["name"], "next": next_url}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_it_ignores_an_unknown_table(admin_client, admin_user):
    response = admin_client.post(
        reverse("table_columns", args=["no-such-table"]), {"columns": ["name"]}
    )
    assert response.url == reverse("dashboard")
    admin_user.refresh_from_db()
    assert admin_user.table_preferences == {}


def read_csv(response):
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def test_it_downloads_the_visible_columns_as_csv(people):
    people.table_preferences = {PeopleTable.name: ["email", "role"]}
    people.save()
    table = build(people, "format=csv&sort=-name")
    assert table.wants_csv
    response = table.csv_response("people.csv")
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    rows = read_csv(response)
    assert rows[0] == ["Email", "Role"]
    # Every row, not only the first page, in the table's order.
    assert rows[1:] == [
        ["erin@acme.test", "General User"],
        ["carl@acme.test", "General User"],
        ["bea@acme.test", "General User"],
        ["dave@acme.test", "General User"],
        ["alice@acme.test", "Administrator"],
    ]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "+1+2", "-3+4", "@SUM(A1)", "\tTabbed", "\rReturn"]
)
def test_it_neutralises_formulas_in_csv_cells(admin_user, enterprise, name):
    UserFactory(email="formula@acme.test", name=name, enterprise=enterprise)
    rows = read_csv(build(admin_user, "format=csv").csv_response("people.csv"))
    row = next(row for row in rows if row[0] == "formula@acme.test")
    assert row[1] == "'" + name


@pytest.mark.parametrize(
    "value, text",
    [
        ("Acme Telecom", "Acme Telecom"),
        # Plain numbers are no formulas: amounts and E.164 numbers stay as they are.
        ("-12.50", "-12.50"),
        ("+13035551234", "+13035551234"),
        (-7, "-7"),
        (None, ""),
        ("-1+2", "'-1+2"),
        ("+1 303 555 1234", "'+1 303 555 1234"),
    ],
)
def test_it_leaves_ordinary_cells_alone(value, text):
    assert csv_safe(value) == text
