"""View Orders: the Trunk Orders tab, an order's page with its timeline, cancelling."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from orders import services
from orders.models import Order
from tests.factories import UserFactory, role
from trunks.change_orders import current_values, request_change
from trunks.models import Package
from trunks.tests.factories import active_trunk, new_package, trunk_fields

TAB = reverse("orders:orders_tab", args=["trunk"])


def detail_url(order):
    return reverse("orders:order_detail", args=[order.public_id])


def rows(page):
    return page[page.index("<tbody>") :]


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


def test_the_tab_downloads_as_csv(admin_client, admin_user):
    order = new_package(admin_user, customer_reference="PO-1")
    response = admin_client.get(f"{TAB}?format=csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
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


def test_the_order_page_shows_the_order_and_its_timeline(admin_client, admin_user, staff_user):
    order = new_package(admin_user, customer_reference="PO-77")
    services.start(order, by=staff_user)
    page = admin_client.get(detail_url(order)).text
    assert f"Trunk order {order.reference}" in page
    assert "PO-77" in page
    assert "New trunk Denver SBC 1 in Denver Bundle" in page
    timeline = page[page.index("Timeline") :]
    assert "Submitted" in timeline and "by Alice Admin" in timeline
    assert "In Progress" in timeline and "by Carrier staff" in timeline
    assert staff_user.email not in page
    # Work has started: the customer can no longer cancel.
    assert "Cancel order" not in page


def test_the_customer_cancels_from_the_order_page(admin_client, admin_user):
    order = new_package(admin_user)
    url = reverse("orders:cancel_order", args=[order.public_id])
    assert url in admin_client.get(detail_url(order)).text
    assert "Yes, cancel the order" in admin_client.get(url).text

    response = admin_client.post(url, follow=True)

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert f"Order {order.reference} was cancelled." in response.text
    assert order.trunk_order.trunk.status == "disconnected"


def test_an_order_in_progress_cannot_be_cancelled_by_the_customer(
    admin_client, admin_user, staff_user
):
    order = new_package(admin_user)
    services.start(order, by=staff_user)
    response = admin_client.post(reverse("orders:cancel_order", args=[order.public_id]))
    assert response.status_code == 200
    assert "already in progress" in response.text
    order.refresh_from_db()
    assert order.status == Order.Status.IN_PROGRESS


def test_the_cancel_page_of_an_order_in_progress_says_why_it_cannot_be_cancelled(
    admin_client, admin_user, staff_user
):
    order = new_package(admin_user)
    services.start(order, by=staff_user)
    page = admin_client.get(reverse("orders:cancel_order", args=[order.public_id])).text
    assert "already in progress" in page
    assert "Carrier staff have not started work" not in page
    assert "Yes, cancel the order" not in page


def test_read_only_users_see_orders_but_cannot_cancel(client, read_only_user, admin_user):
    order = new_package(admin_user)
    client.force_login(read_only_user)
    page = client.get(detail_url(order)).text
    assert order.reference in page and "Cancel order" not in page
    assert client.post(reverse("orders:cancel_order", args=[order.public_id])).status_code == 403


def test_another_enterprises_order_is_not_found(admin_client, outsider, staff_user):
    order = new_package(outsider)
    assert admin_client.get(detail_url(order)).status_code == 404
    assert (
        admin_client.post(reverse("orders:cancel_order", args=[order.public_id])).status_code == 404
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SUBMITTED


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
