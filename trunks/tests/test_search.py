"""Search in Inventory's Trunks tab and View Orders' Trunk Orders tab, read from indexes."""

import pytest
from django.db import connection
from django.urls import reverse
from django_scopes import scope

from orders.models import Order
from trunks.models import Package, Trunk, TrunkOrder
from trunks.tables import TrunkFilter, TrunkOrderFilter
from trunks.tests.factories import new_package, trunk_fields

INVENTORY = reverse("trunks:inventory")
TRUNK_ORDERS = reverse("orders:orders_tab", args=["trunk"])


def rows(page):
    return page[page.index("<tbody>") : page.index("</tbody>")]


@pytest.fixture
def orders(admin_user, outsider):
    denver = new_package(admin_user, trunk=trunk_fields("Denver SBC 1"), customer_reference="PO-77")
    chicago = new_package(
        admin_user, name="Chicago Usage", type="usage", trunk=trunk_fields("Lake Shore")
    )
    new_package(outsider, name="Globex Denver", trunk=trunk_fields("Globex Denver SBC"))
    return denver, chicago


@pytest.mark.parametrize(
    ("search", "found", "not_found"),
    [
        ("sbc", "Denver SBC 1", "Lake Shore"),  # part of the trunk's name, any case
        ("HICAGO us", "Lake Shore", "Denver SBC 1"),  # part of the package's name
    ],
)
def test_inventory_finds_trunks_by_part_of_a_name(admin_client, orders, search, found, not_found):
    page = rows(admin_client.get(INVENTORY, {"q": search}).text)
    assert found in page
    assert not_found not in page
    assert "Globex" not in page


def test_trunk_orders_are_found_by_the_start_of_their_reference(admin_client, orders):
    denver, chicago = orders
    page = rows(admin_client.get(TRUNK_ORDERS, {"q": denver.reference[:-1].lower()}).text)
    assert denver.reference in page
    assert chicago.reference not in page


@pytest.mark.parametrize(
    ("search", "found"),
    [("po-77", 0), ("shore", 1), ("denver", 0), ("usage", 1)],
)
def test_trunk_orders_are_found_by_order_reference_id_and_names(
    admin_client, orders, search, found
):
    page = rows(admin_client.get(TRUNK_ORDERS, {"q": search}).text)
    assert orders[found].reference in page
    assert orders[1 - found].reference not in page
    assert "Globex" not in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's")
def test_the_searches_read_indexes(admin_user, enterprise):
    """With enough rows for an index to pay, each part of a search is read from its index."""
    count = 1000
    packages = Package.objects.bulk_create(
        Package(enterprise=enterprise, name=f"Package {n}", type="usage") for n in range(count)
    )
    packages[7].name = "Zebra"
    packages[7].save(update_fields=["name"])
    fields = {key: value for key, value in trunk_fields().items() if key != "name"}
    trunks = Trunk.objects.bulk_create(
        Trunk(enterprise=enterprise, package=package, name=f"Trunk {n}", **fields)
        for n, package in enumerate(packages)
    )
    trunks[9].name = "Zebra SBC"
    trunks[9].save(update_fields=["name"])
    placed = Order.objects.bulk_create(
        Order(enterprise=enterprise, kind="trunk", reference=f"TO-{n:06d}") for n in range(count)
    )
    TrunkOrder.objects.bulk_create(
        TrunkOrder(enterprise=enterprise, order=order, trunk=trunk, type="new")
        for order, trunk in zip(placed, trunks, strict=True)
    )
    with connection.cursor() as cursor:
        # Rows just inserted wait in the GIN indexes' pending lists until a vacuum; the
        # planner would count them against the index.
        cursor.execute(
            "SELECT gin_clean_pending_list('trunks_trunk_name_trgm'::regclass),"
            " gin_clean_pending_list('trunks_package_name_trgm'::regclass)"
        )
        cursor.execute("ANALYZE trunks_trunk, trunks_package, orders_order, trunks_trunkorder")
        cursor.execute("SET LOCAL enable_seqscan = off")

    with scope(enterprise=enterprise):
        trunks_found = TrunkFilter({"q": "zebr"}, queryset=Trunk.objects.all()).qs
        orders_found = TrunkOrderFilter(
            {"q": "zebr"}, queryset=Order.objects.filter(kind="trunk")
        ).qs
        trunk_plan, order_plan = trunks_found.explain(), orders_found.explain()
        assert len(trunks_found) == len(orders_found) == 2

    assert "trunks_trunk_name_trgm" in trunk_plan
    assert "trunks_package_name_trgm" in trunk_plan
    assert "trunks_trunk_name_trgm" in order_plan
    assert "trunks_package_name_trgm" in order_plan
    assert "orders_order_reference_" in order_plan  # Django's varchar_pattern_ops index
    assert "order_customer_reference" in order_plan
