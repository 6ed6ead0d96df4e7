"""The data tables of trunks: the Inventory's Trunks tab and View Orders' Trunk Orders tab.

Cells made in Python on the page have their SQL twin (`export`) for the CSV, which PostgreSQL
writes itself (core/exports.py).
"""

import django_filters
from django.db.models import Case, F, Func, OuterRef, StringAgg, Subquery, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, Upper
from django.utils.html import format_html

from core.exports import choice_label_sql
from core.tables import Column, DataTable, row_url
from orders.models import Order
from orders.tables import OrderFilter, order_columns

from .models import Package, Trunk, TrunkAddress, TrunkOrder
from .permissions import VIEW_TRUNKS
from .services import KIND


def addresses_sql(kind):
    """A trunk's addresses of one kind as the page shows them, e.g. 34.1.2.3:5060/UDP."""
    host = Case(
        When(host__contains=":", then=Concat(Value("["), "host", Value("]"))),
        default=F("host"),
        output_field=TextField(),
    )
    text = (
        host
        if kind == TrunkAddress.Kind.MEDIA
        else Concat(
            host,
            Value(":"),
            Cast("port", TextField()),
            Value("/"),
            Upper("transport"),
            output_field=TextField(),
        )
    )
    joined = (
        TrunkAddress.objects.filter(trunk=OuterRef("pk"), kind=kind)
        .values("trunk")
        .annotate(text=StringAgg(text, Value(", "), order_by="position"))
        .values("text")
    )
    return Coalesce(Subquery(joined), Value(""), output_field=TextField())


class CodecLabels(Func):
    """The codec codes of a trunk's JSON list, as labels joined by commas."""

    output_field = TextField()

    def __init__(self, expression):
        # Only the constants of Trunk.Codec go into the SQL, never anything a user typed.
        cases = " ".join(f"WHEN '{value}' THEN '{label}'" for value, label in Trunk.Codec.choices)
        self.template = (
            "(SELECT coalesce(string_agg(CASE code " + cases + " ELSE code END, ', '), '')"  # noqa: S608
            " FROM jsonb_array_elements_text(%(expressions)s) AS code)"
        )
        super().__init__(expression)


def by_name(model, field, value, *, pk="pk"):
    """The ids of model's rows whose field contains value, read from its pg_trgm index.

    Searches unite one such query per field: PostgreSQL cannot use the indexes of an OR that
    spans joined tables, and would read every row of the enterprise instead.
    """
    return model.objects.filter(**{f"{field}__icontains": value}).order_by().values(pk)


# The tones of trunks/_status_badge.html, for the table's badges (made without a template).
STATUS_TONES = {
    Trunk.Status.ACTIVE: "ok",
    Trunk.Status.PENDING: "warn",
    Trunk.Status.DISCONNECT_PENDING: "danger",
}
_trunk_url = row_url("trunks:trunk_detail")


def _manage_button(trunk, user):
    return format_html(
        '<a class="button button--secondary button--small" href="{}" aria-label="Manage {}">'
        "Manage</a>",
        _trunk_url(trunk),
        trunk.name,
    )


def _addresses(kind):
    return lambda trunk: ", ".join(str(a) for a in trunk.addresses_of(kind))


class TrunkFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    status = django_filters.ChoiceFilter(choices=Trunk.Status.choices, empty_label="All")
    package_type = django_filters.ChoiceFilter(
        label="Package type",
        field_name="package__type",
        choices=Package.Type.choices,
        empty_label="All",
    )

    def filter_search(self, queryset, name, value):
        """Trunks whose name or whose package's name contains value."""
        value = value.strip()
        matches = by_name(Trunk, "name", value).union(by_name(Trunk, "package__name", value))
        return queryset.filter(pk__in=matches)


class TrunkTable(DataTable):
    name = "inventory-trunks"
    permission = VIEW_TRUNKS
    filterset_class = TrunkFilter
    default_sort = "name"
    # Sortable columns have their (enterprise, column, id) index on Trunk.
    columns = [
        Column("name", "Trunk", sort_by="name", always=True),
        Column(
            "status",
            "Status",
            sort_by="status",
            value=lambda t: t.get_status_display(),
            badge=lambda t: STATUS_TONES.get(t.status, "muted"),
            export=choice_label_sql("status", Trunk.Status.choices),
        ),
        Column("package", "Package", value=lambda t: t.package.name, export="package__name"),
        Column(
            "type",
            "Package type",
            value=lambda t: t.package.get_type_display(),
            export=choice_label_sql("package__type", Package.Type.choices),
        ),
        Column(
            "role",
            "Role",
            value=lambda t: t.get_role_display(),
            export=choice_label_sql("role", Trunk.Role.choices),
        ),
        Column("max_channels", "Channels"),
        Column(
            "signaling",
            "Signaling addresses",
            value=_addresses(TrunkAddress.Kind.SIGNALING),
            export=lambda: addresses_sql(TrunkAddress.Kind.SIGNALING),
        ),
        Column(
            "media",
            "Media addresses",
            value=_addresses(TrunkAddress.Kind.MEDIA),
            default=False,
            export=lambda: addresses_sql(TrunkAddress.Kind.MEDIA),
        ),
        Column(
            "codecs",
            "Codecs",
            value=lambda t: t.codec_labels,
            default=False,
            export=CodecLabels("codecs"),
        ),
        Column(
            "auth",
            "Authentication",
            value=lambda t: t.get_auth_display(),
            default=False,
            export=choice_label_sql("auth", Trunk.Auth.choices),
        ),
        Column(
            "location",
            "Switch location",
            value=lambda t: t.location,
            default=False,
            export=Concat(
                "street",
                Value(", "),
                "city",
                Value(", "),
                "state",
                Value(" "),
                "zip_code",
                Value(", "),
                "country",
                output_field=TextField(),
            ),
        ),
        Column(
            "manage",
            "Manage",
            html=_manage_button,
            always=True,
            export=False,
        ),
    ]

    def get_queryset(self):
        return Trunk.objects.select_related("package").prefetch_related("addresses")


class TrunkOrderFilter(OrderFilter):
    type = django_filters.ChoiceFilter(
        label="Type",
        field_name="trunk_order__type",
        choices=TrunkOrder.Type.choices,
        empty_label="All",
    )

    class Meta(OrderFilter.Meta):
        fields = ["q", "status", "type", "date_from", "date_to"]

    def matches(self, value):
        """Also the orders of trunks and packages whose name contains value."""
        return (
            super()
            .matches(value)
            .union(
                by_name(TrunkOrder, "trunk__name", value, pk="order_id"),
                by_name(TrunkOrder, "trunk__package__name", value, pk="order_id"),
            )
        )


class TrunkOrderTable(DataTable):
    name = "trunk-orders"
    permission = VIEW_TRUNKS
    filterset_class = TrunkOrderFilter
    default_sort = "-placed"
    # Sorted by the indexes (enterprise, kind, [status,] -placed_at, -id) of Order.
    columns = order_columns(
        Column(
            "type",
            "Type",
            value=lambda o: o.trunk_order.get_type_display(),
            export=choice_label_sql("trunk_order__type", TrunkOrder.Type.choices),
        ),
        Column(
            "package",
            "Package",
            value=lambda o: o.trunk_order.trunk.package.name,
            export="trunk_order__trunk__package__name",
        ),
        Column(
            "trunk",
            "Trunk",
            value=lambda o: o.trunk_order.trunk.name,
            export="trunk_order__trunk__name",
        ),
    )

    def get_queryset(self):
        return Order.objects.filter(kind=KIND).select_related(
            "placed_by", "trunk_order__trunk__package"
        )
