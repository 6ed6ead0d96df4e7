"""Trunk orders as one kind of order: their View Orders tab, description and hook."""

from orders.kinds import OrderKind

from .change_orders import current_values
from .changes import CHANGE_LABELS, in_words
from .lifecycle import on_order_status_changed
from .models import TrunkOrder
from .permissions import ORDER_TRUNKS, VIEW_TRUNKS
from .services import KIND
from .tables import TrunkOrderTable


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
            (label.capitalize(), in_words(key, trunk_order.requested[key]))
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
        for key, label in CHANGE_LABELS.items():
            if key in trunk_order.requested:
                wanted = in_words(key, trunk_order.requested[key])
                rows.append(
                    (label.capitalize(), f"{in_words(key, now[key])} → {wanted}" if now else wanted)
                )
    due = trunk_order.requested_due_date
    rows += [
        ("Requested due date", f"{due:%Y-%m-%d}" if due else "As soon as possible"),
        ("Notes", trunk_order.notes or "—"),
    ]
    return rows


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
    order=10,
)
