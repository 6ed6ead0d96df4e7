"""The data tables of trunks: the Inventory's Trunks tab and View Orders' Trunk Orders tab.

Cells made in Python on the page have their SQL twin (`export`) for the CSV, which PostgreSQL
writes itself (core/exports.py).
"""

import html

import django_filters
from django.db.models import (
    Case,
    F,
    Func,
    OuterRef,
    Prefetch,
    StringAgg,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, Upper
from django.utils.safestring import mark_safe

from core.badges import badge
from core.exports import choice_label_sql
from core.tables import Column, DataTable, choice_label, row_url
from orders.tables import OrderFilter, order_columns, orders_of_kind

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


_trunk_url = row_url("trunks:trunk_detail")
_status_label = choice_label("status", Trunk.Status.choices)
_role_label = choice_label("role", Trunk.Role.choices)


def _manage_button(trunk, user):
    return mark_safe(  # noqa: S308 - escaped parts
        f'<a class="button button--secondary button--small" href="{html.escape(_trunk_url(trunk))}"'
        f' aria-label="Manage {html.escape(trunk.name)}">Manage</a>'
    )


def _addresses(kind):
    return lambda trunk: ", ".join(str(a) for a in trunk.address_list if a.kind == kind)


def with_addresses(trunks):
    """trunks with their addresses in one query, as a plain list each (trunk.address_list):
    through each trunk's related manager, the prefetch builds a scoped queryset per row."""
    return trunks.prefetch_related(Prefetch("addresses", to_attr="address_list"))


# The hand-written lists of a package's page and of its Routing Policy Manager, their rows made
# by core.tables.table_rows (views/common.py fetches what they read).
TRUNK_LIST_COLUMNS = [
    Column("name", "Trunk"),
    Column("role", "Role", value=lambda t: _role_label(t) or "—"),
    Column("status", "Status", value=_status_label, badge=lambda t: t.status_tone),
    Column("max_channels", "Channels"),
    Column(
        "signaling",
        "Signaling addresses",
        value=_addresses(TrunkAddress.Kind.SIGNALING),
    ),
    Column("manage", "Manage", html=_manage_button),
]
_policy_edit_url = row_url("trunks:policy_edit")
_policy_delete_url = row_url("trunks:policy_delete")


def _policy_name(policy, user):
    default = f" {badge('Default')}" if policy.is_default else ""
    return mark_safe(f"{html.escape(policy.name)}{default}")  # noqa: S308 - escaped parts


def _policy_targets(policy, user):
    items = "".join(
        f'<li>{html.escape(target.trunk_name)} <span class="muted">priority {target.priority},'
        f" weight {target.weight}</span></li>"
        for target in policy.target_list
    )
    return mark_safe(f'<ol class="plain-list">{items}</ol>')  # noqa: S308 - escaped parts


def _policy_actions(policy, user):
    name = html.escape(policy.name)
    edit = html.escape(_policy_edit_url(policy))
    delete = html.escape(_policy_delete_url(policy))
    return mark_safe(  # noqa: S308 - escaped parts
        '<div class="row">'
        f'<a class="button button--secondary button--small" href="{edit}"'
        f' aria-label="Edit {name}">Edit</a> '
        f'<a class="button button--danger button--small" href="{delete}" hx-get="{delete}"'
        f' hx-target="#modal" aria-label="Delete {name}">Delete</a></div>'
    )


POLICY_LIST_COLUMNS = [
    Column("name", "Policy", html=_policy_name),
    Column("targets", "Trunks, in order", html=_policy_targets),
    Column("fallback", "Fallback", value=lambda p: p.fallback_display or "—"),
]
# Only for those who may change the policies.
POLICY_ACTIONS_COLUMN = Column("actions", "Actions", html=_policy_actions)


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
            value=_status_label,
            badge=lambda t: t.status_tone,
            export=choice_label_sql("status", Trunk.Status.choices),
        ),
        Column("package", "Package", value=lambda t: t.package.name, export="package__name"),
        Column(
            "type",
            "Package type",
            value=choice_label("package__type", Package.Type.choices),
            export=choice_label_sql("package__type", Package.Type.choices),
        ),
        Column(
            "role",
            "Role",
            value=_role_label,
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
            value=choice_label("auth", Trunk.Auth.choices),
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
        return with_addresses(Trunk.objects.select_related("package"))


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
            value=choice_label("trunk_order__type", TrunkOrder.Type.choices),
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
        return orders_of_kind(KIND).select_related("trunk_order__trunk__package")
