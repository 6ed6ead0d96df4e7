"""Change and disconnect requests for a trunk: orders with the same lifecycle as the others."""

from django.core.exceptions import ValidationError
from django.db import transaction

from orders.models import Order
from orders.services import place_order

from .models import Trunk, TrunkOrder
from .services import KIND, check_switch, create_trunk_order, set_status

CHANGEABLE = ["max_channels", "signaling", "media", "codecs", "auth", "auth_username"]


def open_order_refusal(trunk):
    """Why trunk cannot take a change or disconnect order now, or None."""
    if trunk.status != Trunk.Status.ACTIVE:
        return f"{trunk.name} is {trunk.get_status_display()}: only active trunks can be changed."
    pending = (
        TrunkOrder.objects.filter(trunk=trunk, order__status__in=Order.OPEN)
        .select_related("order")
        .first()
    )
    if pending is not None:
        return (
            f"Order {pending.order.reference} for {trunk.name} is still open: wait for it to "
            "finish or cancel it first."
        )
    return None


def policies_using(trunk):
    return list(
        trunk.routing_targets.order_by("policy__name").values_list("policy__name", flat=True)
    )


def current_values(trunk):
    """What a change order can change, as stored in TrunkOrder.requested."""
    return {
        "max_channels": trunk.max_channels,
        "signaling": [
            {"host": a.host, "port": a.port, "transport": a.transport}
            for a in trunk.signaling_addresses
        ],
        "media": [a.host for a in trunk.media_addresses],
        "codecs": list(trunk.codecs),
        "auth": trunk.auth,
        "auth_username": trunk.auth_username,
    }


@transaction.atomic
def request_change(
    trunk,
    *,
    by,
    ip_address=None,
    submission_key=None,
    values,
    customer_reference="",
    requested_due_date=None,
    notes="",
    notify=True,
):
    """Order a change of a trunk's channels, addresses, codecs or authentication."""
    order = place_order(
        enterprise=trunk.enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=customer_reference,
        details={"trunk": trunk.name, "type": "change"},
        notify=notify,
    )
    trunk = Trunk.objects.select_for_update().get(pk=trunk.pk)
    problem = open_order_refusal(trunk)
    if problem:
        raise ValidationError(problem)
    check_switch(**{key: values[key] for key in CHANGEABLE if key != "codecs"})
    before = current_values(trunk)
    requested = {key: values[key] for key in CHANGEABLE if values[key] != before[key]}
    if not requested:
        raise ValidationError("Nothing would change: edit at least one value.")
    create_trunk_order(
        trunk,
        order,
        type=TrunkOrder.Type.CHANGE,
        requested=requested,
        requested_due_date=requested_due_date,
        notes=notes,
    )
    return order


def disconnect_refusal(trunk):
    problem = open_order_refusal(trunk)
    if problem:
        return problem
    policies = policies_using(trunk)
    if policies:
        names = ", ".join(f"“{name}”" for name in policies)
        return (
            f"{trunk.name} still receives calls from the routing "
            f"{'policy' if len(policies) == 1 else 'policies'} {names}: "
            "take it out of them first."
        )
    return None


@transaction.atomic
def request_disconnect(
    trunk,
    *,
    by,
    ip_address=None,
    submission_key=None,
    customer_reference="",
    requested_due_date=None,
    notes="",
    notify=True,
):
    """Order a trunk's disconnection; it is Disconnect Pending until staff complete it."""
    order = place_order(
        enterprise=trunk.enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=customer_reference,
        details={"trunk": trunk.name, "type": "disconnect"},
        notify=notify,
    )
    trunk = Trunk.objects.select_for_update().get(pk=trunk.pk)
    problem = disconnect_refusal(trunk)
    if problem:
        raise ValidationError(problem)
    create_trunk_order(
        trunk,
        order,
        type=TrunkOrder.Type.DISCONNECT,
        requested_due_date=requested_due_date,
        notes=notes,
    )
    set_status(trunk, Trunk.Status.DISCONNECT_PENDING, by=by)
    return order
