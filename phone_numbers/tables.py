"""The Inventory's number tabs: US Domestic, Temporary, International and Toll-Free.

Each tab is a DataTable over one kind of number. Sortable columns are read from the
(enterprise, kind, column, id) indexes of PhoneNumber; "starts with" is a range of the
(enterprise, kind, e164, id) index, "ends with" and "contains" use the trigram index of e164.
The CSV has each cell's SQL twin (`export`), which PostgreSQL writes itself (core/exports.py).

Without a Status filter a tab lists the numbers in the inventory (pending and active); the
disconnected ones are kept for their history and shown when the filter asks for them.
"""

import django_filters
from django.core.validators import RegexValidator
from django.db.models import Case, F, Q, TextField, Value, When
from django.db.models.functions import Concat
from django.utils.html import format_html

from core import inventory
from core.exports import choice_label_sql
from core.filters import ModelChoiceFilter
from core.inventory import InventoryTab
from core.tables import Column, DataTable, row_url
from trunks.models import Package

from .models import Kind, PhoneNumber
from .permissions import MANAGE_NUMBERS, VIEW_NUMBERS

IN_INVENTORY = [PhoneNumber.Status.PENDING, PhoneNumber.Status.ACTIVE]
STATUS_TONES = {
    PhoneNumber.Status.ACTIVE: "ok",
    PhoneNumber.Status.PENDING: "warn",
    PhoneNumber.Status.DISCONNECTED: "muted",
}
# The form the selection check boxes belong to (phone_numbers/_manage_bar.html).
SELECTION_FORM = "number-selection"
NO_E911 = "No E911"

digits_only = RegexValidator(r"^[\d\s().+-]*$", "Enter digits only, for example 303.")


def digits(value):
    return "".join(character for character in value if character.isdigit())


class Service:
    CNAM = "cnam"
    E911 = "e911"
    NO_E911 = "no_e911"
    FORWARD = "forward"
    SMS = "sms"

    choices = [
        (CNAM, "Has Caller ID / CNAM"),
        (E911, "Has E911"),
        (NO_E911, "Has no E911"),
        (FORWARD, "Has Remote Call Forward"),
        (SMS, "SMS enabled"),
    ]
    conditions = {
        CNAM: {"cnam__gt": ""},
        E911: {"e911_address__isnull": False},
        NO_E911: {"e911_address__isnull": True},
        FORWARD: {"forward_to__gt": ""},
        SMS: {"sms_enabled": True},
    }


def _packages(request):
    # The tenant scope keeps the list to the enterprise's own packages.
    return Package.objects.exclude(type=Package.Type.OUTBOUND_ONLY)


class NumberFilter(django_filters.FilterSet):
    package = ModelChoiceFilter(queryset=_packages, to_field_name="public_id", empty_label="All")
    status = django_filters.ChoiceFilter(
        choices=PhoneNumber.Status.choices, empty_label="In inventory"
    )
    service = django_filters.ChoiceFilter(
        label="Service", choices=Service.choices, empty_label="Any", method="filter_service"
    )
    prefix = django_filters.CharFilter(
        label="Starts with", method="filter_prefix", validators=[digits_only]
    )
    ending = django_filters.CharFilter(
        label="Ends with", method="filter_ending", validators=[digits_only]
    )
    contains = django_filters.CharFilter(
        label="Contains", method="filter_contains", validators=[digits_only]
    )
    city = django_filters.CharFilter(field_name="city", lookup_expr="iexact")
    state = django_filters.CharFilter(label="State", method="filter_state")

    # North American tabs: "starts with" digits imply the country code +1.
    north_american = True

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=IN_INVENTORY)
        return super().filter_queryset(queryset)

    def filter_service(self, queryset, name, value):
        return queryset.filter(**Service.conditions[value])

    def filter_prefix(self, queryset, name, value):
        """Numbers starting with the digits: an area code or NPA-NXX within North America
        (+1 is implied), a country code and more elsewhere."""
        start = digits(value)
        if not start:
            return queryset
        if self.north_american and not start.startswith("1"):
            start = "1" + start
        # A range rather than LIKE: the (enterprise, kind, e164, id) index reads it directly.
        # Past every number starting with +1303 comes +1304; past +1309, +131; past +99, none.
        queryset = queryset.filter(e164__gte="+" + start)
        below = start.rstrip("9")
        if below:
            queryset = queryset.filter(e164__lt=f"+{below[:-1]}{int(below[-1]) + 1}")
        return queryset

    def filter_ending(self, queryset, name, value):
        return queryset.filter(e164__endswith=digits(value))

    def filter_contains(self, queryset, name, value):
        return queryset.filter(e164__contains=digits(value))

    def filter_state(self, queryset, name, value):
        return queryset.filter(state=value.strip().upper())


class InternationalNumberFilter(NumberFilter):
    north_american = False


def _select_box(number, user):
    if not user.has_perm(MANAGE_NUMBERS):
        return ""
    return format_html(
        '<input type="checkbox" name="number" value="{}" form="{}" aria-label="Select {}"'
        " data-select-number>",
        number.public_id,
        SELECTION_FORM,
        number.display,
    )


_number_url = row_url("phone_numbers:number_detail")


def _number_link(number, user):
    # One line: a narrow column would otherwise break it as "(303) 555-/0100".
    return format_html(
        '<a class="phone-number" href="{}">{}</a>', _number_url(number), number.display
    )


def _manage_button(number, user):
    return format_html(
        '<a class="button button--secondary button--small" href="{}" aria-label="Manage {}">'
        "Manage</a>",
        _number_url(number),
        number.display,
    )


def _e911(number, user):
    if number.e911_address_id is None:
        return format_html('<span class="badge badge--danger">{}</span>', NO_E911)
    return format_html("{}", number.e911_address)


ROUTING_SQL = Case(
    When(routing_policy__isnull=False, then=Concat(Value("Policy: "), "routing_policy__name")),
    When(trunk__isnull=False, then=Concat(Value("Trunk: "), "trunk__name")),
    When(~Q(forward_to=""), then=Concat(Value("Forward to "), "forward_to")),
    default=Value("Package default"),
    output_field=TextField(),
)

E911_SQL = Case(
    When(e911_address__isnull=True, then=Value(NO_E911)),
    When(
        e911_address__unit="",
        then=Concat(
            "e911_address__street",
            Value(", "),
            "e911_address__city",
            Value(", "),
            "e911_address__state",
            Value(" "),
            "e911_address__zip_code",
        ),
    ),
    default=Concat(
        "e911_address__street",
        Value(" "),
        "e911_address__unit",
        Value(", "),
        "e911_address__city",
        Value(", "),
        "e911_address__state",
        Value(" "),
        "e911_address__zip_code",
    ),
    output_field=TextField(),
)


class NumberTableMixin:
    """What the four number tabs share; each names its kind (and the table's own name)."""

    kind: Kind
    permission = VIEW_NUMBERS
    filterset_class = NumberFilter
    default_sort = "number"
    # Sortable columns have their (enterprise, kind, column, id) index on PhoneNumber.
    columns = [
        Column("select", "Select", html=_select_box, always=True, export=False),
        Column(
            "number",
            "Number",
            sort_by="e164",
            value=lambda n: n.display,
            html=_number_link,
            always=True,
            export="e164",
        ),
        Column(
            "status",
            "Status",
            sort_by="status",
            value=lambda n: n.get_status_display(),
            badge=lambda n: STATUS_TONES.get(n.status, ""),
            export=choice_label_sql("status", PhoneNumber.Status.choices),
        ),
        Column(
            "package",
            "Package",
            sort_by="package_id",
            value=lambda n: n.package.name,
            export="package__name",
        ),
        Column("routing", "Routing", value=lambda n: n.routing_label, export=ROUTING_SQL),
        Column("cnam", "Caller ID / CNAM"),
        Column(
            "e911",
            "E911 address",
            value=lambda n: str(n.e911_address) if n.e911_address_id else NO_E911,
            html=_e911,
            export=E911_SQL,
        ),
        Column(
            "sms",
            "SMS",
            value=lambda n: n.sms_enabled,
            default=False,
            export=Case(
                When(sms_enabled=True, then=Value("Yes")),
                default=Value("No"),
                output_field=TextField(),
            ),
        ),
        Column("area_code", "Area code", sort_by="area_code", default=False),
        Column("city", "City", default=False),
        Column("state", "State", default=False),
        Column("added", "Added", sort_by="created_at", value=lambda n: n.created_at),
        Column(
            "activated",
            "Activated",
            value=lambda n: n.activated_at,
            default=False,
            export="activated_at",
        ),
        Column("manage", "Manage", html=_manage_button, always=True, export=False),
    ]

    def get_queryset(self):
        return PhoneNumber.objects.filter(kind=self.kind).select_related(
            "package", "routing_policy", "trunk", "e911_address"
        )

    def _rows(self, cursor, *, backwards=False):
        """The page's rows: their ids read first, from one index and without the joins, and then
        only the page's rows joined.

        PostgreSQL guesses how many numbers a filter matches, often wrongly (a prefix of 10,000
        numbers guessed as 14; the pending numbers, 2%, as spread evenly over the packages),
        and joined before the LIMIT a wrong guess has it join and sort every match, or walk the
        packages' own index for their order. The join also names the package, which opens
        phone_number_package to the pages sorted by package (see the model). (Every sortable
        column here is NOT NULL: no page crosses into a run of NULLs, which DataTable._rows
        reads with a second query.)
        """
        descending = self.descending != backwards
        ids = self._after(self.queryset, cursor, descending).values("pk")
        city = self.filterset.is_valid() and self.filterset.form.cleaned_data.get("city")
        if city and self.sort_key != "number":
            # The table's order with NULLs at the other end: the same rows in the same order,
            # but no index has it, so the city's entries in phone_number_city, which holds the
            # sortable columns, are sorted. Walking the column's index instead, in the hope of
            # meeting the city early, reads past every number before it: a city's numbers are
            # often one block, added together, behind hundreds of thousands of others.
            column = F(self._sort_field())
            order = column.desc(nulls_last=True) if descending else column.asc(nulls_first=True)
            ids = ids.order_by(order, F("pk").desc() if descending else F("pk").asc())
        # Without the filters again: they would lead PostgreSQL back to reading every match.
        page = self.get_queryset().filter(pk__in=ids[: self.page_size + 1])
        return list(page.order_by(*self._ordering(descending)))


class USDomesticTable(NumberTableMixin, DataTable):
    name = "inventory-us-domestic"
    kind = Kind.US_DOMESTIC


class TemporaryTable(NumberTableMixin, DataTable):
    name = "inventory-temporary"
    kind = Kind.TEMPORARY


class InternationalTable(NumberTableMixin, DataTable):
    name = "inventory-international"
    kind = Kind.INTERNATIONAL
    filterset_class = InternationalNumberFilter


class TollFreeTable(NumberTableMixin, DataTable):
    name = "inventory-toll-free"
    kind = Kind.TOLL_FREE


class AffectedNumbersTable(DataTable):
    """The numbers a Manage action would change, for its Show Affected Numbers link."""

    name = "affected-numbers"
    permission = MANAGE_NUMBERS
    default_sort = "number"
    columns = [
        column
        for column in NumberTableMixin.columns
        if column.key in {"number", "status", "package", "routing", "e911"}
    ]

    def get_queryset(self):
        # selection.py reads its numbers through the tab tables above.
        from .selection import Selection

        return (
            Selection(self.user, self.params)
            .numbers()
            .select_related("package", "routing_policy", "trunk", "e911_address")
        )


TABLES = {
    table.kind: table
    for table in (USDomesticTable, TemporaryTable, InternationalTable, TollFreeTable)
}
# The Inventory tabs, after Trunks (order 10), in the guide's order; URL paths use hyphens.
TABS = [
    (Kind.US_DOMESTIC, "us-domestic", 20),
    (Kind.TEMPORARY, "temporary", 30),
    (Kind.INTERNATIONAL, "international", 40),
    (Kind.TOLL_FREE, "toll-free", 50),
]


def register_inventory_tabs():
    """Add the number tabs to Inventory; called from the app's ready()."""
    for kind, _path, order in TABS:
        inventory.register(
            InventoryTab(
                kind.value,
                Kind(kind).label,
                f"phone_numbers:{kind.value}",
                permission=VIEW_NUMBERS,
                order=order,
            )
        )
