"""The dashboard's Trunks section: packages and trunks by type and status, with links."""

import re

from django.urls import reverse
from django_scopes import scope

from accounts.models import Role
from tests.factories import UserFactory, role
from trunks.dashboard import trunks_summary
from trunks.models import Package
from trunks.services import order_trunk
from trunks.tests.factories import SIGNALING, active_trunk, new_package, trunk_fields

DASHBOARD = reverse("dashboard")


def section(page):
    start = page.index('id="trunks"')
    return re.sub(r"\s+", " ", page[start : page.index("</section>", start)])


def test_it_counts_packages_and_trunks_by_type_and_status(
    admin_client, admin_user, outsider, staff_user
):
    trunk = active_trunk(admin_user, staff_user)
    order_trunk(
        trunk.package, by=admin_user, trunk=trunk_fields("Denver SBC 2"), signaling=SIGNALING
    )
    new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    new_package(outsider, name="Theirs", type=Package.Type.USAGE)

    card = section(admin_client.get(DASHBOARD).text)
    inventory = reverse("trunks:inventory")
    assert (
        f'<dt>Bundle</dt> <dd> <a href="{reverse("trunks:bundle_packages")}">1 package</a>, '
        f'<a href="{inventory}?package_type=bundle&amp;status=pending">1 trunk pending</a>, '
        f'<a href="{inventory}?package_type=bundle&amp;status=active">1 trunk active</a>'
    ) in card
    assert f'<a href="{reverse("trunks:usage_packages")}">0 packages</a> ·' in card
    assert "Outbound Only</dt> <dd> <a" in card and "1 package</a>, " in card
    assert card.count("Create New Package") == 3
    assert reverse("trunks:new_package", args=["outbound"]) in card


def test_the_links_show_the_trunks_counted(admin_client, admin_user, staff_user):
    active_trunk(admin_user, staff_user, trunk=trunk_fields("Live SBC"))
    new_package(admin_user, name="Waiting", trunk=trunk_fields("Waiting SBC"))
    page = admin_client.get(
        reverse("trunks:inventory"), {"package_type": "bundle", "status": "active"}
    ).text
    rows = page[page.index("<tbody>") :]
    assert "Live SBC" in rows and "Waiting SBC" not in rows


def test_read_only_sees_the_counts_but_cannot_order(client, read_only_user, admin_user):
    new_package(admin_user)
    client.force_login(read_only_user)
    card = section(client.get(DASHBOARD).text)
    assert "1 trunk pending" in card
    assert "Create New Package" not in card


def test_billing_sees_the_trunks_without_ordering(client, enterprise):
    client.force_login(
        UserFactory(email="bill@acme.test", enterprise=enterprise, role=role(Role.BILLING))
    )
    page = client.get(DASHBOARD).text
    assert 'id="trunks"' in page
    assert "Create New Package" not in page


def test_it_takes_as_many_queries_for_many_packages_as_for_one(
    admin_client, admin_user, django_assert_max_num_queries
):
    new_package(admin_user, name="Package 0")
    with django_assert_max_num_queries(20) as one:
        admin_client.get(DASHBOARD)
    for number in range(1, 6):
        new_package(
            admin_user,
            name=f"Package {number}",
            type=Package.Type.values[number % 3],
            signaling=[{**SIGNALING[0], "host": f"34.120.11.{number}"}],
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(DASHBOARD)


def test_the_section_costs_one_query(rf, admin_user, django_assert_num_queries):
    new_package(admin_user)
    request = rf.get(DASHBOARD)
    request.user = admin_user
    with scope(enterprise=admin_user.enterprise), django_assert_num_queries(1):
        summary = trunks_summary(request)
    assert summary["types"][0]["packages"] == 1
