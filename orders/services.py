"""The lifecycle of every order: placing it and moving it from status to status.

Each change locks the order, checks the move is allowed for who makes it, writes the timeline
and the audit log, lets the order's kind react (a completed trunk order makes the trunk Active)
and e-mails the person who placed the order once the transaction commits.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.records import Change, record

from . import actions, emails, kinds
from .models import Order, OrderEvent, new_reference

Status = Order.Status

# What carrier staff may do, from which statuses.
STAFF_MOVES = {
    Status.IN_PROGRESS: {Status.SUBMITTED},
    Status.COMPLETED: {Status.SUBMITTED, Status.IN_PROGRESS},
    Status.REJECTED: {Status.SUBMITTED, Status.IN_PROGRESS},
    Status.CANCELLED: {Status.SUBMITTED, Status.IN_PROGRESS},
}
# Customers may only cancel, and only before work has started.
CUSTOMER_MOVES = {Status.CANCELLED: {Status.SUBMITTED}}

REFERENCE_ATTEMPTS = 5


class AlreadySubmitted(Exception):
    """The form that placed this order was submitted again; order is the first one."""

    def __init__(self, order):
        super().__init__(f"Order {order.reference} was already submitted.")
        self.order = order


@transaction.atomic
def place_order(
    *,
    enterprise,
    kind,
    by,
    ip_address=None,
    submission_key=None,
    customer_reference="",
    details=None,
    notify=True,
):
    """Create a Submitted order of kind; the caller adds the kind's rows in its transaction.

    Call it first in the caller's transaction: a second submit of the same form (same
    submission_key) waits here for the first and then raises AlreadySubmitted, which rolls
    the caller's work back. notify=False places it without e-mail (the demo data).
    """
    prefix = kinds.get(kind).prefix
    for _attempt in range(REFERENCE_ATTEMPTS):
        order = Order(
            enterprise=enterprise,
            kind=kind,
            reference=new_reference(prefix),
            customer_reference=customer_reference,
            placed_by=by,
            submission_key=submission_key,
        )
        try:
            with transaction.atomic():
                order.save()
            break
        except IntegrityError:
            if submission_key is not None:
                first = Order.objects.filter(
                    enterprise=enterprise, submission_key=submission_key
                ).first()
                if first is not None:
                    raise AlreadySubmitted(first) from None
            # Otherwise the reference was taken: draw another.
    else:
        raise RuntimeError("Could not draw a free order reference.")
    OrderEvent.objects.create(
        enterprise=enterprise,
        order=order,
        at=order.placed_at,
        actor=by,
        actor_label=OrderEvent.label_for(by),
        to_status=Status.SUBMITTED,
    )
    record(
        actions.ORDER_PLACED,
        actor=by,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=order,
        details={"kind": kinds.get(kind).label, **(details or {})},
    )
    if notify:
        transaction.on_commit(partial(emails.send_placed, order))
    return order


def start(order, *, by, ip_address=None, notify=True):
    return _move(order, Status.IN_PROGRESS, by=by, ip_address=ip_address, notify=notify)


def complete(order, *, by, ip_address=None, notify=True):
    return _move(order, Status.COMPLETED, by=by, ip_address=ip_address, notify=notify)


def reject(order, *, by, reason, ip_address=None, notify=True):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the order is rejected: the customer reads it."})
    return _move(order, Status.REJECTED, by=by, ip_address=ip_address, note=reason, notify=notify)


def cancel(order, *, by, ip_address=None, notify=True):
    return _move(order, Status.CANCELLED, by=by, ip_address=ip_address, notify=notify)


def refusal(order, to_status, *, by):
    """Why by may not move order to to_status now, or None when they may."""
    moves = STAFF_MOVES if by.is_staff else CUSTOMER_MOVES
    if to_status not in moves:
        return "Only carrier staff can do this."
    if order.status not in moves[to_status]:
        if not by.is_staff and to_status == Status.CANCELLED and order.is_open:
            return (
                f"Order {order.reference} is already in progress and can no longer be "
                "cancelled here. Contact support to stop it."
            )
        return f"Order {order.reference} is {order.get_status_display()}: it cannot be " + (
            f"moved to {Status(to_status).label}."
        )
    return None


@transaction.atomic
def _move(order, to_status, *, by, ip_address, note="", notify=True):
    # Lock the row, then decide on its current status: two staff members clicking at once
    # move it once.
    locked = Order.objects.select_for_update().get(pk=order.pk)
    problem = refusal(locked, to_status, by=by)
    if problem:
        raise ValidationError(problem)
    before = locked.status
    locked.status = to_status
    fields = ["status", "updated_at"]
    if to_status == Status.REJECTED:
        locked.rejection_reason = note
        fields.append("rejection_reason")
    locked.save(update_fields=fields)
    event = OrderEvent.objects.create(
        enterprise_id=locked.enterprise_id,
        order=locked,
        actor=by,
        actor_label=OrderEvent.label_for(by),
        from_status=before,
        to_status=to_status,
        note=note,
    )
    record(
        actions.ORDER_STATUS_CHANGED,
        actor=by,
        ip_address=ip_address,
        enterprise=locked.enterprise,
        obj=locked,
        changes=[Change("Status", Status(before).label, Status(to_status).label)],
        details={"reason": note} if note else None,
    )
    hook = locked.kind_info.on_status_changed
    if hook is not None:
        hook(locked, before=before, by=by)
    if notify:
        transaction.on_commit(partial(emails.send_status_changed, locked, event))
    # The caller's instance shows the new state too.
    order.status, order.rejection_reason = locked.status, locked.rejection_reason
    return locked
