"""Trunk orders as one kind of order: their View Orders tab, description, hook and Order again."""

import uuid

from django.urls import reverse
from django.utils import timezone

from orders.kinds import OrderKind
from orders.lifecycle import ORDER_LIFECYCLE

from . import lifecycle
from .change_orders import apply_change, current_values
from .changes import CHANGE_LABELS, heading, in_words
from .models import Trunk, TrunkOrder
from .permissions import ORDER_TRUNKS, VIEW_TRUNKS
from .services import KIND, TRUNK_FIELDS, set_status
from .tables import TrunkOrderTable

# The parameter of an order form's URL naming the order it is filled from ("Order again").
AGAIN = "again"


def describe(order):
    trunk_order = order.trunk_order
    trunk = trunk_order.trunk
    if trunk_order.type == TrunkOrder.Type.NEW:
        package = trunk.package
        role = f", {trunk.get_role_display().lower()}" if trunk.role else ""
        return f"New trunk {trunk.name} in {package.name} ({package.get_type_display()}{role})"
    if trunk_order.type == TrunkOrder.Type.CHANGE:
        what = ", ".join(
            label for key, label in CHANGE_LABELS.items() if key in trunk_order.requested
        )
        return f"Change of trunk {trunk.name}: {what}"
    return f"Disconnect of trunk {trunk.name}"


def table(request):
    return TrunkOrderTable(request.user, request.GET)


def detail(order):
    trunk_order = TrunkOrder.objects.select_related("trunk__package").get(order=order)
    return {
        "trunk_order": trunk_order,
        "requested": [
            (label, in_words(key, trunk_order.requested[key]))
            for key, label in CHANGE_LABELS.items()
            if key in trunk_order.requested
        ],
    }


def facts(order):
    """What carrier staff need to turn up, change or disconnect the trunk."""
    trunk_order = TrunkOrder.objects.select_related("trunk__package").get(order=order)
    trunk = trunk_order.trunk
    package = trunk.package
    role = f", {trunk.get_role_display().lower()}" if trunk.role else ""
    rows = [
        ("Trunk", f"{trunk.name} ({trunk.get_status_display()})"),
        ("Package", f"{package.name} ({package.get_type_display()}{role})"),
    ]
    if trunk_order.type == TrunkOrder.Type.NEW:
        rows += [
            ("Switch location", trunk.location),
            ("Switch", f"{trunk.switch_vendor} {trunk.switch_model}"),
            ("Signaling addresses", ", ".join(map(str, trunk.signaling_addresses))),
            ("Media addresses", ", ".join(map(str, trunk.media_addresses)) or "Same as signaling"),
            ("Maximum concurrent calls", trunk.max_channels),
            ("Authentication", in_words("auth", trunk.auth)),
            ("SIP username", trunk.auth_username or "—"),
            ("Codecs", in_words("codecs", trunk.codecs)),
            ("DTMF mode", trunk.get_dtmf_display()),
            ("T.38 fax", "Yes" if trunk.t38_fax else "No"),
            ("SRTP", "Yes" if trunk.srtp else "No"),
            (
                "Testing contact",
                f"{trunk.contact_name}, {trunk.contact_email}, {trunk.contact_phone_display}",
            ),
        ]
    elif trunk_order.type == TrunkOrder.Type.CHANGE:
        # While the order is open, the trunk still has the values it changes from.
        now = current_values(trunk) if order.is_open else {}
        for key in CHANGE_LABELS:
            if key in trunk_order.requested:
                wanted = in_words(key, trunk_order.requested[key])
                rows.append(
                    (heading(key), f"{in_words(key, now[key])} → {wanted}" if now else wanted)
                )
    due = trunk_order.requested_due_date
    rows += [
        ("Requested due date", f"{due:%Y-%m-%d}" if due else "As soon as possible"),
        ("Notes", trunk_order.notes or "—"),
    ]
    return rows


def on_order_status_changed(order, *, before, by):
    """Do to the trunk what the order's new status means (trunks.lifecycle.ON_ORDER).

    The orders app calls it in the transaction of the change, with the order's row locked;
    the trunk is locked after it, in that order everywhere.
    """
    trunk_order = TrunkOrder.objects.get(order=order)
    trunk = Trunk.objects.select_for_update().get(pk=trunk_order.trunk_id)
    if trunk_order.type == TrunkOrder.Type.CHANGE:
        if order.status == order.Status.COMPLETED:
            apply_change(trunk, trunk_order.requested, by=by)
        return
    to_status = lifecycle.ON_ORDER.get((trunk_order.type, order.status))
    if to_status is not None:
        set_status(trunk, to_status, by=by)


def order_again_url(order):
    """The form of the same type of trunk order, to be filled from order."""
    trunk_order = order.trunk_order
    trunk = trunk_order.trunk
    if trunk_order.type == TrunkOrder.Type.NEW:
        url = reverse("trunks:add_trunk", args=[trunk.package.public_id])
    elif trunk_order.type == TrunkOrder.Type.CHANGE:
        url = reverse("trunks:change_trunk", args=[trunk.public_id])
    else:
        url = reverse("trunks:disconnect_trunk", args=[trunk.public_id])
    return f"{url}?{AGAIN}={order.public_id}"


def order_again_initial(request, type):
    """What the order form starts with when opened by Order again on an order of type.

    The order is looked up in the scope of the request's enterprise: another enterprise's
    order, or an order of another type, fills nothing in.
    """
    try:
        public_id = uuid.UUID(request.GET.get(AGAIN, ""))
    except ValueError:
        return {}
    trunk_order = (
        TrunkOrder.objects.filter(order__public_id=public_id, type=type)
        .select_related("order", "trunk")
        .prefetch_related("trunk__addresses")
        .first()
    )
    if trunk_order is None:
        return {}
    order, trunk = trunk_order.order, trunk_order.trunk
    due = trunk_order.requested_due_date
    initial = {
        "customer_reference": order.customer_reference,
        "notes": trunk_order.notes,
        "requested_due_date": due if due and due >= timezone.localdate() else None,
    }
    if type == TrunkOrder.Type.NEW:
        values = current_values(trunk)
        initial.update({field: getattr(trunk, field) for field in TRUNK_FIELDS})
        initial.update(signaling=values["signaling"], media=values["media"])
    elif type == TrunkOrder.Type.CHANGE:
        initial.update({**current_values(trunk), **trunk_order.requested})
    return initial


TRUNK_ORDERS = OrderKind(
    key=KIND,
    label="Trunk order",
    tab_label="Trunk Orders",
    prefix="TO",
    view_permission=VIEW_TRUNKS,
    place_permission=ORDER_TRUNKS,
    table=table,
    detail_template="trunks/_order_detail.html",
    describe=describe,
    detail=detail,
    facts=facts,
    on_status_changed=on_order_status_changed,
    lifecycle=ORDER_LIFECYCLE,
    order_again_url=order_again_url,
    order=10,
)
