"""Port orders as one kind of order: their lifecycle, View Orders tab, description and page part.

This issue's part of the lifecycle: a port order is a Draft until submitted, then Pending
Documents until its LOA and invoice are uploaded. The customer cancels it until then; a draft
left for 30 days is cancelled by the portal (services.expire_drafts); carrier staff may reject
a port order that cannot be carried out.
"""

from urllib.parse import urlencode

import django_filters
from django.urls import reverse

from core.exports import choice_label_sql
from core.phones import display_phone
from core.tables import Column, DataTable
from orders.kinds import OrderKind
from orders.lifecycle import Lifecycle
from orders.models import Order
from orders.tables import OrderFilter, order_columns

from .calendar import EASTERN
from .carriers import LineType
from .models import PortKind, PortNumber, PortOrder
from .permissions import PLACE_PORTS, VIEW_PORTS
from .services import KIND

Status = Order.Status
# The most numbers an order's page lists; the rest are in the order's batches.
SHOWN_NUMBERS = 100

PORT_LIFECYCLE = Lifecycle(
    statuses=(Status.DRAFT, Status.PENDING_DOCUMENTS, Status.REJECTED, Status.CANCELLED),
    customer_moves={
        Status.PENDING_DOCUMENTS: {Status.DRAFT},
        Status.CANCELLED: {Status.DRAFT, Status.PENDING_DOCUMENTS},
    },
    staff_moves={
        Status.REJECTED: {Status.PENDING_DOCUMENTS},
        Status.CANCELLED: {Status.DRAFT, Status.PENDING_DOCUMENTS},
    },
    system_moves={Status.CANCELLED: {Status.DRAFT}},
    initial=Status.DRAFT,
    also_placed_as=frozenset({Status.PENDING_DOCUMENTS}),
    cancelling=(
        "Nothing has been sent to your current carrier yet. Once cancelled, the order cannot "
        "be reopened: place a new port order instead."
    ),
)


class PortOrderFilter(OrderFilter):
    status = django_filters.ChoiceFilter(
        choices=[(status, Status(status).label) for status in PORT_LIFECYCLE.statuses],
        empty_label="All",
    )
    kind = django_filters.ChoiceFilter(
        label="Kind", field_name="port__kind", choices=PortKind.choices, empty_label="All"
    )

    class Meta(OrderFilter.Meta):
        fields = ["q", "status", "kind", "date_from", "date_to"]


def _number_count(order):
    port_list = order.port.port_list
    return port_list.total if port_list else 0


class PortOrderTable(DataTable):
    name = "port-orders"
    permission = VIEW_PORTS
    filterset_class = PortOrderFilter
    default_sort = "-placed"
    # Sorted by the indexes (enterprise, kind, [status,] -placed_at, -id) of Order.
    columns = order_columns(
        Column(
            "kind",
            "Kind",
            value=lambda o: o.port.get_kind_display(),
            export=choice_label_sql("port__kind", PortKind.choices),
        ),
        Column("numbers", "Numbers", value=_number_count, export="port__port_list__total"),
        Column(
            "package", "Package", value=lambda o: o.port.package.name, export="port__package__name"
        ),
        Column(
            "carrier",
            "Current carrier",
            value=lambda o: o.port.current_carrier,
            export="port__current_carrier",
        ),
        Column(
            "requested",
            "Requested port date",
            value=lambda o: o.port.requested_at,
            export="port__requested_at",
        ),
    )

    def get_queryset(self):
        return Order.objects.filter(kind=KIND).select_related(
            "placed_by", "port__package", "port__port_list"
        )


def table(request):
    return PortOrderTable(request.user, request.GET)


def _count(count, word):
    return f"{count:,} {word}{'s' if count != 1 else ''}"


def describe(order):
    port = order.port
    numbers = _count(_number_count(order), f"{port.get_kind_display()} number")
    text = f"Port of {numbers} into {port.package.name}"
    if port.current_carrier:
        text += f" from {port.current_carrier}"
    batches = list(port.batches.values_list("reference", flat=True)[:6])
    if batches:
        more = port.batches.count() - 5 if len(batches) > 5 else 0
        shown = ", ".join(batches[:5]) + (f" and {more} more" if more else "")
        text += f"; batch{'es' if len(batches) > 1 else ''} {shown}"
    return text


def detail(order):
    port = PortOrder.objects.select_related("package", "port_list", "e911_address", "order").get(
        order=order
    )
    numbers = (
        PortNumber.objects.filter(port_list=port.port_list).select_related("batch")[:SHOWN_NUMBERS]
        if port.port_list
        else []
    )
    return {
        "port": port,
        "numbers": [
            {
                "number": display_phone(number.e164) or number.entry,
                "carrier": number.carrier,
                "line_type": LineType.LABELS.get(number.line_type, ""),
                "batch": number.batch.reference if number.batch else "",
            }
            for number in numbers
        ],
        "batches": port.batches.all(),
        "btn": display_phone(port.btn) if port.btn.startswith("+") else port.btn,
        "edit_url": reverse("porting:edit", args=[order.public_id])
        if order.status == Status.DRAFT
        else "",
    }


def facts(order):
    """What carrier staff need to carry the order out."""
    port = PortOrder.objects.select_related("package", "port_list", "e911_address").get(order=order)
    return [
        ("Package", f"{port.package.name} ({port.package.get_type_display()})"),
        ("Kind", port.get_kind_display()),
        ("Numbers", port.port_list.total if port.port_list else 0),
        ("Service address", port.address_in_words()),
        ("Current carrier", port.current_carrier or "—"),
        ("Account holder", port.account_holder or "—"),
        ("BTN", port.btn or "—"),
        ("Account number", port.account_number or "—"),
        ("Account PIN", port.account_pin or "—"),
        ("Authorized person", f"{port.authorized_name}, {port.authorized_title}"),
        ("Requested port date", _eastern(port.requested_at)),
        ("Port type", "Partial" if port.partial else "Full"),
        ("New BTN", port.new_btn or "—"),
        ("Caller ID (CNAM)", port.cnam or "—"),
        ("E911 address", str(port.e911_address or "—")),
        ("Notes", port.notes or "—"),
    ]


def _eastern(when):
    if when is None:
        return "—"
    return when.astimezone(EASTERN).strftime("%Y-%m-%d %H:%M ET")


def order_again_url(order):
    """Move/Port Current Numbers for the same package and kind."""
    port = order.port
    query = urlencode({"package": port.package.public_id, "kind": port.kind})
    return f"{reverse('porting:add')}?{query}"


PORT_ORDERS = OrderKind(
    key=KIND,
    label="Port order",
    tab_label="Port Orders",
    prefix="PO",
    view_permission=VIEW_PORTS,
    place_permission=PLACE_PORTS,
    table=table,
    detail_template="porting/_order_detail.html",
    describe=describe,
    detail=detail,
    facts=facts,
    lifecycle=PORT_LIFECYCLE,
    order_again_url=order_again_url,
    order=30,
)
