"""Change and disconnect requests for a trunk: orders with the same lifecycle as the others."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html

from audit.records import Change, record
from orders.models import Order
from orders.services import place_order

from . import actions, lifecycle
from .changes import ADDRESS_KEYS, CHANGE_LABELS, current_values, heading, in_words
from .models import Trunk, TrunkOrder
from .services import (
    KIND,
    SWITCH_KEYS,
    check_switch,
    create_trunk_order,
    set_addresses,
    set_status,
)

CHANGEABLE = list(CHANGE_LABELS)


def open_order_refusal(trunk):
    """Why trunk cannot take a change or disconnect order now, or None."""
    if trunk.status != Trunk.Status.ACTIVE:
        return f"{trunk.name} is {trunk.get_status_display()}: only active trunks can be changed."
    pending = (
        TrunkOrder.objects.filter(Order.open_filter("order__"), trunk=trunk)
        .select_related("order")
        .first()
    )
    if pending is not None:
        return format_html(
            'Order <a href="{}">{}</a> for {} is still open: wait for it to finish or cancel '
            "it first.",
            reverse("orders:order_detail", args=[pending.order.public_id]),
            pending.order.reference,
            trunk.name,
        )
    return None


def policies_using(trunk):
    return list(
        trunk.routing_targets.order_by("policy__name").values_list("policy__name", flat=True)
    )


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
    """Order a change of any of a trunk's settings (changes.CHANGE_LABELS)."""
    order = place_order(
        enterprise=trunk.enterprise,
        kind=KIND,
        by=by,
        ip_address=ip_address,
        submission_key=submission_key,
        customer_reference=customer_reference,
        details={"trunk": trunk.name, "type": "Change"},
        notify=notify,
    )
    trunk = Trunk.objects.select_for_update().get(pk=trunk.pk)
    problem = open_order_refusal(trunk)
    if problem:
        raise ValidationError(problem)
    values = {**values, **check_switch(**{key: values[key] for key in SWITCH_KEYS})}
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
        return format_html(
            "{} still receives calls from the routing {} {}: take it out in the "
            '<a href="{}">Routing Policy Manager</a> first.',
            trunk.name,
            "policy" if len(policies) == 1 else "policies",
            names,
            reverse("trunks:routing_manager", args=[trunk.package.public_id]),
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
        details={"trunk": trunk.name, "type": "Disconnect"},
        notify=notify,
    )
    # The order's row first (place_order), then the trunk: a routing policy saved at this
    # moment locks the trunk too (routing.save_policy), so either it is saved first and found
    # below, or it finds the trunk Disconnect Pending and is refused.
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
    set_status(trunk, lifecycle.ON_DISCONNECT_PLACED, by=by)
    return order


def apply_change(trunk, requested, *, by):
    """Give trunk the values a completed change order asked for; audit them in words."""
    values = current_values(trunk)
    fields = [key for key in requested if key not in ADDRESS_KEYS]
    for key in fields:
        setattr(trunk, key, requested[key])
    if fields:
        trunk.save(update_fields=fields)
    if "signaling" in requested or "media" in requested:
        signaling = requested.get("signaling", values["signaling"])
        media = requested.get("media", values["media"])
        set_addresses(trunk, signaling=signaling, media=media)
    changes = [
        Change(heading(key), in_words(key, values[key]), in_words(key, requested[key]))
        for key in CHANGE_LABELS
        if key in requested
    ]
    record(actions.TRUNK_CHANGED, actor=by, enterprise=trunk.enterprise, obj=trunk, changes=changes)
