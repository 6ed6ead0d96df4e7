"""Roles: what each default role allows, the Roles page, the sync on migrate, the checks."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import PortalBackend
from accounts.models import Application, Invitation, Role
from accounts.permissions import (
    MANAGE_ENTERPRISE_SETTINGS,
    MANAGE_USERS,
    OPEN_APPLICATIONS,
    VIEW_ENTERPRISE_SETTINGS,
    VIEW_USERS,
)
from accounts.roles import sync_default_roles
from accounts.tests.test_dashboard import links_in, menu_links
from audit.permissions import VIEW_AUDIT_LOG
from core import checks, dashboard, permissions, tenancy
from core.dashboard import DashboardSection
from core.permissions import Permission
from tests.factories import UserFactory, role

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("dashboard")
USERS_URL = reverse("accounts:users")
ROLES_URL = reverse("accounts:roles")
SETTINGS_URL = reverse("accounts:enterprise_settings")
AUDIT_URL = reverse("audit:audit_log")
APPLICATIONS = (f"{DASHBOARD_URL}#my-applications", "Applications")
USER_MANAGEMENT = (USERS_URL, "User Management")
ENTERPRISE_SETTINGS = (SETTINGS_URL, "Enterprise Settings")
AUDIT_LOG = (AUDIT_URL, "Audit Log")
SETTINGS_FORM = 'name="adr_delivery_enabled"'


@pytest.fixture
def billing_user(enterprise):
    """Bill, Billing of Acme."""
    return UserFactory(
        email="bill@acme.test", name="Bill Payer", enterprise=enterprise, role=role(Role.BILLING)
    )


@pytest.fixture
def engage(enterprise):
    application = Application.objects.create(
        name="Engage", icon="EN", launch_url="https://apps.example.com/engage"
    )
    enterprise.applications.add(application)
    return application


@pytest.fixture
def invitation(enterprise):
    pending = Invitation(enterprise=enterprise, email="new@acme.test", role=role(Role.GENERAL_USER))
    pending.issue_token()
    pending.save()
    return pending


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# What each default role allows


def test_the_default_roles_hold_what_their_names_say():
    def allows(slug):
        # Later apps extend the roles; these are the permissions of accounts and the audit log.
        held = permissions.with_implied(role(slug).permissions)
        return {code for code in held if code.startswith(("accounts.", "audit."))}

    assert allows(Role.ADMINISTRATOR) == {
        VIEW_USERS,
        MANAGE_USERS,
        VIEW_ENTERPRISE_SETTINGS,
        MANAGE_ENTERPRISE_SETTINGS,
        OPEN_APPLICATIONS,
        VIEW_AUDIT_LOG,
    }
    assert allows(Role.GENERAL_USER) == {OPEN_APPLICATIONS}
    assert allows(Role.BILLING) == {VIEW_ENTERPRISE_SETTINGS}
    assert allows(Role.READ_ONLY) == {VIEW_USERS, VIEW_ENTERPRISE_SETTINGS}


def test_an_administrator_sees_and_changes_everything(admin_user, general_user, engage, invitation):
    alice = signed_in(admin_user)
    page = alice.get(DASHBOARD_URL).text
    assert menu_links(page)[:2] == [(DASHBOARD_URL, "Dashboard"), APPLICATIONS]
    for entry in (USER_MANAGEMENT, ENTERPRISE_SETTINGS, AUDIT_LOG):
        assert entry in menu_links(page)
    assert "Engage" in page

    users = alice.get(USERS_URL).text
    assert "Invite user" in users
    assert 'aria-label="Edit Alice Admin"' in users
    assert 'aria-label="Deactivate Bob General"' in users
    # Nobody may deactivate themself.
    assert 'aria-label="Deactivate Alice Admin"' not in users
    assert "Revoke the invitation for new@acme.test" in users
    assert SETTINGS_FORM in alice.get(SETTINGS_URL).text


def test_a_general_user_opens_applications_and_administers_nothing(general_user, engage):
    bob = signed_in(general_user)
    page = bob.get(DASHBOARD_URL).text
    assert menu_links(page)[:2] == [(DASHBOARD_URL, "Dashboard"), APPLICATIONS]
    assert "Administration" not in page
    assert links_in(page, "tiles") == [("https://apps.example.com/engage", "Engage")]
    for url in (USERS_URL, ROLES_URL, SETTINGS_URL, AUDIT_URL):
        assert bob.get(url).status_code == 403


def test_billing_sees_orders_services_and_settings_and_changes_nothing(
    billing_user, engage, enterprise
):
    # Reconciling the charges: what was ordered and when it was completed, what is in
    # service, and whether usage files are delivered.
    bill = signed_in(billing_user)
    page = bill.get(DASHBOARD_URL).text
    links = menu_links(page)
    assert APPLICATIONS not in links
    assert 'id="my-applications"' not in page
    assert "Engage" not in page
    for url, label in (
        (reverse("orders:view_orders"), "View Orders"),
        (reverse("inventory"), "Inventory"),
        (reverse("trunks:bundle_packages"), "Bundle"),
    ):
        assert (url, label) in links
        assert bill.get(url, follow=True).status_code == 200
    assert ENTERPRISE_SETTINGS in links
    assert USER_MANAGEMENT not in links
    assert AUDIT_LOG not in links

    assert "Create New Package" not in bill.get(reverse("trunks:bundle_packages")).text
    assert bill.get(reverse("trunks:new_package", args=["bundle"])).status_code == 403
    settings_page = bill.get(SETTINGS_URL).text
    assert SETTINGS_FORM not in settings_page
    assert "Save settings" not in settings_page
    assert "Your role lets you see them; an Administrator can change them." in settings_page
    assert '<span class="badge badge--muted">Disabled</span>' in settings_page
    assert bill.post(SETTINGS_URL, {"adr_delivery_enabled": "on"}).status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is False
    for url in (USERS_URL, ROLES_URL, AUDIT_URL):
        assert bill.get(url).status_code == 403


def test_read_only_sees_users_and_settings_without_changing_them(
    read_only_user, general_user, engage, invitation, enterprise
):
    enterprise.adr_delivery_enabled = True
    enterprise.save()
    rita = signed_in(read_only_user)
    page = rita.get(DASHBOARD_URL).text
    links = menu_links(page)
    assert APPLICATIONS not in links
    assert "Engage" not in page
    assert USER_MANAGEMENT in links
    assert ENTERPRISE_SETTINGS in links
    assert AUDIT_LOG not in links

    response = rita.get(USERS_URL)
    assert response.status_code == 200
    users = response.text
    assert "Bob General" in users
    assert "new@acme.test" in users
    assert "Invite user" not in users
    assert reverse("accounts:invite_user") not in users
    for action in ("Edit", "Deactivate", "Resend", "Revoke"):
        assert f">{action}</" not in users
    assert reverse("accounts:user_edit", args=[general_user.public_id]) not in users
    assert [header["column"].key for header in response.context["table"]["headers"]][-1] != (
        "actions"
    )

    settings_page = rita.get(SETTINGS_URL).text
    assert SETTINGS_FORM not in settings_page
    assert '<span class="badge badge--ok">Enabled</span>' in settings_page
    assert (
        '<span class="visually-hidden">Require MFA for all users:</span> '
        '<span class="badge badge--muted">Not required</span>'
    ) in settings_page
    assert rita.post(SETTINGS_URL, {}).status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is True
    assert rita.get(AUDIT_URL).status_code == 403


# The Roles page


def _matrix(page):
    """{permission label: [Yes/No per role]} from the Roles page's matrix."""
    start = page.index('id="role-permissions"')
    table = page[start : page.index("</table>", start)]
    rows = {}
    for chunk in table.split('<th scope="row">')[1:]:
        label = chunk[: chunk.index("</th>")]
        rows[label] = [
            "Yes" if cell.startswith('<span class="badge badge--ok">Yes') else "No"
            for cell in chunk.split("<td>")[1:]
        ]
    return rows


def test_the_roles_page_shows_what_each_role_allows(admin_client):
    response = admin_client.get(ROLES_URL)
    assert response.status_code == 200
    page = response.text
    assert [r.name for r in response.context["roles"]] == [
        "Administrator",
        "General User",
        "Billing",
        "Read Only",
    ]
    matrix = _matrix(page)
    assert matrix["Invite users, change their role and access types, deactivate them"] == [
        "Yes",
        "No",
        "No",
        "No",
    ]
    assert matrix["See the users, their roles and what each role allows"] == [
        "Yes",
        "No",
        "No",
        "Yes",
    ]
    assert matrix["See Enterprise Settings"] == ["Yes", "No", "Yes", "Yes"]
    assert matrix["Open the contracted applications (My Applications on the dashboard)"] == [
        "Yes",
        "Yes",
        "No",
        "No",
    ]
    assert matrix["See the audit log and download it"] == ["Yes", "No", "No", "No"]
    assert '<th scope="rowgroup" colspan="5">Customers and users</th>' in page
    assert '<th scope="rowgroup" colspan="5">Audit log</th>' in page
    assert (
        "Pays the bills: downloads the invoices and usage records, pays invoices and disputes "
        "their lines, and sees the orders placed and completed and the services in use."
    ) in page


def test_the_roles_page_counts_the_active_users_of_this_enterprise_only(
    admin_client, admin_user, general_user, read_only_user, outsider, other_enterprise
):
    UserFactory(email="gone@acme.test", enterprise=admin_user.enterprise, is_active=False)
    UserFactory(email="bob@globex.test", enterprise=other_enterprise)
    response = admin_client.get(ROLES_URL)
    counts = {r.name: r.active_users for r in response.context["roles"]}
    assert counts == {"Administrator": 1, "General User": 1, "Billing": 0, "Read Only": 1}
    assert "Active users at Acme Telecom" in response.text


def test_the_roles_page_shows_a_role_staff_changed(admin_client):
    billing = role(Role.BILLING)
    billing.permissions = [*billing.permissions, VIEW_AUDIT_LOG]
    billing.save()
    matrix = _matrix(admin_client.get(ROLES_URL).text)
    assert matrix["See the audit log and download it"] == ["Yes", "No", "Yes", "No"]


def test_read_only_users_see_the_roles_page(read_only_user):
    response = signed_in(read_only_user).get(ROLES_URL)
    assert response.status_code == 200
    assert "What each role allows" in response.text


@pytest.mark.parametrize("persona", ["general_user", "billing_user"])
def test_other_roles_may_not_see_the_roles_page(persona, request):
    assert signed_in(request.getfixturevalue(persona)).get(ROLES_URL).status_code == 403


def test_user_management_links_to_the_roles_page_as_a_tab(admin_client):
    users = admin_client.get(USERS_URL).text
    assert (ROLES_URL, "Roles") in links_in(users, "tabs")
    roles_page = admin_client.get(ROLES_URL).text
    assert f'<a href="{ROLES_URL}" aria-current="page">Roles</a>' in roles_page
    assert (USERS_URL, "Users") in links_in(roles_page, "tabs")


# The permission checks of a request cost no query


def test_the_permission_checks_of_a_user_cost_no_query(admin_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = PortalBackend().get_user(admin_user.pk)
    with django_assert_num_queries(0):
        assert user.has_perm(MANAGE_USERS)
        assert user.has_perm(VIEW_USERS)
        assert not user.has_perm("accounts.rule_the_world")
        assert user.get_all_permissions() >= {MANAGE_USERS, VIEW_AUDIT_LOG}
        assert user.has_module_perms("audit")


@pytest.mark.parametrize(("url", "most"), [(DASHBOARD_URL, 6), (USERS_URL, 10)])
def test_a_page_loads_no_permissions_beyond_the_users_role(
    admin_client, engage, url, most, monkeypatch
):
    # The sections the apps above add to the dashboard count their own queries in their tests.
    monkeypatch.setattr(dashboard, "_sections", [])
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(url)
    assert response.status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert len(sql) <= most, "\n".join(sql)
    assert not [q for q in sql if "auth_permission" in q or "auth_group" in q]
    # The role comes joined to the user; the users page also joins it to the users and the
    # invitations it lists, and lists the roles for its filter.
    role_queries = [q for q in sql if '"accounts_role"' in q]
    assert '"accounts_user"' in role_queries[0]
    assert len(role_queries) == (1 if url == DASHBOARD_URL else 4)


# Syncing the default roles on migrate


@pytest.fixture
def new_grant(monkeypatch):
    """A permission an app has just declared for General User."""
    code = "accounts.try_something"
    monkeypatch.setitem(
        permissions._declared,
        code,
        Permission(code, "Try something", (permissions.GENERAL_USER,)),
    )
    return code


def test_a_new_default_grant_is_applied_on_migrate(new_grant):
    sync_default_roles()
    general = role(Role.GENERAL_USER)
    assert new_grant in general.permissions
    assert new_grant in general.granted_defaults
    assert new_grant not in role(Role.READ_ONLY).permissions


def test_a_grant_staff_took_away_stays_away(new_grant):
    sync_default_roles()
    general = role(Role.GENERAL_USER)
    general.permissions = [code for code in general.permissions if code != new_grant]
    general.save()
    sync_default_roles()
    assert new_grant not in role(Role.GENERAL_USER).permissions


def test_a_permission_no_app_declares_is_dropped_on_migrate():
    billing = role(Role.BILLING)
    billing.permissions = [*billing.permissions, "accounts.gone_feature"]
    billing.save()
    sync_default_roles()
    billing = role(Role.BILLING)
    assert "accounts.gone_feature" not in billing.permissions
    assert set(billing.permissions) == permissions.default_grants(Role.BILLING)


def test_a_former_default_description_is_replaced_on_migrate():
    Role.objects.filter(slug=Role.BILLING).update(
        description="Views invoices and usage and makes payments."
    )
    Role.objects.filter(slug=Role.READ_ONLY).update(description="Our auditors.")
    sync_default_roles()
    assert role(Role.BILLING).description.startswith("Pays the bills:")
    # What staff wrote stays.
    assert role(Role.READ_ONLY).description == "Our auditors."


def test_a_missing_default_role_is_created_with_its_grants():
    Role.objects.filter(slug=Role.BILLING).delete()
    sync_default_roles()
    billing = role(Role.BILLING)
    assert billing.name == "Billing"
    assert VIEW_ENTERPRISE_SETTINGS in billing.permissions
    assert set(billing.permissions) == permissions.default_grants(Role.BILLING)


def test_sync_leaves_roles_staff_added_with_their_declared_permissions():
    custom = Role.objects.create(
        name="Porting", slug="porting", permissions=[VIEW_USERS, "numbers.gone"]
    )
    sync_default_roles()
    custom.refresh_from_db()
    assert custom.permissions == [VIEW_USERS]


# The check that every permission used is declared


def test_the_check_passes_when_every_permission_used_is_declared():
    assert checks.check_permissions_are_declared(None) == []


def test_the_check_reports_a_view_permission_no_app_declares(monkeypatch):
    monkeypatch.setattr(tenancy, "REQUIRED_PERMISSIONS", set(tenancy.REQUIRED_PERMISSIONS))
    tenancy.enterprise_permission_required("numbers.view_numbers")(lambda request: None)
    errors = checks.check_permissions_are_declared(None)
    assert [(error.id, error.msg) for error in errors] == [
        ("core.E001", "The permission numbers.view_numbers is used but no app declares it.")
    ]


def test_the_check_reports_a_dashboard_permission_no_app_declares(monkeypatch):
    monkeypatch.setattr(
        dashboard,
        "_sections",
        [*dashboard.sections(), DashboardSection("x.html", permission="billing.view_invoices")],
    )
    errors = checks.check_permissions_are_declared(None)
    assert [error.id for error in errors] == ["core.E001"]
    assert "billing.view_invoices" in errors[0].msg


def test_a_permission_cannot_include_one_not_yet_declared():
    with pytest.raises(ValueError, match="declare those first"):
        permissions.declare("accounts.do_more", "Do more", roles=[], implies=["accounts.later"])
    assert not permissions.is_declared("accounts.do_more")
