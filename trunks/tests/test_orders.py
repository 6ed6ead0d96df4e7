"""Trunk orders in View Orders and the back office: the Trunk Orders tab, the trunk order's page,
what staff see to carry it out, and what its status changes do to the trunk."""

from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from orders import services
from orders.models import Order
from tests.downloads import csv_rows
from tests.factories import UserFactory, role
from tests.totp import enable_totp
from trunks.change_orders import current_values, request_change
from trunks.models import Package, Trunk
from trunks.tests.factories import active_trunk, new_package, trunk_fields

TAB = reverse("orders:orders_tab", args=["trunk"])


def detail_url(order):
    return reverse("orders:order_detail", args=[order.public_id])


def admin_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def move_url(order, move):
    return reverse("admin:orders_order_move", args=[order.pk, move])


def rows(page):
    return page[page.index("<tbody>") :]


@pytest.fixture
def staff_client(client, staff_user):
    # Staff use the back office only with MFA set up.
    if not Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists():
        enable_totp(staff_user)
    client.force_login(staff_user)
    return client


def test_view_orders_opens_on_the_trunk_orders_tab(admin_client):
    response = admin_client.get(reverse("orders:view_orders"))
    assert response.url == TAB
    page = admin_client.get(TAB).text
    assert 'aria-current="page">Trunk Orders</a>' in page


def test_the_tab_lists_the_enterprises_trunk_orders_newest_first(
    admin_client, admin_user, outsider
):
    older = new_package(admin_user, name="Older Bundle")
    Order.objects.filter(pk=older.pk).update(placed_at=timezone.now() - timedelta(days=2))
    newer = new_package(admin_user, name="Newer Usage", type=Package.Type.USAGE)
    theirs = new_package(outsider, name="Globex Bundle")

    page = rows(admin_client.get(TAB).text)

    assert page.index(newer.reference) < page.index(older.reference)
    assert theirs.reference not in page
    assert "Newer Usage" in page and "New trunk" in page and "Submitted" in page
    assert detail_url(newer) in page


@pytest.mark.parametrize(
    ("query", "shown", "hidden"),
    [
        ("status=completed", "Done Bundle", "Open Bundle"),
        ("status=submitted", "Open Bundle", ">Completed<"),
        ("type=change", ">Change<", "Open Bundle"),
        ("type=new", "Open Bundle", ">Change<"),
        ("q=open", "Open Bundle", "Done Bundle"),
        ("q=sbc+2", "Done Bundle", "Open Bundle"),
    ],
)
def test_the_tab_filters(admin_client, admin_user, staff_user, query, shown, hidden):
    new_package(admin_user, name="Open Bundle")
    trunk = active_trunk(
        admin_user, staff_user, name="Done Bundle", trunk=trunk_fields("Denver SBC 2")
    )
    request_change(trunk, by=admin_user, values={**current_values(trunk), "max_channels": 40})
    page = rows(admin_client.get(f"{TAB}?{query}").text)
    assert shown in page
    assert hidden not in page


def test_the_tab_finds_an_order_by_the_start_of_its_reference(admin_client, admin_user):
    order = new_package(admin_user)
    other = new_package(admin_user, name="Other")
    page = rows(admin_client.get(f"{TAB}?q={order.reference[:5].lower()}").text)
    assert order.reference in page
    assert other.reference not in page or other.reference[:5] == order.reference[:5]


def test_the_tab_filters_by_date(admin_client, admin_user):
    order = new_package(admin_user)
    Order.objects.filter(pk=order.pk).update(placed_at=timezone.now() - timedelta(days=10))
    today = timezone.localdate().isoformat()
    assert order.reference not in rows(admin_client.get(f"{TAB}?date_from={today}").text)
    assert order.reference in rows(admin_client.get(f"{TAB}?date_to={today}").text)


def test_the_tab_says_when_from_is_after_to(admin_client, admin_user):
    order = new_package(admin_user)
    response = admin_client.get(f"{TAB}?date_from=2026-03-04&date_to=2026-03-02")
    assert "From must be on or before To." in response.text
    assert order.reference not in rows(response.text)


def test_the_tab_downloads_as_csv(admin_client, admin_user):
    order = new_package(admin_user, customer_reference="PO-1")
    response = admin_client.get(f"{TAB}?format=csv")
    lines = csv_rows(response)
    assert lines[0][:6] == [
        "Reference ID",
        "Order Reference ID",
        "Type",
        "Package",
        "Trunk",
        "Status",
    ]
    assert lines[1][:6] == [
        order.reference,
        "PO-1",
        "New trunk",
        "Denver Bundle",
        "Denver SBC 1",
        "Submitted",
    ]
    assert lines[1][7] == "Alice Admin"


def test_the_tab_takes_as_many_queries_for_many_orders_as_for_one(
    admin_client, admin_user, django_assert_max_num_queries
):
    new_package(admin_user, name="Package 0")
    with django_assert_max_num_queries(12) as one:
        admin_client.get(TAB)
    for number in range(1, 12):
        new_package(admin_user, name=f"Package {number}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(TAB)


def test_the_order_page_shows_the_trunk_order(admin_client, admin_user):
    order = new_package(admin_user, customer_reference="PO-77")
    page = admin_client.get(detail_url(order)).text
    assert f"Trunk order {order.reference}" in page
    assert "PO-77" in page
    assert "New trunk Denver SBC 1 in Denver Bundle" in page


def test_a_new_trunk_whose_order_the_customer_cancels_is_disconnected(admin_client, admin_user):
    order = new_package(admin_user)
    admin_client.post(reverse("orders:cancel_order", args=[order.public_id]))
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert order.trunk_order.trunk.status == Trunk.Status.DISCONNECTED


def test_billing_sees_nothing_of_trunk_orders(client, enterprise, admin_user, staff_user):
    billing = UserFactory(enterprise=enterprise, role=role(Role.BILLING))
    trunk = active_trunk(admin_user, staff_user)
    client.force_login(billing)
    assert client.get(reverse("orders:view_orders")).status_code == 403
    assert client.get(TAB).status_code == 403
    order = trunk.orders.get().order
    assert client.get(detail_url(order)).status_code == 403
    menu = client.get(reverse("dashboard")).text
    for label in ("View Orders", "Inventory", ">Bundle<", "Outbound Only"):
        assert label not in menu


def test_completing_a_new_trunk_order_makes_the_trunk_active(general_user, staff_user):
    order = new_package(general_user)
    services.start(order, by=staff_user)
    services.complete(order, by=staff_user)
    order.refresh_from_db()
    assert order.trunk_order.trunk.status == Trunk.Status.ACTIVE


def test_a_rejected_new_trunk_order_disconnects_the_trunk(general_user, staff_user):
    order = new_package(general_user, notify=False)
    services.start(order, by=staff_user, notify=False)
    services.reject(order, by=staff_user, reason="No answer.", notify=False)
    trunk = Trunk.objects.get(pk=order.trunk_order.trunk_id)
    assert trunk.status == Trunk.Status.DISCONNECTED


def test_the_back_office_page_describes_the_trunk_order(staff_client, general_user):
    order = new_package(general_user)
    assert "New trunk Denver SBC 1 in Denver Bundle" in staff_client.get(admin_url(order)).text


def test_the_back_office_page_shows_staff_what_to_set_up(staff_client, general_user):
    order = new_package(
        general_user,
        name="Austin Bundle",
        requested_due_date=date(2031, 5, 2),
        notes="Call Terry before 9am.",
    )
    page = staff_client.get(admin_url(order)).text
    for text in (
        "34.120.10.5:5060/UDP",
        "Ribbon SBC 5400",
        "1801 California St, Denver",
        "Terry Tester, terry@acme.test, (303) 555-0199",
        "2031-05-02",
        "Call Terry before 9am.",
    ):
        assert text in page


def test_the_back_office_page_shows_staff_the_values_a_change_asks_for(
    staff_client, general_user, staff_user
):
    trunk = active_trunk(general_user, staff_user)
    order = request_change(
        trunk, by=general_user, values={**current_values(trunk), "max_channels": 40}
    )
    page = staff_client.get(admin_url(order)).text
    assert "23 → 40" in page


def test_staff_complete_a_trunk_order_in_the_back_office_and_the_trunk_is_active(
    staff_client, general_user
):
    order = new_package(general_user)
    staff_client.post(move_url(order, "start"))
    staff_client.post(move_url(order, "complete"))
    order.refresh_from_db()
    assert order.status == Order.Status.COMPLETED
    assert order.trunk_order.trunk.status == Trunk.Status.ACTIVE
