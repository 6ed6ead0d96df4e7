"""The port batch's state machine: every move of every status, allowed or refused, through the
services that make it; the order follows its batch."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import User
from orders import services as order_services
from orders.models import Order
from porting import submission
from porting.models import PortBatch

from .factories import submitted_order

Status = Order.Status
STATUSES = [
    Status.PENDING_DOCUMENTS,
    Status.SUBMITTED,
    Status.FOC_CONFIRMED,
    Status.COMPLETED,
    Status.REJECTED,
    Status.CANCELLED,
]
FAR = timedelta(days=20)

# What each move makes of a batch, from the statuses it is allowed from; refused from the rest.
MOVES = {
    "staff_send": {Status.PENDING_DOCUMENTS: Status.SUBMITTED},
    "set_foc": {Status.SUBMITTED: Status.FOC_CONFIRMED, Status.FOC_CONFIRMED: Status.FOC_CONFIRMED},
    # The carrier's answer given again (a repeated poll, a retried job) changes nothing.
    "complete": {
        Status.SUBMITTED: Status.COMPLETED,
        Status.FOC_CONFIRMED: Status.COMPLETED,
        Status.COMPLETED: Status.COMPLETED,
    },
    "reject": {
        Status.SUBMITTED: Status.REJECTED,
        Status.FOC_CONFIRMED: Status.REJECTED,
        Status.REJECTED: Status.REJECTED,
    },
    "resubmit": {Status.REJECTED: Status.SUBMITTED},
    "cancel": {
        Status.PENDING_DOCUMENTS: Status.CANCELLED,
        Status.SUBMITTED: Status.CANCELLED,
        Status.FOC_CONFIRMED: Status.CANCELLED,
        Status.REJECTED: Status.CANCELLED,
        Status.CANCELLED: Status.CANCELLED,  # cancelled already: nothing to do
    },
}


def batch_in(user, status):
    """A one-batch order whose batch has status (with its carrier once past the documents)."""
    order = submitted_order(user, account_number="ACM-00000", record_differences_confirmed=True)
    PortBatch.objects.filter(port_order__order=order).update(
        status=status,
        sent_version=None if status == Status.PENDING_DOCUMENTS else 0,
        foc_date=timezone.now().date() + FAR if status == Status.FOC_CONFIRMED else None,
        rejection=[{"code": "account_number_mismatch", "message": "Wrong account number."}]
        if status == Status.REJECTED
        else [],
    )
    Order.objects.filter(pk=order.pk).update(
        status=status, rejection_reason="Wrong account number." if status == Status.REJECTED else ""
    )
    order.refresh_from_db()
    return order, PortBatch.objects.get(port_order__order=order)


def make(move, order, batch, user, staff):
    if move == "staff_send":
        return submission.staff_send(batch, by=staff)
    if move == "set_foc":
        return submission.set_foc(batch, timezone.now().date() + FAR, by=staff)
    if move == "complete":
        return submission.complete(batch, by=staff)
    if move == "reject":
        return submission.reject(batch, [("other", "Losing carrier unresponsive.")], by=staff)
    if move == "resubmit":
        return submission.resubmit(order, {"account_number": "ACM-55210"}, by=user)
    return order_services.cancel(order, by=user)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("move", list(MOVES))
def test_every_move_from_every_status(acme_scope, admin_user, move, status):
    order, batch = batch_in(admin_user, status)
    staff = User.objects.create(email="ops@carrier.test", name="Ops", is_staff=True)
    expected = MOVES[move].get(status)
    if expected is None:
        with pytest.raises(ValidationError):
            make(move, order, batch, admin_user, staff)
        expected = status
    else:
        make(move, order, batch, admin_user, staff)
    batch.refresh_from_db()
    order.refresh_from_db()
    assert batch.status == expected
    assert order.status == expected  # one batch: the order is its batch


def test_the_customer_cannot_cancel_within_48_hours_of_the_foc_date(acme_scope, admin_user):
    order, batch = batch_in(admin_user, Status.FOC_CONFIRMED)
    PortBatch.objects.filter(pk=batch.pk).update(foc_date=timezone.now().date() + timedelta(1))
    with pytest.raises(ValidationError, match="within 48 hours of its FOC date"):
        order_services.cancel(order, by=admin_user)
    order.refresh_from_db()
    assert order.status == Status.FOC_CONFIRMED


def test_a_customer_makes_no_carrier_move(acme_scope, admin_user):
    order, batch = batch_in(admin_user, Status.SUBMITTED)
    for move in (
        lambda: submission.set_foc(batch, timezone.now().date() + FAR, by=admin_user),
        lambda: submission.complete(batch, by=admin_user),
        lambda: submission.reject(batch, [("other", "No.")], by=admin_user),
    ):
        with pytest.raises(ValidationError):
            move()
    batch.refresh_from_db()
    assert batch.status == Status.SUBMITTED


def test_staff_cancel_even_within_48_hours_of_the_foc_date(acme_scope, admin_user):
    order, batch = batch_in(admin_user, Status.FOC_CONFIRMED)
    PortBatch.objects.filter(pk=batch.pk).update(foc_date=timezone.now().date() + timedelta(1))
    staff = User.objects.create(email="ops@carrier.test", name="Ops", is_staff=True)
    order_services.cancel(order, by=staff)
    batch.refresh_from_db()
    assert batch.status == Status.CANCELLED
