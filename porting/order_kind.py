"""Port orders as one kind of order: their lifecycle, View Orders tab, description and page part.

A port order is a Draft until submitted, then Pending Documents until its LOA and invoice are
uploaded; then each batch goes its own way with its carrier (BATCH_LIFECYCLE) and the order's
status is rolled up from its batches' (orders.lifecycle.roll_up).
"""

import html

import django_filters
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.exports import choice_label_sql
from core.phones import display_phone
from core.tables import Column, DataTable, row_url
from orders.kinds import EventType, OrderKind
from orders.models import Order
from orders.tables import OrderFilter, order_columns, orders_of_kind
from phone_numbers import order_types
from phone_numbers.models import Kind, PhoneNumber

from .calendar import EASTERN
from .carriers import LineType
from .documents import OPEN_TO_DOCUMENTS, refusal
from .lifecycle import PORT_LIFECYCLE
from .models import PortKind, PortNumber, PortOrder
from .permissions import PLACE_PORTS, UPLOAD_PORT_DOCUMENTS, VIEW_PORTS
from .services import KIND
from .submission import missing_documents, on_order_status_changed, order_move_refusal

Status = Order.Status
# The most numbers an order's page lists; the rest are in the order's batches.
SHOWN_NUMBERS = 100


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


_documents_url = row_url("porting:documents")


def _documents_cell(order, viewer):
    """GO to the Upload documents pop-up, while the order takes documents and the viewer may
    upload them."""
    if order.status not in OPEN_TO_DOCUMENTS or not viewer.has_perm(UPLOAD_PORT_DOCUMENTS):
        return "—"
    label = "Upload documents" if order.status == Status.PENDING_DOCUMENTS else "Documents"
    url = html.escape(_documents_url(order))
    reference = html.escape(order.reference)
    return mark_safe(  # noqa: S308 - escaped parts
        f'<span class="row">{label} <a class="button button--small" href="{url}"'
        f' hx-get="{url}" hx-target="#modal" aria-label="{label} for {reference}">GO</a></span>'
    )


class PortOrderTable(DataTable):
    name = "port-orders"
    permission = VIEW_PORTS
    filterset_class = PortOrderFilter
    default_sort = "-placed"
    # Sorted by the indexes (enterprise, kind, [status,] -placed_at, -id) of Order.
    columns = [
        *order_columns(
            Column(
                "kind",
                "Kind",
                value=lambda o: o.port.get_kind_display(),
                export=choice_label_sql("port__kind", PortKind.choices),
            ),
            Column("numbers", "Numbers", value=_number_count, export="port__port_list__total"),
            Column(
                "package",
                "Package",
                value=lambda o: o.port.package.name,
                export="port__package__name",
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
        ),
        Column("documents", "Documents", html=_documents_cell, export=False),
    ]

    def get_queryset(self):
        return orders_of_kind(KIND).select_related("port__package", "port__port_list")


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
        "rejected_batches": port.batches.filter(status=Status.REJECTED),
        "documents": port.documents.select_related("uploaded_by"),
        "documents_open": refusal(order) is None,
        "documents_needed": missing_documents(port),
        "temporary_numbers": PhoneNumber.objects.filter(order=order, kind=Kind.TEMPORARY)[:20],
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
    return order_types.form_url("porting:add", package=port.package.public_id, kind=port.kind)


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
    move_refusal=order_move_refusal,
    on_status_changed=on_order_status_changed,
    events=(
        EventType("loa_produced", "LOA produced"),
        EventType("loa_signed", "LOA signed"),
        EventType("loa_uploaded", "LOA uploaded"),
        EventType("invoice_uploaded", "Invoice uploaded"),
        EventType("batch_sent", "Sent to the current carrier"),
        EventType("batch_foc", "FOC confirmed"),
        EventType("batch_rejected", "Rejected by the current carrier"),
        EventType("batch_resubmitted", "Corrected and resubmitted"),
        EventType("batch_completed", "Ported"),
        EventType("batch_cancelled", "Batch cancelled"),
        EventType("foc_reminder", "FOC reminder", email=True),
        EventType("temporary_numbers", "Temporary numbers"),
    ),
    order_again_url=order_again_url,
    order=30,
)
