"""The package tiles, a package's page and the Inventory's Trunks tab."""

import pytest
from django.urls import reverse

from core import dashboard
from tests.downloads import csv_rows
from trunks.models import Package
from trunks.routing import Target, save_policy
from trunks.tests.factories import SIGNALING, active_trunk, new_package, trunk_fields

INVENTORY = reverse("trunks:inventory")


def signaling(number):
    return [{**SIGNALING[0], "host": f"34.120.11.{number}"}]


def test_the_menu_has_a_tile_per_package_type_and_the_inventory(admin_client):
    menu = admin_client.get(reverse("dashboard")).text
    for name in ("bundle_packages", "usage_packages", "outbound_packages"):
        assert reverse(f"trunks:{name}") in menu
    assert reverse("inventory") in menu
    assert reverse("orders:view_orders") in menu


@pytest.mark.parametrize(
    ("type", "url_name"),
    [("bundle", "bundle_packages"), ("usage", "usage_packages"), ("outbound", "outbound_packages")],
)
def test_each_tile_lists_its_packages_only(admin_client, admin_user, outsider, type, url_name):
    for package_type in Package.Type.values:
        new_package(admin_user, name=f"Mine {package_type}", type=package_type)
    new_package(outsider, name=f"Theirs {type}", type=type)
    page = admin_client.get(reverse(f"trunks:{url_name}")).text
    assert f"Mine {type}" in page
    assert "Create New Package" in page
    assert reverse("trunks:new_package", args=[type]) in page
    assert f"Theirs {type}" not in page
    others = set(Package.Type.values) - {type}
    assert not any(f"Mine {other}" in page for other in others)


def test_a_tile_takes_as_many_queries_for_many_packages_as_for_one(
    admin_client, admin_user, django_assert_max_num_queries
):
    new_package(admin_user, name="Package 0", type=Package.Type.OUTBOUND_ONLY)
    with django_assert_max_num_queries(10) as one:
        admin_client.get(reverse("trunks:outbound_packages"))
    for number in range(1, 8):
        new_package(admin_user, name=f"Package {number}", type=Package.Type.OUTBOUND_ONLY)
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(reverse("trunks:outbound_packages"))


def test_the_package_page_shows_trunks_and_policies(
    admin_client, admin_user, staff_user, django_assert_max_num_queries, monkeypatch
):
    # Only this app's part of the page: the sections other apps add are theirs to test.
    monkeypatch.setattr(dashboard, "_sections", [])
    trunk = active_trunk(admin_user, staff_user, name="Usage", type=Package.Type.USAGE)
    save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="+13035550100",
        targets=[Target(trunk, 1, 100)],
    )
    url = reverse("trunks:package_detail", args=[trunk.package.public_id])
    with django_assert_max_num_queries(12):
        page = admin_client.get(url).text
    assert "Denver SBC 1" in page and "Active" in page
    assert "Main" in page and "priority 1, weight 100" in page
    assert "Routing Policy Manager" in page


def test_inventory_lists_every_trunk_with_manage(admin_client, admin_user, outsider, staff_user):
    trunk = active_trunk(admin_user, staff_user)
    new_package(outsider, name="Theirs", trunk=trunk_fields("Globex SBC"))
    page = admin_client.get(INVENTORY).text
    assert 'aria-current="page">Trunks</a>' in page
    assert "Denver SBC 1" in page and "Denver Bundle" in page and "Active" in page
    assert "34.120.10.5:5060/UDP" in page
    assert reverse("trunks:trunk_detail", args=[trunk.public_id]) in page
    assert "Globex SBC" not in page


def test_inventory_keeps_the_users_column_choice(admin_client, admin_user):
    new_package(admin_user)
    admin_client.post(
        reverse("table_columns", args=["inventory-trunks"]),
        {"columns": ["name", "codecs"], "next": INVENTORY},
    )
    page = admin_client.get(INVENTORY).text
    header = page[page.index("<thead>") : page.index("</thead>")]
    assert "Codecs" in header and "Signaling addresses" not in header
    assert "G.711u" in page


def test_inventory_downloads_as_csv(admin_client, admin_user):
    new_package(
        admin_user,
        signaling=[{"host": "2600:1f18::10", "port": 5061, "transport": "tls"}],
        trunk=trunk_fields(codecs=["g711u", "opus"]),
    )
    response = admin_client.get(f"{INVENTORY}?format=csv")
    lines = csv_rows(response)
    row = dict(zip(lines[0], lines[1], strict=True))
    assert row["Trunk"] == "Denver SBC 1"
    assert row["Status"] == "Pending"
    assert row["Package type"] == "Bundle"
    assert row["Role"] == "Primary"
    assert row["Signaling addresses"] == "[2600:1f18::10]:5061/TLS"
    assert row["Codecs"] == "G.711u, Opus"
    assert "Manage" not in lines[0]


def test_inventory_takes_as_many_queries_for_many_trunks_as_for_one(
    admin_client, admin_user, django_assert_max_num_queries
):
    new_package(admin_user, name="Package 0", type=Package.Type.USAGE)
    with django_assert_max_num_queries(12) as one:
        admin_client.get(INVENTORY)
    for number in range(1, 8):
        new_package(
            admin_user,
            name=f"Package {number}",
            type=Package.Type.USAGE,
            signaling=signaling(number),
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(INVENTORY)


def test_inventory_filters_by_status(admin_client, admin_user, staff_user):
    active_trunk(admin_user, staff_user, name="Live", trunk=trunk_fields("Live SBC"))
    new_package(admin_user, name="Waiting", trunk=trunk_fields("Waiting SBC"))
    page = admin_client.get(f"{INVENTORY}?status=active").text
    rows = page[page.index("<tbody>") :]
    assert "Live SBC" in rows and "Waiting SBC" not in rows


def menu_link(url):
    return f'<a href="{url}" aria-current="page">'


@pytest.mark.parametrize("page", ["package", "trunk", "routing", "policy", "change", "add trunk"])
def test_detail_pages_mark_their_menu_entry_and_have_a_breadcrumb(
    admin_client, admin_user, staff_user, page
):
    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    package = trunk.package
    policy = save_policy(
        package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )
    url = {
        "package": reverse("trunks:package_detail", args=[package.public_id]),
        "trunk": reverse("trunks:trunk_detail", args=[trunk.public_id]),
        "routing": reverse("trunks:routing_manager", args=[package.public_id]),
        "policy": reverse("trunks:policy_edit", args=[policy.public_id]),
        "change": reverse("trunks:change_trunk", args=[trunk.public_id]),
        "add trunk": reverse("trunks:add_trunk", args=[package.public_id]),
    }[page]

    html = admin_client.get(url).text

    usage = reverse("trunks:usage_packages")
    assert menu_link(usage) in html
    assert menu_link(reverse("trunks:bundle_packages")) not in html
    assert html.count('aria-current="page"') == 2  # the menu entry and the breadcrumb's end
    crumbs = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">')[1].split("</nav>")[0]
    assert f'<a href="{usage}">Usage</a>' in crumbs
    if page != "package":
        assert reverse("trunks:package_detail", args=[package.public_id]) in crumbs
        assert "Chicago Usage" in crumbs


def test_create_new_package_marks_its_type_and_has_a_breadcrumb(admin_client):
    html = admin_client.get(reverse("trunks:new_package", args=["outbound"])).text
    outbound = reverse("trunks:outbound_packages")
    assert menu_link(outbound) in html
    crumbs = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">')[1].split("</nav>")[0]
    assert f'<a href="{outbound}">Outbound Only</a>' in crumbs
    assert '<li aria-current="page">New Outbound Only package</li>' in crumbs


def test_a_trunk_in_a_policy_shows_disconnect_off_with_the_reason_and_a_way_out(
    admin_client, admin_user, staff_user
):
    trunk = active_trunk(admin_user, staff_user, name="Chicago Usage", type=Package.Type.USAGE)
    save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 1)],
    )

    html = admin_client.get(reverse("trunks:trunk_detail", args=[trunk.public_id])).text

    assert (
        '<button type="button" class="button button--danger" disabled '
        'aria-describedby="trunk-refusal">Disconnect</button>'
    ) in html
    assert reverse("trunks:disconnect_trunk", args=[trunk.public_id]) not in html
    assert "Disconnect is off: Denver SBC 1 still receives calls from the routing policy" in html
    routing = reverse("trunks:routing_manager", args=[trunk.package.public_id])
    assert f'<a href="{routing}">Routing Policy Manager</a> first.' in html
    assert reverse("trunks:change_trunk", args=[trunk.public_id]) in html  # a change is fine


def test_a_trunk_with_an_open_order_shows_both_actions_off_with_the_reason(
    admin_client, admin_user
):
    trunk = new_package(admin_user).trunk_order.trunk  # Pending until staff complete it

    html = admin_client.get(reverse("trunks:trunk_detail", args=[trunk.public_id])).text

    assert html.count("disabled") >= 2
    assert "Request a change and Disconnect are off: Denver SBC 1 is Pending" in html
    assert reverse("trunks:change_trunk", args=[trunk.public_id]) not in html
