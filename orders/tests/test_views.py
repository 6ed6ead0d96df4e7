"""View Orders: a tab per order kind, an order's page with its timeline, cancelling."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from orders import services
from orders.models import Order
from tests.downloads import csv_rows
from tests.factories import UserFactory, role

from .kinds import KEY, hook_calls, place

TAB = reverse("orders:orders_tab", args=[KEY])


def detail_url(order):
    return reverse("orders:order_detail", args=[order.public_id])


def rows(page):
    return page[page.index("<tbody>") :]


def test_view_orders_opens_on_the_first_tab(admin_client):
    response = admin_client.get(reverse("orders:view_orders"))
    assert response.url == TAB
    page = admin_client.get(TAB).text
    assert 'aria-current="page">Test Orders</a>' in page


def test_the_tab_lists_the_enterprises_orders_newest_first(admin_client, admin_user, outsider):
    older = place(admin_user)
    Order.objects.filter(pk=older.pk).update(placed_at=timezone.now() - timedelta(days=2))
    newer = place(admin_user, customer_reference="PO-9")
    theirs = place(outsider)

    page = rows(admin_client.get(TAB).text)

    assert page.index(newer.reference) < page.index(older.reference)
    assert theirs.reference not in page
    assert "PO-9" in page and "Test service for Acme Telecom" in page and "Submitted" in page
    assert detail_url(newer) in page


def test_the_tab_downloads_as_csv(admin_client, admin_user):
    order = place(admin_user, customer_reference="PO-1")
    response = admin_client.get(f"{TAB}?format=csv")
    assert f"test-orders-{timezone.localdate():%Y-%m-%d}.csv" in response["Content-Disposition"]
    lines = csv_rows(response)
    assert lines[0][:2] == ["Reference ID", "Order Reference ID"]
    assert lines[1][:2] == [order.reference, "PO-1"]


def test_the_tab_takes_as_many_queries_for_many_orders_as_for_one(
    admin_client, admin_user, django_assert_max_num_queries
):
    place(admin_user)
    with django_assert_max_num_queries(12) as one:
        admin_client.get(TAB)
    for _ in range(11):
        place(admin_user)
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(TAB)


def test_the_order_page_shows_the_order_and_its_timeline(admin_client, admin_user, staff_user):
    order = place(admin_user, customer_reference="PO-77")
    services.start(order, by=staff_user)
    page = admin_client.get(detail_url(order)).text
    assert f"Test order {order.reference}" in page
    assert "PO-77" in page
    assert "Test service for Acme Telecom" in page
    # The kind's own part of the page.
    assert f"Test details of {order.reference}" in page
    timeline = page[page.index("Timeline") :]
    assert "Submitted" in timeline and "by Alice Admin" in timeline
    assert "In Progress" in timeline and "by Carrier staff" in timeline
    assert staff_user.email not in page
    # Work has started: the customer can no longer cancel.
    assert "Cancel order" not in page


def test_the_customer_cancels_from_the_order_page(admin_client, admin_user):
    order = place(admin_user)
    url = reverse("orders:cancel_order", args=[order.public_id])
    assert url in admin_client.get(detail_url(order)).text
    dialog = admin_client.get(url).text
    assert "Cancel the order" in dialog and "Keep the order" in dialog

    response = admin_client.post(url, follow=True)

    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert f"Order {order.reference} was cancelled." in response.text
    assert hook_calls == [
        (order.reference, Order.Status.SUBMITTED, Order.Status.CANCELLED, admin_user)
    ]


def test_an_order_in_progress_cannot_be_cancelled_by_the_customer(
    admin_client, admin_user, staff_user
):
    order = place(admin_user)
    services.start(order, by=staff_user)
    response = admin_client.post(reverse("orders:cancel_order", args=[order.public_id]))
    assert response.status_code == 200
    assert "work on it has already started" in response.text
    order.refresh_from_db()
    assert order.status == Order.Status.IN_PROGRESS


def test_the_cancel_page_of_an_order_in_progress_says_why_it_cannot_be_cancelled(
    admin_client, admin_user, staff_user
):
    order = place(admin_user)
    services.start(order, by=staff_user)
    page = admin_client.get(reverse("orders:cancel_order", args=[order.public_id])).text
    assert "work on it has already started" in page
    assert "Carrier staff have not started work" not in page
    assert "Cancel the order" not in page


def test_read_only_users_see_orders_but_cannot_cancel(client, read_only_user, admin_user):
    order = place(admin_user)
    client.force_login(read_only_user)
    page = client.get(detail_url(order)).text
    assert order.reference in page and "Cancel order" not in page
    assert client.post(reverse("orders:cancel_order", args=[order.public_id])).status_code == 403


def test_another_enterprises_order_is_not_found(admin_client, outsider):
    order = place(outsider)
    assert admin_client.get(detail_url(order)).status_code == 404
    assert (
        admin_client.post(reverse("orders:cancel_order", args=[order.public_id])).status_code == 404
    )
    order.refresh_from_db()
    assert order.status == Order.Status.SUBMITTED


def test_billing_sees_the_orders_to_reconcile_the_charges(client, enterprise, admin_user):
    billing = UserFactory(enterprise=enterprise, role=role(Role.BILLING))
    order = place(admin_user)
    client.force_login(billing)
    assert client.get(TAB).status_code == 200
    assert client.get(detail_url(order)).status_code == 200
    assert "View Orders" in client.get(reverse("dashboard")).text


def test_a_cancelled_order_is_not_offered_for_cancelling_again(admin_client, admin_user):
    order = place(admin_user)
    url = reverse("orders:cancel_order", args=[order.public_id])
    admin_client.post(url)
    page = admin_client.get(url).text
    assert f"Order {order.reference} is cancelled already." in page
    assert "Keep the order" not in page
    assert order.events.count() == 2
