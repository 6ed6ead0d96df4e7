"""Data tables (core.tables.DataTable): sorting, keyset pagination, column choice, CSV."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.http import QueryDict, StreamingHttpResponse
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html

from core.tables import Column, DataTable, csv_safe, datetime_text, row_compare, row_url
from tests.downloads import csv_rows
from tests.factories import UserFactory

User = get_user_model()


class PeopleTable(DataTable):
    """A small table over the enterprise's users, for these tests only."""

    name = "test-people"
    permission = "accounts.view_users"
    default_sort = "email"
    page_size = 3
    columns = [
        Column("email", "Email", sort_by="email", always=True),
        Column("name", "Name", sort_by="name"),
        Column("role", "Role", value=lambda user: user.role.name, export="role__name"),
        Column("phone", "Phone", default=False),
        Column("last_login", "Last login", sort_by="last_login", default=False),
    ]

    def get_queryset(self):
        return User.objects.filter(enterprise=self.user.enterprise).select_related("role")


def build(user, query="", table_class=PeopleTable):
    return table_class(user, QueryDict(query))


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


@pytest.mark.parametrize("sort", ["password", "-is_superuser", "role", "phone", "-"])
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
        # Nor one of this table under another sort, whose value is of another kind.
        "other-sort",
    ],
)
def test_it_starts_from_the_first_page_on_a_bad_or_foreign_cursor(namesakes, cursor):
    if cursor == "other-table":

        class OtherTable(PeopleTable):
            name = "test-other-people"

        cursor = build(namesakes, "sort=name", OtherTable).page()["next_cursor"]
    elif cursor == "other-sort":
        cursor = build(namesakes, "sort=email").page()["next_cursor"]
    page = build(namesakes, f"sort=name&after={cursor}").page()
    assert emails(page["rows"]) == emails(build(namesakes, "sort=name").page()["rows"])
    assert page["previous_cursor"] is None


def test_a_cursor_is_bound_to_the_direction_of_its_sort(namesakes):
    cursor = build(namesakes, "sort=name").page()["next_cursor"]
    page = build(namesakes, f"sort=-name&after={cursor}").page()
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
    return csv_rows(response)


def test_it_downloads_every_column_as_csv_not_only_those_shown(people):
    people.table_preferences = {PeopleTable.name: ["email", "role"]}
    people.save()
    people.phone = "+13035551234"
    people.save()
    table = build(people, "format=csv&sort=-name")
    assert table.wants_csv
    response = table.csv_response("people.csv")
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    rows = read_csv(response)
    assert rows[0] == ["Email", "Name", "Role", "Phone", "Last login"]
    # Every row, not only the first page, in the table's order.
    assert [row[:4] for row in rows[1:]] == [
        ["erin@acme.test", "Zulu Erin", "General User", ""],
        ["carl@acme.test", "Mike Carl", "General User", ""],
        ["bea@acme.test", "Bravo Bea", "General User", ""],
        ["dave@acme.test", "Alpha Dave", "General User", ""],
        ["alice@acme.test", "Alice Admin", "Administrator", "+13035551234"],
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
    "phone",
    ["Acme Telecom", "-12.50", "+13035551234", "-7", "", "-1+2", "+1 303 555 1234", "=1+1", "@x"],
)
def test_the_sql_export_neutralises_exactly_like_csv_safe(admin_user, phone):
    admin_user.phone = phone
    admin_user.save()
    rows = read_csv(build(admin_user, "format=csv").csv_response("people.csv"))
    assert rows[1][3] == csv_safe(phone)


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


def test_row_compare_is_one_row_value_comparison():
    queryset = User.objects.filter(row_compare(("name", "pk"), ">", ("Bea", 7)))
    sql, params = queryset.query.sql_with_params()
    assert '("accounts_user"."name", "accounts_user"."id") > (%s, %s)' in sql
    assert params == ("Bea", 7)
    assert " OR " not in sql


# NULLs and ties: last_login is NULL for those who never signed in.


@pytest.fixture
def logins(admin_user, enterprise):
    """Ten users: four never signed in, and two pairs signed in at the same instant."""
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    times = [None, at, at, None, at + timedelta(hours=1), None, at - timedelta(days=1)]
    times += [at + timedelta(hours=1), None]
    for number, last_login in enumerate(times):
        UserFactory(email=f"u{number}@acme.test", enterprise=enterprise, last_login=last_login)
    return admin_user


def walk(user, query, param, cursor_key):
    """Every page from the first, following the cursor cursor_key of each page."""
    pages = [build(user, query).page()]
    while pages[-1][cursor_key]:
        pages.append(build(user, f"{query}&{param}={pages[-1][cursor_key]}").page())
    return pages


@pytest.mark.parametrize("sort", ["last_login", "-last_login"])
def test_no_row_is_lost_at_nulls_and_ties_forward_and_back(logins, sort):
    query = f"sort={sort}"
    everyone = emails(build(logins, query).queryset)
    assert len(everyone) == 10
    forward = walk(logins, query, "after", "next_cursor")
    assert sum((emails(page["rows"]) for page in forward), []) == everyone

    # Back from the last page to the first, page by page.
    pages = [forward[-1]]
    while pages[-1]["previous_cursor"]:
        cursor = pages[-1]["previous_cursor"]
        pages.append(build(logins, f"{query}&before={cursor}").page())
    assert [emails(page["rows"]) for page in reversed(pages)] == [
        emails(page["rows"]) for page in forward
    ]


def test_nulls_come_last_in_ascending_order_and_first_in_descending(logins):
    ascending = list(build(logins, "sort=last_login").queryset)
    assert ascending[0].last_login is not None
    assert [user.last_login for user in ascending[-4:]] == [None] * 4
    descending = list(build(logins, "sort=-last_login").queryset)
    assert [user.last_login for user in descending[:4]] == [None] * 4


@pytest.mark.parametrize("sort", ["email", "-name"])
def test_a_deep_page_takes_as_many_queries_as_the_first(namesakes, sort):
    query = f"sort={sort}"
    with CaptureQueriesContext(connection) as first:
        first_page = build(namesakes, query).page()
    with CaptureQueriesContext(connection) as deeper:
        build(namesakes, f"{query}&after={first_page['next_cursor']}").page()
    assert len(first) == len(deeper) == 1


class LinkedPeopleTable(PeopleTable):
    name = "test-linked-people"
    columns = [
        Column("email", "Email", sort_by="email", link=row_url("accounts:user_edit")),
        Column("name", "Name", sort_by="name"),
        Column(
            "status",
            "Status",
            value=lambda user: "Active" if user.is_active else "Deactivated",
            badge=lambda user: "ok" if user.is_active else "",
        ),
        Column(
            "you",
            "You",
            html=lambda user, viewer: (
                format_html("<strong>{}</strong>", "you") if user == viewer else ""
            ),
        ),
    ]


def test_cells_are_links_badges_and_html_made_without_a_template_each(people, enterprise):
    from django.template.loader import render_to_string
    from django.test.signals import template_rendered

    UserFactory(
        email="mallory@acme.test", name="<b>Mallory</b>", enterprise=enterprise, is_active=False
    )
    rendered = []

    def note(sender, template, **kwargs):
        rendered.append(template.name)

    table = build(people, "sort=email", table_class=LinkedPeopleTable)
    table.page_size = 10
    template_rendered.connect(note)
    try:
        html = render_to_string("components/table.html", {"t": table.context()})
    finally:
        template_rendered.disconnect(note)

    assert rendered == ["components/table.html"]
    alice = reverse("accounts:user_edit", args=[people.public_id])
    assert f'<td data-label="Email"><a href="{alice}">alice@acme.test</a></td>' in html
    assert html.count('<td data-label="Status"><span class="badge badge--ok">Active</span>') == 5
    assert '<td data-label="Status"><span class="badge">Deactivated</span></td>' in html
    assert html.count("<strong>you</strong>") == 1
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in html
    assert "<b>Mallory</b>" not in html


def test_row_urls_are_those_reverse_gives(people):
    url_of = row_url("accounts:user_edit")
    for user in User.objects.filter(enterprise=people.enterprise):
        assert url_of(user) == reverse("accounts:user_edit", args=[user.public_id])


def test_times_are_time_elements_that_do_not_wrap(people):
    """A narrow column must not break a time as "2026-/12-07": the CSS keeps <time> whole."""
    people.last_login = datetime(2026, 12, 7, 15, 30, tzinfo=UTC)
    people.save(update_fields=["last_login"])
    column = PeopleTable.column_map()["last_login"]

    cell = column.html_of(people, people)

    assert cell == f'<time datetime="2026-12-07T15:30:00+00:00">{column.text_of(people)}</time>'
    assert column.text_of(people) and "<" not in column.text_of(people)


@pytest.mark.parametrize("zone", ["UTC", "America/Chicago", "Asia/Kolkata", "Australia/Lord_Howe"])
def test_times_read_as_django_writes_them_in_the_viewers_zone(zone):
    moments = [datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, 5, 7, 9, tzinfo=UTC)]
    with timezone.override(zone):
        for moment in moments:
            django_text = formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
            assert datetime_text(moment) == django_text
    with timezone.override("America/Chicago"):
        assert datetime_text(moments[1]) == "2026-07-01 00:07 CDT"


@override_settings(FORMAT_MODULE_PATH=None, DATETIME_FORMAT="N j, Y, P")
def test_times_in_a_format_strftime_cannot_write_are_written_by_django():
    with timezone.override("UTC"):
        assert datetime_text(datetime(2026, 7, 1, 17, 0, tzinfo=UTC)) == "July 1, 2026, 5 p.m."


def test_filter_labels_end_without_a_colon_like_form_labels(admin_client):
    page = admin_client.get(reverse("audit:audit_log")).text
    assert '<label for="filter_date_from">' in page
    assert ":</label>" not in page
