"""The staff back office: every list page works, RQ's job views are for staff, roles apply."""

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from accounts import actions
from accounts.models import Application, Invitation, Role
from accounts.permissions import MANAGE_ENTERPRISE_SETTINGS
from audit.records import record
from support.models import Contact, Faq

from .factories import role

# Personas are looked up by name, so the database use must be declared for pytest-django
# to order these tests before the browser tests, which flush the database.
pytestmark = pytest.mark.django_db

SETTINGS_URL = reverse("accounts:enterprise_settings")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def records(enterprise, admin_user, general_user):
    """One row of each kind the back office lists."""
    engage = Application.objects.create(
        name="Engage", icon="EN", launch_url="https://apps.example.com/engage"
    )
    enterprise.applications.add(engage)
    invitation = Invitation(
        enterprise=enterprise,
        email="new@acme.test",
        role=role(Role.GENERAL_USER),
        invited_by=admin_user,
    )
    invitation.issue_token()
    invitation.save()
    record(actions.SIGN_IN, actor=admin_user, obj=admin_user)
    Faq.objects.create(topic="Porting", question="How long does a port take?", answer="15 days.")
    Contact.objects.create(
        team=Contact.Team.SUPPORT, label="Network Operations Center", phone="+1 877-555-0100"
    )


# model: (search, filter, text the page must show); filters are those of each ModelAdmin.
CHANGELISTS = {
    "accounts.enterprise": (
        "acme",
        "status__exact=active&applications__id__exact={app}",
        "ACC000001",
    ),
    "accounts.user": ("alice", "is_active__exact=1&enterprise__id__exact={ent}", "alice@acme.test"),
    "accounts.role": ("admin", "", "Administrator"),
    "accounts.application": ("eng", "", "https://apps.example.com/engage"),
    "accounts.invitation": ("new@", "enterprise__id__exact={ent}", "new@acme.test"),
    "audit.auditevent": (
        "alice",
        "enterprise__id__exact={ent}",
        "alice@acme.test",
    ),
    "support.faq": ("port", "published__exact=1&topic=Porting", "How long does a port take?"),
    "support.contact": ("877", "team__exact=support", "Network Operations Center"),
}
OUR_APPS = set(settings.PORTAL_APPS)


def test_every_back_office_model_of_ours_is_listed_here():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert {label for label in registered if label.split(".")[0] in OUR_APPS} == set(CHANGELISTS)


def changelist_url(label):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_changelist")


@pytest.mark.parametrize("label", sorted(CHANGELISTS))
def test_each_list_loads_with_a_search_and_a_filter(staff_client, records, enterprise, label):
    search, filters, shown = CHANGELISTS[label]
    filters = filters.format(ent=enterprise.pk, app=Application.objects.get().pk)
    url = changelist_url(label)

    response = staff_client.get(url)
    assert response.status_code == 200
    assert shown in response.text

    # A bad filter makes the admin redirect with ?e=1: 200 proves the filter is known.
    response = staff_client.get(f"{url}?q={search}&{filters}")
    assert response.status_code == 200
    assert shown in response.text

    response = staff_client.get(f"{url}?q=nothing-matches-this")
    assert response.status_code == 200
    assert shown not in response.text


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


def test_taking_a_permission_from_a_role_affects_everyone_who_holds_it(
    staff_client, admin_user, outsider
):
    alice, charlie = Client(), Client()
    alice.force_login(admin_user)
    charlie.force_login(outsider)
    assert alice.get(SETTINGS_URL).status_code == 200
    assert charlie.get(SETTINGS_URL).status_code == 200

    administrator = role(Role.ADMINISTRATOR)
    save_role_permissions(
        staff_client,
        administrator,
        [code for code in administrator.permissions if code != MANAGE_ENTERPRISE_SETTINGS],
    )

    assert alice.get(SETTINGS_URL).status_code == 403
    assert charlie.get(SETTINGS_URL).status_code == 403
    assert SETTINGS_URL not in alice.get(reverse("dashboard")).text


def test_giving_a_permission_to_a_role_affects_everyone_who_holds_it(
    staff_client, general_user, read_only_user
):
    bob = Client()
    bob.force_login(general_user)
    assert bob.get(SETTINGS_URL).status_code == 403

    general = role(Role.GENERAL_USER)
    save_role_permissions(staff_client, general, [*general.permissions, MANAGE_ENTERPRISE_SETTINGS])

    assert bob.get(SETTINGS_URL).status_code == 200
    rita = Client()
    rita.force_login(read_only_user)
    assert rita.get(SETTINGS_URL).status_code == 403
