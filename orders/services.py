"""The lifecycle of every order: placing it, moving it from status to status, noting events.

Each change locks the order, checks the move against the order's kind's lifecycle for who makes
it (core.actors: a person, carrier staff, the portal itself), writes the timeline and the audit
log, lets the order's kind react (a completed trunk order makes the trunk Active) and e-mails
the person who placed the order once the transaction commits.

Lock order, everywhere: the order's row first, then the kind's own rows (a trunk order's
package, then its trunks). place_order inserts the order before the caller creates or locks
anything else; move() locks the order before the kind's hook locks the rest.

A move to the status the order already has is a no-op that succeeds: a retried job or a carrier
callback delivered twice does no harm.
"""

from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from audit.records import Change, record
from core.actors import CUSTOMER, as_actor

from . import actions, emails, kinds
from .models import Order, OrderEvent, new_reference

Status = Order.Status

REFERENCE_ATTEMPTS = 5


class AlreadySubmitted(Exception):
    """The form that placed this order was submitted again; order is the first one."""

    def __init__(self, order):
        super().__init__(f"Order {order.reference} was already submitted.")
        self.order = order


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
    status=None,
):
    """Create an order of kind in its first status; the caller adds the kind's rows.

    status is the kind's initial status unless given: one its lifecycle may start with.

    It runs only inside the caller's transaction (RuntimeError otherwise), called first in it:
    a second submit of the same form (same submission_key) waits here for the first and then
    raises AlreadySubmitted, which rolls the caller's work back. notify=False places it
    without e-mail (the demo data).
    """
    if not connection.in_atomic_block:
        raise RuntimeError(
            "place_order() runs inside the transaction that adds the order's own rows: "
            "call it from a function decorated with @transaction.atomic."
        )
    actor = as_actor(by)
    order_kind = kinds.get(kind)
    status = status or order_kind.lifecycle.initial
    if not order_kind.lifecycle.may_start_as(status):
        raise ValueError(f"A {order_kind.label.lower()} is never placed as {status!r}.")
    for _attempt in range(REFERENCE_ATTEMPTS):
        order = Order(
            enterprise=enterprise,
            kind=kind,
            reference=new_reference(order_kind.prefix),
            customer_reference=customer_reference,
            status=status,
            placed_by=actor.user,
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
        actor=actor.user,
        actor_label=actor.display,
        to_status=order.status,
    )
    record(
        actions.ORDER_PLACED,
        actor=actor,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=order,
        details={"kind": order_kind.label, **(details or {})},
    )
    if notify:
        transaction.on_commit(partial(emails.send_placed, order))
    return order


def start(order, *, by, ip_address=None, notify=True):
    return move(order, Status.IN_PROGRESS, by=by, ip_address=ip_address, notify=notify)


def complete(order, *, by, ip_address=None, notify=True):
    return move(order, Status.COMPLETED, by=by, ip_address=ip_address, notify=notify)


def reject(order, *, by, reason, ip_address=None, notify=True):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the order is rejected: the customer reads it."})
    return move(order, Status.REJECTED, by=by, ip_address=ip_address, note=reason, notify=notify)


def cancel(order, *, by, ip_address=None, notify=True):
    return move(order, Status.CANCELLED, by=by, ip_address=ip_address, notify=notify)


def refusal(order, to_status, *, by):
    """Why by may not move order to to_status now, or None when they may.

    None as well when the order has that status already: the move is a no-op.
    """
    actor = as_actor(by)
    lifecycle = order.kind_info.lifecycle
    if to_status not in lifecycle.statuses:
        return f"A {order.kind_info.label.lower()} is never {Status(to_status).label}."
    allowed_from = lifecycle.moves_of(actor.role).get(to_status)
    if allowed_from is None:
        if actor.role == CUSTOMER:
            return "Only carrier staff can do this."
        return f"{actor.display} cannot move an order to {Status(to_status).label}."
    if order.status == to_status:
        return None
    if order.status not in allowed_from:
        if actor.role == CUSTOMER and to_status == Status.CANCELLED and order.is_open:
            return (
                f"Order {order.reference} is {order.get_status_display()}: work on it has "
                "already started and it can no longer be cancelled here. Contact support to "
                "stop it."
            )
        return f"Order {order.reference} is {order.get_status_display()}: it cannot be " + (
            f"moved to {Status(to_status).label}."
        )
    kind_refusal = order.kind_info.move_refusal
    return kind_refusal(order, to_status, by=actor) if kind_refusal else None


@transaction.atomic
def move(order, to_status, *, by, ip_address=None, note="", notify=True):
    """Move order to to_status as by (a User, an Actor, None for the portal); the locked copy.

    The kinds' own steps (start, complete, a port order's FOC Confirmed) all come here.
    """
    actor = as_actor(by)
    # Lock the row, then decide on its current status: two staff members clicking at once
    # move it once, and the second click finds the move made and does nothing.
    locked = Order.objects.select_for_update().get(pk=order.pk)
    problem = refusal(locked, to_status, by=actor)
    if problem:
        raise ValidationError(problem)
    if locked.status != to_status:
        _write_move(locked, to_status, actor=actor, ip_address=ip_address, note=note, notify=notify)
    # The caller's instance shows the current state too.
    order.status, order.rejection_reason = locked.status, locked.rejection_reason
    return locked


def _write_move(locked, to_status, *, actor, ip_address, note, notify):
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
        actor=actor.user,
        actor_label=actor.display,
        from_status=before,
        to_status=to_status,
        note=note,
    )
    record(
        actions.ORDER_STATUS_CHANGED,
        actor=actor,
        ip_address=ip_address,
        enterprise=locked.enterprise,
        obj=locked,
        changes=[Change("Status", Status(before).label, Status(to_status).label)],
        details={"reason": note} if note else None,
    )
    hook = locked.kind_info.on_status_changed
    if hook is not None:
        hook(locked, before=before, by=actor)
    if notify:
        transaction.on_commit(partial(emails.send_status_changed, locked, event))


@transaction.atomic
def note_event(order, event_type, *, by, part="", message="", ip_address=None, notify=True):
    """Add something that happened to order to its timeline: "LOA uploaded", "FOC date set".

    event_type is one the order's kind declares (OrderKind.events); part names the part it is
    about (a port order's "Batch 2"); the orderer is e-mailed when the event type says so.
    """
    actor = as_actor(by)
    declared = order.kind_info.event_type(event_type)
    event = OrderEvent.objects.create(
        enterprise_id=order.enterprise_id,
        order=order,
        actor=actor.user,
        actor_label=actor.display,
        event_type=declared.key,
        part=part,
        note=message,
    )
    details = {"event": declared.label}
    if part:
        details["part"] = part
    if message:
        details["message"] = message
    record(
        actions.ORDER_EVENT_NOTED,
        actor=actor,
        ip_address=ip_address,
        enterprise=order.enterprise,
        obj=order,
        details=details,
    )
    if notify and declared.email:
        transaction.on_commit(partial(emails.send_event, order, event))
    return event
