"""An order kind that exists only in the tests, so orders is tested without any app's kind.

Its orders have no rows of their own: place() places one through orders.services, its tab lists
them, and its hook writes down every call in hook_calls. registered() puts it in the registry
for one test (orders/tests/conftest.py does so for every orders test).
"""

from contextlib import contextmanager

from django.template import Template

from accounts.permissions import OPEN_APPLICATIONS
from core.tables import Column, DataTable
from orders import kinds, services
from orders.models import Order
from orders.permissions import VIEW_ORDERS
from orders.tables import OrderFilter, order_columns

KEY = "test"

# (reference, status before, status after, by) of each call of the kind's hook.
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
        return Order.objects.filter(kind=KEY).select_related("enterprise", "placed_by")


def describe(order):
    return f"Test service for {order.enterprise.name}"


def on_status_changed(order, *, before, by):
    hook_calls.append((order.reference, before, order.status, by))


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
def registered():
    kinds.register(TEST_KIND)
    try:
        yield TEST_KIND
    finally:
        kinds.unregister(KEY)
        hook_calls.clear()


def place(by, **kwargs):
    """A Submitted test order placed by `by` for their enterprise."""
    return services.place_order(enterprise=by.enterprise, kind=KEY, by=by, **kwargs)
