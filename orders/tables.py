"""What every View Orders tab shares: its columns and its filters.

A kind's tab is a DataTable over `orders_of_kind(kind)` whose columns are
`order_columns(...its own columns...)` and whose filters extend OrderFilter.
"""

import django_filters
from django.db.models import TextField, Value
from django.db.models.functions import Coalesce, NullIf

from core.exports import choice_label_sql
from core.filters import DateRangeFilterSet
from core.tables import Column, choice_label, row_url

from .lifecycle import ORDER_LIFECYCLE
from .models import Order

# Who placed an order as the Placed by column shows it: the user's name, else their address.
PLACED_BY = Coalesce(
    NullIf("placed_by__name", Value("")),
    "placed_by__email",
    Value("A former user"),
    output_field=TextField(),
)


def orders_of_kind(kind):
    """A kind's orders for its tab, with who placed them read in the same query (a whole user
    row per order would cost more to build than the rest of the row)."""
    return Order.objects.filter(kind=kind).annotate(placed_by_label=PLACED_BY)


def order_columns(*kind_columns):
    """Reference, the customer's reference, the kind's own columns, status and who placed it.

    The sortable ones (status, placed) are served by Order's (enterprise, kind, [status,]
    -placed_at, -id) indexes.
    """
    return [
        Column(
            "reference",
            "Reference ID",
            link=row_url("orders:order_detail"),
            always=True,
            export="reference",
        ),
        Column("customer_reference", "Order Reference ID"),
        *kind_columns,
        Column(
            "status",
            "Status",
            sort_by="status",
            value=choice_label("status", Order.Status.choices),
            badge=lambda o: o.status_tone,
            export=choice_label_sql("status", Order.Status.choices),
        ),
        Column("placed", "Placed", sort_by="placed_at", value=lambda o: o.placed_at),
        Column(
            "placed_by",
            "Placed by",
            value=lambda o: o.placed_by_label,
            export=PLACED_BY,
        ),
        Column(
            "updated",
            "Last change",
            value=lambda o: o.updated_at,
            default=False,
            export="updated_at",
        ),
    ]


class OrderFilter(DateRangeFilterSet):
    """Status, placed between two dates, and a search by reference; kinds add their own."""

    date_field = "placed_at"
    q = django_filters.CharFilter(label="Search", method="filter_search")
    # The statuses of the default lifecycle; a kind with its own declares its own filter.
    status = django_filters.ChoiceFilter(
        choices=[(status, Order.Status(status).label) for status in ORDER_LIFECYCLE.statuses],
        empty_label="All",
    )

    class Meta:
        model = Order
        fields = ["q", "status", "date_from", "date_to"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(pk__in=self.matches(value))

    def matches(self, value):
        """The ids of orders found by value: the start of their reference or their Order
        Reference ID, each read from its index. A kind unites its own matches with these."""
        return (
            Order.objects.filter(reference__startswith=value.upper())
            .order_by()
            .values("pk")
            .union(Order.objects.filter(customer_reference__iexact=value).order_by().values("pk"))
        )
