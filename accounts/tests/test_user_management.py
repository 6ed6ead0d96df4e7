from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import actions, services
from accounts.models import Role, User
from audit.models import AuditEvent
from tests.downloads import csv_rows
from tests.factories import UserFactory, role
from tests.totp import enable_totp

USERS_URL = reverse("accounts:users")
MODAL = {"HX-Request": "true", "HX-Target": "modal"}


def _url(name, user):
    return reverse(name, args=[user.public_id])


def _edit(client, user, *, role_slug, access, name=None, **kwargs):
    return client.post(
        _url("accounts:user_edit", user),
        {
            "name": user.name if name is None else name,
            "role": role(role_slug).pk,
            "access_types": access,
        },
        **kwargs,
    )


def _rows(response):
    return {row["object"].email: row for row in response.context["table"]["rows"]}


@pytest.fixture
def second_admin(enterprise):
    return UserFactory(
        email="adam@acme.test", name="Adam Admin", enterprise=enterprise, role=role("administrator")
    )


# The list


def test_it_lists_the_enterprises_users(
    admin_client, admin_user, general_user, read_only_user, outsider
):
    general_user.api_access = True
    general_user.last_login = datetime(2025, 1, 2, 12, 30, tzinfo=UTC)
    general_user.save()
    enable_totp(general_user)
    admin_user.time_zone = "Asia/Tokyo"
    admin_user.save()

    response = admin_client.get(USERS_URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert set(rows) == {"alice@acme.test", "bob@acme.test", "rita@acme.test"}
    text = response.text
    assert "Bob General" in text
    assert "General User" in text
    assert "Portal, API" in text
    # MFA is a badge: On for Bob, Off for the two others.
    assert text.count('<span class="badge badge--ok">On</span>') == 1
    assert text.count('<span class="badge badge--muted">Off</span>') == 2
    # Last login in the viewer's time zone (Tokyo is UTC+9).
    assert "2025-01-02 21:30 JST" in text
    assert rows["rita@acme.test"]["cells"][5][1] == "Never"
    assert "charlie@globex.test" not in text


def test_it_shows_user_management_in_the_menu_for_administrators_only(
    admin_client, client, general_user
):
    assert 'href="/users/"' in admin_client.get(reverse("dashboard")).text
    client.force_login(general_user)
    assert 'href="/users/"' not in client.get(reverse("dashboard")).text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "bob"}, {"bob@acme.test"}),
        ({"q": "ACME.TEST"}, {"alice@acme.test", "bob@acme.test", "rita@acme.test"}),
        ({"role": "read-only"}, {"rita@acme.test"}),
        ({"status": "deactivated"}, {"rita@acme.test"}),
        ({"status": "active"}, {"alice@acme.test", "bob@acme.test"}),
        ({"access": "sms"}, {"bob@acme.test"}),
    ],
)
def test_it_filters_users(admin_client, general_user, read_only_user, query, expected):
    general_user.sms_access = True
    general_user.save()
    read_only_user.is_active = False
    read_only_user.save()
    if "role" in query:
        query = {"role": role(query["role"]).pk}
    response = admin_client.get(USERS_URL, query)
    assert set(_rows(response)) == expected


def test_the_role_filter_lists_every_role_from_one_query(admin_client):
    admin_client.get(USERS_URL)  # what the first request of a session loads once
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(USERS_URL).content.decode()
    for name in Role.objects.values_list("name", flat=True):
        assert f">{name}</option>" in page
    # Not through a server-side cursor (DECLARE, then FETCH and CLOSE unseen here).
    assert not [query for query in queries if query["sql"].startswith("DECLARE")]


def test_it_downloads_the_list_as_csv(admin_client, admin_user, general_user, read_only_user):
    User.objects.filter(pk=admin_user.pk).update(last_login=datetime(2025, 3, 4, 5, 6, tzinfo=UTC))
    general_user.api_access = True
    general_user.save()
    enable_totp(general_user)
    read_only_user.is_active = False
    read_only_user.save()
    response = admin_client.get(USERS_URL, {"format": "csv", "status": "active"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    rows = csv_rows(response)
    assert rows[0] == [
        "Name",
        "Email",
        "Role",
        "Access types",
        "MFA",
        "Last login",
        "Status",
    ]
    assert rows[1:] == [
        [
            "Alice Admin",
            "alice@acme.test",
            "Administrator",
            "Portal",
            "Off",
            "2025-03-04 00:06 EST",
            "Active",
        ],
        ["Bob General", "bob@acme.test", "General User", "Portal, API", "On", "Never", "Active"],
    ]


def test_it_remembers_the_column_choice(admin_client, admin_user, general_user):
    admin_client.post(
        reverse("table_columns", args=["users"]),
        {"columns": ["name", "role"], "next": USERS_URL},
    )
    response = admin_client.get(USERS_URL)
    labels = [header["column"].label for header in response.context["table"]["headers"]]
    assert labels == ["Name", "Role", "Actions"]
    assert "bob@acme.test" not in response.text
    # The CSV has every column all the same.
    assert csv_rows(admin_client.get(USERS_URL, {"format": "csv"}))[0][:3] == [
        "Name",
        "Email",
        "Role",
    ]


def test_it_sorts_and_pages_through_users(admin_client, enterprise, admin_user, monkeypatch):
    from accounts.views.users import UserTable

    monkeypatch.setattr(UserTable, "page_size", 2)
    for number in range(3):
        UserFactory(email=f"user{number}@acme.test", name=f"Zed {number}", enterprise=enterprise)
    first = admin_client.get(USERS_URL, {"sort": "-email"})
    assert list(_rows(first)) == ["user2@acme.test", "user1@acme.test"]
    second = admin_client.get(USERS_URL + first.context["table"]["next_url"])
    assert list(_rows(second)) == ["user0@acme.test", "alice@acme.test"]
    by_login = admin_client.get(USERS_URL, {"sort": "last_login"})
    following = admin_client.get(USERS_URL + by_login.context["table"]["next_url"])
    seen = list(_rows(by_login)) + list(_rows(following))
    assert sorted(seen) == sorted(User.objects.values_list("email", flat=True))


def test_the_list_makes_the_same_number_of_queries_for_many_users(
    admin_client, enterprise, django_assert_max_num_queries
):
    for number in range(30):
        user = UserFactory(email=f"user{number}@acme.test", enterprise=enterprise)
        if number % 2:
            enable_totp(user)
    with django_assert_max_num_queries(12):
        response = admin_client.get(USERS_URL)
    assert len(response.context["table"]["rows"]) == 31
    with django_assert_max_num_queries(9):
        rows = csv_rows(admin_client.get(USERS_URL, {"format": "csv"}))
    assert len(rows) == 32


# Changing role and access types


def test_it_changes_role_and_access(admin_client, general_user):
    response = _edit(
        admin_client, general_user, role_slug=Role.BILLING, access=["portal_access", "api_access"]
    )
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert general_user.role.slug == Role.BILLING
    assert (general_user.portal_access, general_user.api_access) == (True, True)
    role_event = AuditEvent.objects.get(action=actions.ROLE_CHANGED)
    assert role_event.changes == [{"field": "Role", "before": "General User", "after": "Billing"}]
    assert role_event.actor.email == "alice@acme.test"
    assert role_event.object_id == str(general_user.public_id)
    access_event = AuditEvent.objects.get(action=actions.ACCESS_CHANGED)
    assert access_event.changes == [
        {"field": "Access types", "before": "Portal", "after": "Portal, API"}
    ]


def test_it_records_nothing_when_nothing_changes(admin_client, general_user):
    response = _edit(
        admin_client, general_user, role_slug=Role.GENERAL_USER, access=["portal_access"]
    )
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(
        action__in=[actions.ROLE_CHANGED, actions.ACCESS_CHANGED]
    ).exists()


def test_it_opens_the_edit_form_as_a_pop_up(admin_client, general_user):
    response = admin_client.get(_url("accounts:user_edit", general_user), headers=MODAL)
    assert "<dialog" in response.text
    assert "Edit Bob General" in response.text
    response = _edit(
        admin_client,
        general_user,
        role_slug=Role.READ_ONLY,
        access=["portal_access"],
        headers=MODAL,
    )
    assert response["HX-Redirect"] == USERS_URL


def test_it_refuses_bad_role_and_access_input(admin_client, general_user):
    response = admin_client.post(
        _url("accounts:user_edit", general_user), {"role": "", "access_types": ["everything"]}
    )
    errors = response.context["form"].errors
    assert errors["role"] == ["Choose a role."]
    assert "Choose access types from the list" in errors["access_types"][0]
    general_user.refresh_from_db()
    assert general_user.role.slug == Role.GENERAL_USER


def test_the_last_administrator_cannot_be_demoted(admin_client, admin_user):
    response = _edit(
        admin_client, admin_user, role_slug=Role.GENERAL_USER, access=["portal_access"]
    )
    assert response.status_code == 200
    message = (
        "Alice Admin is the last active Administrator of Acme Telecom who can use the portal. "
        "Make another user an Administrator first."
    )
    assert response.context["form"].errors["role"] == [message]
    assert "is the last active Administrator" in response.text
    admin_user.refresh_from_db()
    assert admin_user.role.slug == Role.ADMINISTRATOR
    assert not AuditEvent.objects.filter(action=actions.ROLE_CHANGED).exists()


def test_the_last_administrator_keeps_portal_access(admin_client, admin_user):
    response = _edit(admin_client, admin_user, role_slug=Role.ADMINISTRATOR, access=["api_access"])
    assert "is the last active Administrator" in response.context["form"].errors["access_types"][0]
    admin_user.refresh_from_db()
    assert (admin_user.portal_access, admin_user.api_access) == (True, False)


def test_an_administrator_can_be_demoted_when_another_remains(
    admin_client, admin_user, second_admin
):
    response = _edit(
        admin_client, second_admin, role_slug=Role.GENERAL_USER, access=["portal_access"]
    )
    assert response.status_code == 302
    second_admin.refresh_from_db()
    assert second_admin.role.slug == Role.GENERAL_USER


def test_an_administrator_who_demotes_themself_goes_to_the_dashboard(
    admin_client, admin_user, second_admin
):
    response = _edit(
        admin_client, admin_user, role_slug=Role.GENERAL_USER, access=["portal_access"]
    )
    assert response.url == reverse("dashboard")
    assert admin_client.get(USERS_URL).status_code == 403


def test_a_deactivated_administrator_does_not_count(admin_client, admin_user, second_admin):
    second_admin.is_active = False
    second_admin.save()
    response = _edit(admin_client, admin_user, role_slug=Role.READ_ONLY, access=["portal_access"])
    assert response.status_code == 200
    admin_user.refresh_from_db()
    assert admin_user.role.slug == Role.ADMINISTRATOR


# Deactivating and reactivating


def test_it_deactivates_a_user_and_ends_their_sessions(admin_client, general_user):
    bob = Client()
    bob.force_login(general_user)
    assert bob.get(reverse("dashboard")).status_code == 200

    confirm = admin_client.get(_url("accounts:deactivate_user", general_user), headers=MODAL)
    assert "<dialog" in confirm.text
    assert "Deactivate Bob General?" in confirm.text
    response = admin_client.post(_url("accounts:deactivate_user", general_user))
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert not general_user.is_active
    event = AuditEvent.objects.get(action=actions.USER_DEACTIVATED)
    assert (event.actor.email, event.object_id) == ("alice@acme.test", str(general_user.public_id))

    # Bob's open session ends with his next request.
    response = bob.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    page = admin_client.get(USERS_URL)
    assert "Bob General was deactivated." in page.text
    assert "Deactivated" in str(_rows(page)["bob@acme.test"]["cells"][6])


def test_a_deactivated_user_cannot_sign_in(client, general_user, password):
    general_user.is_active = False
    general_user.save()
    response = client.post(
        reverse("account_login"), {"login": general_user.email, "password": password}, follow=True
    )
    assert not response.wsgi_request.user.is_authenticated


def test_it_reactivates_a_user(admin_client, general_user):
    general_user.is_active = False
    general_user.save()
    response = admin_client.post(_url("accounts:reactivate_user", general_user))
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert general_user.is_active
    assert AuditEvent.objects.filter(action=actions.USER_REACTIVATED).count() == 1
    bob = Client()
    bob.force_login(general_user)
    assert bob.get(reverse("dashboard")).status_code == 200


def test_an_administrator_cannot_deactivate_themself(admin_client, admin_user, second_admin):
    response = admin_client.post(_url("accounts:deactivate_user", admin_user))
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.text
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert not AuditEvent.objects.filter(action=actions.USER_DEACTIVATED).exists()


def test_it_refuses_deactivating_a_deactivated_user(admin_client, general_user):
    general_user.is_active = False
    general_user.save()
    response = admin_client.post(_url("accounts:deactivate_user", general_user))
    assert "Bob General is already deactivated." in response.text


def test_the_last_administrator_cannot_be_deactivated(acme_scope, admin_user, staff_user):
    with pytest.raises(ValidationError, match="last active Administrator of Acme Telecom"):
        services.deactivate_user(admin_user, by=staff_user, ip_address=None)
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_an_administrator_can_deactivate_another_administrator(
    admin_client, admin_user, second_admin
):
    response = admin_client.post(_url("accounts:deactivate_user", second_admin))
    assert response.status_code == 302
    second_admin.refresh_from_db()
    assert not second_admin.is_active


# Who may do what


ADMIN_URLS = [
    ("accounts:invite_user", False),
    ("accounts:user_edit", True),
    ("accounts:deactivate_user", True),
    ("accounts:reactivate_user", True),
    ("accounts:reset_mfa", True),
    ("accounts:send_password_reset", True),
]


@pytest.mark.parametrize(("name", "takes_user"), ADMIN_URLS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_requires_the_manage_users_permission(
    client, general_user, read_only_user, name, takes_user, method
):
    url = reverse(name, args=[general_user.public_id] if takes_user else None)
    for persona in (general_user, read_only_user):
        client.force_login(persona)
        response = getattr(client, method)(url, {"role": role("administrator").pk})
        assert response.status_code == 403
    general_user.refresh_from_db()
    assert general_user.is_active
    assert general_user.role.slug == Role.GENERAL_USER


@pytest.mark.parametrize("name", [name for name, takes_user in ADMIN_URLS if takes_user])
def test_it_checks_ownership(client, outsider, general_user, name):
    client.force_login(outsider)
    assert client.get(_url(name, general_user)).status_code == 404
    assert client.post(_url(name, general_user)).status_code == 404
    general_user.refresh_from_db()
    assert general_user.is_active


@pytest.mark.parametrize(("name", "takes_user"), ADMIN_URLS)
def test_it_sends_anonymous_visitors_to_sign_in(client, general_user, name, takes_user):
    url = reverse(name, args=[general_user.public_id] if takes_user else None)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
