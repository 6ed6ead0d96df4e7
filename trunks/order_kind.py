"""Trunk orders as one kind of order: their View Orders tab, description and hook."""

from orders.kinds import OrderKind

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
    on_status_changed=on_order_status_changed,
    order=10,
)
