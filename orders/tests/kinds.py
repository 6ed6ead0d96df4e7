"""An order kind that exists only in the tests, so orders is tested without any app's kind.

Its orders have no rows of their own: place() places one through orders.services, its tab lists
them, and its hook writes down every call in hook_calls. registered() puts it in the registry
for one test (orders/tests/conftest.py does so for every orders test).
"""

from contextlib import contextmanager
from dataclasses import replace

from django.db import transaction
from django.template import Template

from accounts.permissions import OPEN_APPLICATIONS
from core.tables import Column, DataTable
from orders import kinds, services
from orders.lifecycle import Lifecycle
from orders.models import Order
from orders.permissions import VIEW_ORDERS
from orders.tables import OrderFilter, order_columns, orders_of_kind

KEY = "test"

# (reference, status before, status after, the acting user) of each call of the kind's hook.
hook_calls = []


class OrderTable(DataTable):
    name = "test-orders"
    permission = VIEW_ORDERS
    default_sort = "-placed"
    filterset_class = OrderFilter
    columns = order_columns(
        Column("summary", "Order", value=lambda o: o.describe(), export=False),
    )

    def get_queryset(self):
        return orders_of_kind(KEY).select_related("enterprise")


def describe(order):
    return f"Test service for {order.enterprise.name}"


def on_status_changed(order, *, before, by):
    # by is a core.actors.Actor; the tests compare the acting user.
    hook_calls.append((order.reference, before, order.status, by.user))


TEST_KIND = kinds.OrderKind(
    key=KEY,
    label="Test order",
    tab_label="Test Orders",
    prefix="XO",
    view_permission=VIEW_ORDERS,
    # Held by Administrators and General Users, not by Read Only: like placing a real order.
    place_permission=OPEN_APPLICATIONS,
    table=lambda request: OrderTable(request.user, request.GET),
    # {% include %} takes a template as well as a template's name.
    detail_template=Template('<section class="card"><p>{{ part.note }}</p></section>'),
    describe=describe,
    detail=lambda order: {"note": f"Test details of {order.reference}"},
    facts=lambda order: [("Test circuit", f"Circuit of {order.reference}")],
    on_status_changed=on_status_changed,
    # The first tab, ahead of those of the installed apps.
    order=1,
)


@contextmanager
def registered(kind=TEST_KIND):
    kinds.register(kind)
    try:
        yield kind
    finally:
        kinds.unregister(kind.key)
        hook_calls.clear()


# A kind shaped like the coming port orders: a lifecycle and timeline events of its own.
PORT_KEY = "test-port"
Status = Order.Status
PORT_LIFECYCLE = Lifecycle(
    statuses=(
        Status.DRAFT,
        Status.PENDING_DOCUMENTS,
        Status.SUBMITTED,
        Status.FOC_CONFIRMED,
        Status.REJECTED,
        Status.COMPLETED,
        Status.CANCELLED,
    ),
    initial=Status.DRAFT,
    customer_moves={
        Status.PENDING_DOCUMENTS: {Status.DRAFT},
        # Rejected means "action required": the customer fixes the order and resubmits it.
        Status.SUBMITTED: {Status.PENDING_DOCUMENTS, Status.REJECTED},
        Status.CANCELLED: {Status.DRAFT, Status.PENDING_DOCUMENTS, Status.REJECTED},
    },
    staff_moves={
        Status.FOC_CONFIRMED: {Status.SUBMITTED},
        Status.REJECTED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
        Status.COMPLETED: {Status.FOC_CONFIRMED},
        Status.CANCELLED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
    },
    # The losing carrier's callbacks confirm or reject; only staff complete or cancel.
    system_moves={
        Status.FOC_CONFIRMED: {Status.SUBMITTED},
        Status.REJECTED: {Status.SUBMITTED, Status.FOC_CONFIRMED},
    },
    cancelling="Your numbers stay with the carrier you have now.",
    order_again_from=frozenset({Status.CANCELLED}),
)
PORT_KIND = replace(
    TEST_KIND,
    key=PORT_KEY,
    label="Test port order",
    tab_label="Test Port Orders",
    prefix="XP",
    lifecycle=PORT_LIFECYCLE,
    events=(
        kinds.EventType("loa_uploaded", "LOA uploaded"),
        kinds.EventType("foc_date_set", "FOC date set", email=True),
        kinds.EventType("batch_rejected", "Batch rejected", email=True),
    ),
    order_again_url=lambda order: f"/test-port/new/?again={order.public_id}",
    order=2,
)


def place(by, *, kind=KEY, **kwargs):
    """A Submitted test order placed by `by` for their enterprise, as a kind's service does."""
    with transaction.atomic():
        return services.place_order(enterprise=by.enterprise, kind=kind, by=by, **kwargs)
