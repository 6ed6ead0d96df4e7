"""The staff back office: every list page works, RQ's job views are for staff, roles apply.

Each app lists its models' pages, with rows to show, in <app>/tests/admin_cases.py.
"""

from contextlib import ExitStack
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts import actions
from accounts.models import Role
from accounts.permissions import (
    MANAGE_ENTERPRISE_SETTINGS,
    MANAGE_USERS,
    VIEW_ENTERPRISE_SETTINGS,
)
from audit.models import AuditEvent
from audit.permissions import VIEW_AUDIT_LOG

from .factories import role

# Personas are looked up by name, so the database use must be declared for pytest-django
# to order these tests before the browser tests, which flush the database.
pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("accounts:enterprise_settings")
SETTINGS_FORM = 'name="adr_delivery_enabled"'


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _case_modules():
    """The admin_cases module of each app that has one (tests/admin_cases.py says what it holds)."""
    names = [f"{app}.tests.admin_cases" for app in settings.PORTAL_APPS]
    return [import_module(name) for name in names if find_spec(name)]


CHANGELISTS = {
    label: case for module in _case_modules() for label, case in module.CHANGELISTS.items()
}


@pytest.fixture
def records(enterprise, admin_user, general_user):
    """Rows of each kind the back office lists; the values their filters name."""
    values = {"ent": enterprise.pk}
    with ExitStack() as stack:
        for module in _case_modules():
            if hasattr(module, "in_place"):
                stack.enter_context(module.in_place())
            values.update(module.records(enterprise, admin_user, general_user))
        yield values


def test_every_back_office_model_of_ours_is_listed_by_its_app():
    registered = {model._meta.label_lower for model in admin.site._registry}
    ours = {label for label in registered if label.split(".")[0] in settings.PORTAL_APPS}
    assert ours == set(CHANGELISTS)


def changelist_url(label):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


@pytest.mark.parametrize("label", sorted(CHANGELISTS))
def test_each_list_loads_with_a_search_and_a_filter(staff_client, records, label):
    case = CHANGELISTS[label]
    url = changelist_url(label)

    response = staff_client.get(url)
    assert response.status_code == 200
    assert case.shows in response.text

    # A bad filter makes the admin redirect with ?e=1: 200 proves the filter is known.
    response = staff_client.get(f"{url}?q={case.search}&{case.filters.format(**records)}")
    assert response.status_code == 200
    assert case.shows in response.text

    response = staff_client.get(f"{url}?q=nothing-matches-this")
    assert response.status_code == 200
    assert case.shows not in response.text


@pytest.mark.parametrize("label", sorted(CHANGELISTS))
def test_customers_cannot_open_the_lists(client, admin_user, label):
    client.force_login(admin_user)
    response = client.get(changelist_url(label))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


RQ_PAGES = [
    reverse("django_rq:home"),
    reverse("django_rq:jobs", args=[0]),
    reverse("django_rq:failed_jobs", args=[0]),
    reverse("django_rq:scheduled_jobs", args=[0]),
]


@pytest.mark.parametrize("url", RQ_PAGES)
def test_staff_see_the_job_queues(staff_client, url):
    assert staff_client.get(url).status_code == 200


@pytest.mark.parametrize("url", RQ_PAGES)
@pytest.mark.parametrize("persona", [None, "admin_user", "general_user"])
def test_only_staff_see_the_job_queues(client, url, persona, request):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_the_queue_statistics_need_staff_too(admin_client):
    assert admin_client.get(reverse("django_rq:home_json")).status_code == 401


def save_role_permissions(staff_client, the_role, permissions):
    response = staff_client.post(
        reverse("admin:accounts_role_change", args=[the_role.pk]),
        {
            "name": the_role.name,
            "slug": the_role.slug,
            "description": the_role.description,
            "permissions": list(permissions),
        },
    )
    assert response.status_code == 302, response.text


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_taking_a_permission_from_a_role_affects_everyone_who_holds_it(
    staff_client, admin_user, outsider
):
    alice, charlie = signed_in(admin_user), signed_in(outsider)
    for client in (alice, charlie):
        assert SETTINGS_FORM in client.get(SETTINGS_URL).text

    administrator = role(Role.ADMINISTRATOR)
    save_role_permissions(
        staff_client,
        administrator,
        [code for code in administrator.permissions if code != MANAGE_ENTERPRISE_SETTINGS],
    )

    # They may still look at the settings, no longer change them.
    for client in (alice, charlie):
        response = client.get(SETTINGS_URL)
        assert response.status_code == 200
        assert SETTINGS_FORM not in response.text
        assert client.post(SETTINGS_URL, {"adr_delivery_enabled": "on"}).status_code == 403

    administrator.refresh_from_db()
    save_role_permissions(
        staff_client,
        administrator,
        [code for code in administrator.permissions if code != VIEW_ENTERPRISE_SETTINGS],
    )
    assert alice.get(SETTINGS_URL).status_code == 403
    assert charlie.get(SETTINGS_URL).status_code == 403
    assert SETTINGS_URL not in alice.get(reverse("dashboard")).text


def test_giving_a_permission_to_a_role_affects_everyone_who_holds_it(
    staff_client, general_user, read_only_user
):
    bob = signed_in(general_user)
    assert bob.get(SETTINGS_URL).status_code == 403

    general = role(Role.GENERAL_USER)
    save_role_permissions(staff_client, general, [*general.permissions, MANAGE_ENTERPRISE_SETTINGS])

    # Changing the settings includes seeing them.
    response = bob.get(SETTINGS_URL)
    assert response.status_code == 200
    assert SETTINGS_FORM in response.text
    assert SETTINGS_FORM not in signed_in(read_only_user).get(SETTINGS_URL).text


def test_the_role_form_groups_permissions_by_app_and_is_audited(staff_client, staff_user):
    general = role(Role.GENERAL_USER)
    page = staff_client.get(reverse("admin:accounts_role_change", args=[general.pk])).text
    assert "Customers and users" in page
    assert "Audit log" in page
    assert "Change Enterprise Settings" in page

    save_role_permissions(staff_client, general, [*general.permissions, VIEW_AUDIT_LOG])

    event = AuditEvent.objects.get(action=actions.ROLE_PERMISSIONS_CHANGED)
    assert event.actor == staff_user
    assert event.object_repr == "General User"
    assert event.details == {"added": ["See the audit log and download it"], "removed": []}


# The permission matrix

MATRIX_URL = reverse("admin:accounts_role_matrix")


def matrix_data(**changes):
    """The matrix as it stands, each role's codes replaced by changes[slug] where given."""
    return {
        f"role-{each.pk}": changes.get(each.slug.replace("-", "_"), each.permissions)
        for each in Role.objects.all()
    }


def test_the_role_list_links_to_the_permission_matrix(staff_client):
    page = staff_client.get(reverse("admin:accounts_role_changelist")).text
    assert f'href="{MATRIX_URL}"' in page


def test_the_matrix_shows_every_role_against_every_permission_by_app(staff_client):
    response = staff_client.get(MATRIX_URL)
    assert response.status_code == 200
    page = response.text[response.text.index('id="permission-matrix"') :]
    for each in Role.objects.all():
        assert f'<th scope="col">{each.name}</th>' in page
    for app, label in [("Customers and users", "Invite users"), ("Audit log", "See the audit log")]:
        assert page.index(f'<th scope="rowgroup" colspan="5">{app}</th>') < page.index(label)
    general = role(Role.GENERAL_USER)
    admin_role = role(Role.ADMINISTRATOR)
    checked = f'name="role-{admin_role.pk}" value="{MANAGE_USERS}" checked'
    assert checked in page
    assert f'name="role-{general.pk}" value="{MANAGE_USERS}">' in page
    assert "Also allowed by: Invite users, change their role" in page


def test_saving_the_matrix_changes_every_holder_at_once(
    staff_client, staff_user, admin_user, general_user, outsider
):
    alice, bob, charlie = signed_in(admin_user), signed_in(general_user), signed_in(outsider)
    audit_url = reverse("audit:audit_log")
    assert bob.get(SETTINGS_URL).status_code == 403

    administrator = role(Role.ADMINISTRATOR)
    response = staff_client.post(
        MATRIX_URL,
        matrix_data(
            general_user=[*role(Role.GENERAL_USER).permissions, MANAGE_ENTERPRISE_SETTINGS],
            administrator=[code for code in administrator.permissions if code != VIEW_AUDIT_LOG],
        ),
        follow=True,
    )
    assert "The permissions of Administrator, General User were saved." in response.text

    assert bob.get(SETTINGS_URL).status_code == 200
    assert alice.get(audit_url).status_code == 403
    assert charlie.get(audit_url).status_code == 403

    events = {
        event.object_repr: event
        for event in AuditEvent.objects.filter(action=actions.ROLE_PERMISSIONS_CHANGED)
    }
    assert set(events) == {"Administrator", "General User"}
    assert all(event.actor == staff_user for event in events.values())
    assert events["General User"].details == {
        "added": ["Change Enterprise Settings"],
        "removed": [],
    }
    assert events["Administrator"].details == {
        "added": [],
        "removed": ["See the audit log and download it"],
    }


def test_saving_an_unchanged_matrix_changes_nothing(staff_client):
    before = {each.slug: each.permissions for each in Role.objects.all()}
    response = staff_client.post(MATRIX_URL, matrix_data(), follow=True)
    assert "Nothing changed." in response.text
    assert {each.slug: each.permissions for each in Role.objects.all()} == before
    assert not AuditEvent.objects.filter(action=actions.ROLE_PERMISSIONS_CHANGED).exists()


def test_the_matrix_ignores_codes_no_app_declares(staff_client):
    staff_client.post(MATRIX_URL, matrix_data(read_only=["accounts.rule_the_world"]))
    assert role(Role.READ_ONLY).permissions == []


def test_customers_cannot_open_the_matrix(client, admin_user):
    client.force_login(admin_user)
    before = role(Role.GENERAL_USER).permissions
    for response in (
        client.get(MATRIX_URL),
        client.post(MATRIX_URL, matrix_data(general_user=[MANAGE_USERS])),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    assert role(Role.GENERAL_USER).permissions == before


def test_staff_who_may_not_change_roles_cannot_save_the_matrix(client, staff_user):
    staff_user.is_superuser = False
    staff_user.save()
    client.force_login(staff_user)
    assert client.get(MATRIX_URL).status_code == 403
    assert client.post(MATRIX_URL, matrix_data(general_user=[MANAGE_USERS])).status_code == 403
    assert MANAGE_USERS not in role(Role.GENERAL_USER).permissions


def test_groups_are_not_in_the_back_office():
    assert Group not in admin.site._registry


def test_the_back_office_reads_as_one_product(staff_client):
    response = staff_client.get(reverse("admin:index"))
    sections = [app["name"] for app in response.context["app_list"]]
    assert len(sections) == len(set(sections))
    for section in ("Customers and users", "Audit log", "Background jobs", "Help & Support"):
        assert section in sections
    # RQ's own pages are reached from the failed jobs, not listed as an app of their own.
    assert "Django_Rq" not in sections
    assert reverse("django_rq:home") not in response.text


def test_the_failed_jobs_page_links_to_the_job_queues(staff_client):
    page = staff_client.get(reverse("admin:core_job_failed")).text
    assert f'<a href="{reverse("django_rq:home")}">Job queues</a>' in page
