"""Carrier staff work orders in the back office: buttons, bulk actions, reasons."""

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from audit.models import AuditEvent
from orders.models import Order
from tests.totp import enable_totp

from .kinds import hook_calls, place

Status = Order.Status
CHANGELIST = reverse("admin:orders_order_changelist")


@pytest.fixture
def staff_client(client, staff_user):
    # Staff use the back office only with MFA set up.
    if not Authenticator.objects.filter(user=staff_user, type=Authenticator.Type.TOTP).exists():
        enable_totp(staff_user)
    client.force_login(staff_user)
    return client


@pytest.fixture
def order(general_user):
    return place(general_user)


def move_url(order, move):
    return reverse("admin:orders_order_move", args=[order.pk, move])


def test_the_order_page_offers_the_moves_allowed_now(staff_client, order):
    page = staff_client.get(reverse("admin:orders_order_change", args=[order.pk])).text
    for move in ("start", "complete", "reject", "cancel"):
        assert move_url(order, move) in page
    assert "Test service for Acme Telecom" in page


def test_the_order_page_shows_staff_what_the_kind_says_they_need(staff_client, order):
    page = staff_client.get(reverse("admin:orders_order_change", args=[order.pk])).text
    assert f"<dt>Test circuit</dt><dd>Circuit of {order.reference}</dd>" in page


def test_staff_start_and_complete_an_order(
    staff_client, order, staff_user, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    assert "Start order" in staff_client.get(move_url(order, "start")).text
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(move_url(order, "start"))
        response = staff_client.post(move_url(order, "complete"), follow=True)

    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert f"{order.reference} is now Completed." in response.text
    assert hook_calls == [
        (order.reference, Status.SUBMITTED, Status.IN_PROGRESS, staff_user),
        (order.reference, Status.IN_PROGRESS, Status.COMPLETED, staff_user),
    ]
    assert order.events.last().actor == staff_user
    audit = AuditEvent.objects.filter(action="orders.order.status_changed", actor=staff_user)
    assert audit.count() == 2
    assert run_jobs() == 2
    assert [m.to for m in mailoutbox] == [["bob@acme.test"], ["bob@acme.test"]]


def test_rejecting_asks_for_the_reason(staff_client, order):
    response = staff_client.post(move_url(order, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert "reason" in response.context_data["form"].errors
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED

    staff_client.post(move_url(order, "reject"), {"reason": "Switch unreachable."})
    order.refresh_from_db()
    assert (order.status, order.rejection_reason) == (Status.REJECTED, "Switch unreachable.")


def test_a_move_that_is_no_longer_allowed_is_refused(staff_client, order, staff_user):
    staff_client.post(move_url(order, "cancel"))
    response = staff_client.post(move_url(order, "start"), follow=True)
    assert "is Cancelled: it cannot be moved to In Progress." in response.text
    order.refresh_from_db()
    assert order.status == Status.CANCELLED


def test_bulk_actions_move_every_selected_order(staff_client, general_user):
    orders = [place(general_user) for _ in range(3)]
    ids = [str(order.pk) for order in orders]
    staff_client.post(CHANGELIST, {"action": "start_orders", "_selected_action": ids})
    staff_client.post(CHANGELIST, {"action": "complete_orders", "_selected_action": ids[:2]})
    staff_client.post(CHANGELIST, {"action": "cancel_orders", "_selected_action": ids[2:]})
    assert [Order.objects.get(pk=pk).status for pk in ids] == [
        Status.COMPLETED,
        Status.COMPLETED,
        Status.CANCELLED,
    ]


def test_bulk_reject_asks_for_one_reason_first(staff_client, general_user):
    orders = [place(general_user) for _ in range(2)]
    ids = [str(order.pk) for order in orders]
    form = staff_client.post(CHANGELIST, {"action": "reject_orders", "_selected_action": ids})
    assert form.status_code == 200
    assert 'name="reason"' in form.text
    assert all(Order.objects.get(pk=pk).status == Status.SUBMITTED for pk in ids)

    staff_client.post(
        CHANGELIST,
        {"action": "reject_orders", "_selected_action": ids, "reason": "Duplicate order."},
    )
    assert {Order.objects.get(pk=pk).rejection_reason for pk in ids} == {"Duplicate order."}


def test_customers_cannot_work_orders_in_the_back_office(client, admin_user, order):
    client.force_login(admin_user)
    response = client.post(move_url(order, "complete"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
