"""Number orders as one kind of order: their View Orders tab, description, page part and hook."""

import django_filters

from core.exports import choice_label_sql
from core.phones import display_phone
from core.tables import Column, DataTable
from orders.kinds import OrderKind
from orders.lifecycle import ORDER_LIFECYCLE
from orders.tables import OrderFilter, order_columns, orders_of_kind

from . import order_types
from .models import Kind, NumberOrder
from .ordering import KIND, on_order_status_changed
from .permissions import ORDER_NUMBERS, VIEW_NUMBERS

# The most numbers an order's page lists (an order asks for at most supply.MAX_QUANTITY).
SHOWN_NUMBERS = 100


class NumberOrderFilter(OrderFilter):
    kind = django_filters.ChoiceFilter(
        label="Kind", field_name="number_order__kind", choices=Kind.choices, empty_label="All"
    )

    class Meta(OrderFilter.Meta):
        fields = ["q", "status", "kind", "date_from", "date_to"]


class NumberOrderTable(DataTable):
    name = "number-orders"
    permission = VIEW_NUMBERS
    filterset_class = NumberOrderFilter
    default_sort = "-placed"
    # Sorted by the indexes (enterprise, kind, [status,] -placed_at, -id) of Order.
    columns = order_columns(
        Column(
            "kind",
            "Kind",
            value=lambda o: o.number_order.get_kind_display(),
            export=choice_label_sql("number_order__kind", Kind.choices),
        ),
        Column(
            "quantity",
            "Quantity",
            value=lambda o: o.number_order.quantity,
            export="number_order__quantity",
        ),
        Column(
            "package",
            "Package",
            value=lambda o: o.number_order.package.name,
            export="number_order__package__name",
        ),
    )

    def get_queryset(self):
        return orders_of_kind(KIND).select_related("number_order__package")


def table(request):
    return NumberOrderTable(request.user, request.GET)


def search_in_words(number_order):
    """What the numbers were chosen by: "area code 303, contains 42, consecutive"."""
    parts = []
    if number_order.kind == Kind.INTERNATIONAL:
        parts.append(f"country {number_order.country}")
    if number_order.area_code:
        parts.append(f"area code {number_order.area_code}")
    place = ", ".join(filter(None, [number_order.city, number_order.state]))
    if place:
        parts.append(place)
    if number_order.contains:
        parts.append(f"contains {number_order.contains}")
    if number_order.vanity:
        parts.append(f"vanity {number_order.vanity}")
    if number_order.consecutive:
        parts.append("consecutive")
    return ", ".join(parts) or "any number"


def describe(order):
    number_order = order.number_order
    quantity = number_order.quantity
    return (
        f"{quantity} {number_order.get_kind_display()} number{'s' if quantity != 1 else ''} "
        f"in {number_order.package.name} ({search_in_words(number_order)})"
    )


def routing_in_words(number_order):
    if number_order.routing_policy_id:
        return f"Policy: {number_order.routing_policy.name}"
    if number_order.trunk_id:
        return f"Trunk: {number_order.trunk.name}"
    return "Package default"


def detail(order):
    number_order = NumberOrder.objects.select_related(
        "package", "routing_policy", "trunk", "e911_address"
    ).get(order=order)
    numbers = order.phone_numbers.order_by("e164", "id")[:SHOWN_NUMBERS]
    return {
        "number_order": number_order,
        "search": search_in_words(number_order),
        "routing": routing_in_words(number_order),
        "numbers": numbers,
    }


def facts(order):
    """What carrier staff need to carry the order out."""
    number_order = NumberOrder.objects.select_related(
        "package", "routing_policy", "trunk", "e911_address"
    ).get(order=order)
    numbers = order.phone_numbers.order_by("e164", "id").values_list("e164", flat=True)
    return [
        ("Package", f"{number_order.package.name} ({number_order.package.get_type_display()})"),
        ("Kind", number_order.get_kind_display()),
        ("Quantity", number_order.quantity),
        ("Search", search_in_words(number_order)),
        ("Numbers", ", ".join(display_phone(e164) for e164 in numbers) or "—"),
        ("Service address", number_order.address),
        ("Routing", routing_in_words(number_order)),
        ("Caller ID (CNAM)", number_order.cnam or "—"),
        ("E911 address", str(number_order.e911_address or "—")),
    ]


def order_again_url(order):
    """Get New Number for the same package and kind."""
    number_order = order.number_order
    return order_types.form_url(
        "phone_numbers:add", package=number_order.package.public_id, kind=number_order.kind
    )


NUMBER_ORDERS = OrderKind(
    key=KIND,
    label="Number order",
    tab_label="Number Orders",
    prefix="NO",
    view_permission=VIEW_NUMBERS,
    place_permission=ORDER_NUMBERS,
    table=table,
    detail_template="phone_numbers/_order_detail.html",
    describe=describe,
    detail=detail,
    facts=facts,
    on_status_changed=on_order_status_changed,
    lifecycle=ORDER_LIFECYCLE,
    order_again_url=order_again_url,
    order=20,
)
