"""Trunk orders in View Orders and the back office: the Trunk Orders tab, the trunk order's page,
what staff see to carry it out, and what its status changes do to the trunk."""

from datetime import date, timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from audit.models import AuditEvent
from core.actors import PORTAL
from core.tenancy import enterprise_scope
from orders import services
from orders.models import Order
from tests.downloads import csv_rows
from tests.factories import UserFactory, role
from tests.totp import enable_totp
from trunks.change_orders import current_values, request_change, request_disconnect
from trunks.models import Package, Trunk
from trunks.routing import Target, save_policy
from trunks.services import set_status
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


def test_billing_sees_trunk_orders_without_acting_on_them(
    client, enterprise, admin_user, staff_user
):
    billing = UserFactory(enterprise=enterprise, role=role(Role.BILLING))
    trunk = active_trunk(admin_user, staff_user)
    client.force_login(billing)
    assert client.get(TAB).status_code == 200
    order = trunk.orders.get().order
    assert client.get(detail_url(order)).status_code == 200
    menu = client.get(reverse("dashboard")).text
    for label in ("View Orders", "Inventory", ">Bundle<", "Outbound Only"):
        assert label in menu


def test_completing_a_new_trunk_order_makes_the_trunk_active(general_user, staff_user):
    with enterprise_scope(general_user.enterprise):
        order = new_package(general_user)
        services.start(order, by=staff_user)
        services.complete(order, by=staff_user)
    order.refresh_from_db()
    assert order.trunk_order.trunk.status == Trunk.Status.ACTIVE


def test_a_rejected_new_trunk_order_disconnects_the_trunk(general_user, staff_user):
    with enterprise_scope(general_user.enterprise):
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


# Order again, and open orders named with a link


def test_a_cancelled_new_trunk_order_is_ordered_again_from_a_filled_in_form(
    admin_client, admin_user
):
    old = new_package(
        admin_user,
        trunk=trunk_fields("Austin SBC", switch_vendor="Cisco", max_channels=30),
        customer_reference="PO-12",
        notes="Call Terry first.",
    )
    admin_client.post(reverse("orders:cancel_order", args=[old.public_id]))
    package = old.trunk_order.trunk.package

    page = admin_client.get(detail_url(old)).text
    again_url = f"{reverse('trunks:add_trunk', args=[package.public_id])}?again={old.public_id}"
    assert f'href="{again_url}">Order again</a>' in page.replace("&amp;", "&")

    form = admin_client.get(again_url).context["form"]
    assert form["name"].value() == "Austin SBC"
    assert form["switch_vendor"].value() == "Cisco"
    assert form["max_channels"].value() == 30
    assert form["contact_email"].value() == "terry@acme.test"
    assert form["customer_reference"].value() == "PO-12"
    assert form["notes"].value() == "Call Terry first."
    assert "34.120.10.5:5060/UDP" in str(form["signaling"])
    assert form["submission_key"].value() != old.submission_key


def test_a_rejected_change_order_is_ordered_again_with_the_values_it_asked_for(
    admin_client, admin_user, staff_user
):
    trunk = active_trunk(admin_user, staff_user)
    with enterprise_scope(admin_user.enterprise):
        old = request_change(
            trunk, by=admin_user, values={**current_values(trunk), "max_channels": 40}
        )
        services.reject(old, by=staff_user, reason="Too many channels for the switch.")

    page = admin_client.get(detail_url(old)).text
    assert "Order again" in page
    url = reverse("trunks:change_trunk", args=[trunk.public_id]) + f"?again={old.public_id}"
    form = admin_client.get(url).context["form"]
    assert form["max_channels"].value() == 40


def test_order_again_is_offered_only_for_a_stopped_order_to_those_who_may_order(
    client, admin_client, admin_user, read_only_user, staff_user
):
    trunk = active_trunk(admin_user, staff_user)
    completed = trunk.orders.get().order
    open_order = new_package(admin_user, name="Open")
    assert "Order again" not in admin_client.get(detail_url(completed)).text
    assert "Order again" not in admin_client.get(detail_url(open_order)).text
    with enterprise_scope(admin_user.enterprise):
        services.cancel(open_order, by=admin_user)
    assert "Order again" in admin_client.get(detail_url(open_order)).text
    client.force_login(read_only_user)
    assert "Order again" not in client.get(detail_url(open_order)).text


def test_order_again_fills_in_nothing_from_another_enterprises_order(
    admin_client, admin_user, outsider
):
    mine = new_package(admin_user)
    theirs = new_package(outsider, name="Globex Bundle", trunk=trunk_fields("Globex SBC"))
    url = reverse("trunks:add_trunk", args=[mine.trunk_order.trunk.package.public_id])
    form = admin_client.get(f"{url}?again={theirs.public_id}").context["form"]
    assert form["name"].value() is None
    assert admin_client.get(f"{url}?again=not-a-uuid").status_code == 200


def test_a_trunk_with_an_open_order_links_to_that_order(admin_client, admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user)
    with enterprise_scope(admin_user.enterprise):
        change = request_change(
            trunk, by=admin_user, values={**current_values(trunk), "max_channels": 40}
        )
    link = (
        f'Order <a href="{detail_url(change)}">{change.reference}</a> for Denver SBC 1 is '
        "still open"
    )
    for url in (
        reverse("trunks:trunk_detail", args=[trunk.public_id]),
        reverse("trunks:change_trunk", args=[trunk.public_id]),
        reverse("trunks:disconnect_trunk", args=[trunk.public_id]),
    ):
        assert link in admin_client.get(url).text


# The trunk's lifecycle


def test_a_trunk_moves_only_as_its_lifecycle_says(admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user)
    with enterprise_scope(admin_user.enterprise):
        with pytest.raises(ValidationError, match="Active: it cannot become Pending"):
            set_status(trunk, Trunk.Status.PENDING, by=staff_user)
        set_status(trunk, Trunk.Status.DISCONNECT_PENDING, by=staff_user)
        set_status(trunk, Trunk.Status.DISCONNECTED, by=staff_user)
        with pytest.raises(ValidationError, match="Disconnected: it cannot become Active"):
            set_status(trunk, Trunk.Status.ACTIVE, by=staff_user)
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.DISCONNECTED


def test_a_disconnect_completed_twice_by_the_portal_is_done_once(admin_user, staff_user):
    trunk = active_trunk(admin_user, staff_user)
    with enterprise_scope(admin_user.enterprise):
        order = request_disconnect(trunk, by=admin_user)
        services.complete(order, by=PORTAL)
        services.complete(order, by=PORTAL)
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.DISCONNECTED
    statuses = AuditEvent.objects.filter(
        action="trunks.trunk.status_changed", object_repr=str(trunk)
    )
    assert [event.changes_in_words for event in statuses.order_by("id")][-2:] == [
        "Status: Active → Disconnect Pending",
        "Status: Disconnect Pending → Disconnected",
    ]
    assert statuses.order_by("id").last().details["actor"] == "Portal"


def test_a_cancelled_new_trunk_leaves_its_routing_policies(admin_user):
    order = new_package(admin_user, name="Usage", type=Package.Type.USAGE)
    trunk = order.trunk_order.trunk
    with enterprise_scope(admin_user.enterprise):
        save_policy(
            trunk.package,
            by=admin_user,
            name="Main",
            is_default=True,
            fallback_number="",
            targets=[Target(trunk, 1, 1)],
        )
        services.cancel(order, by=admin_user)
    trunk.refresh_from_db()
    assert trunk.status == Trunk.Status.DISCONNECTED
    assert not trunk.routing_targets.exists()
