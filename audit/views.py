import json

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, F, Func, JSONField, Q, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, Left, Lower, Substr, Upper
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django_scopes import get_scope

from core.exports import DATETIME_SQL_FORMAT, ToChar
from core.filters import DateRangeFilterSet
from core.tables import Column, DataTable, datetime_text
from core.tenancy import enterprise_permission_required

from . import actions
from .models import AuditEvent, actor_addresses
from .permissions import VIEW_AUDIT_LOG

# Customers see that carrier staff acted, not which of them nor from where: the timelines say
# the same, and staff see who in the back office.
CARRIER_STAFF = "Carrier staff"


def _by_staff(event):
    # AuditTable.get_queryset() reads this one field of the actor, not the whole user.
    return bool(event.actor_is_staff)


def _actor(event):
    if _by_staff(event):
        return CARRIER_STAFF
    # A machine (the portal, an API key) is named in details; a person by their address.
    return event.details.get("actor") or event.actor_email


def _ip_address(event):
    return None if _by_staff(event) else event.ip_address


def _time(event):
    return datetime_text(event.created_at)


def _object(event):
    if not event.object_repr:
        return ""
    return f"{event.object_type.capitalize()}: {event.object_repr}"


def _details(event):
    parts = []
    for key, value in sorted(event.details.items()):
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(item).replace("_", " ") for item in value)
        parts.append(f"{key[:1].upper()}{key[1:].replace('_', ' ')}: {value}")
    return "; ".join(parts)


# The CSV's cells in SQL, the same words as the page (the export is PostgreSQL's COPY).


def _action_label_sql():
    labels = Cast(Value(json.dumps(dict(actions.choices()))), JSONField())
    label = Func(labels, F("action"), arg_joiner=" ->> ", template="(%(expressions)s)")
    return Coalesce(label, F("action"), output_field=TextField())


_BY_STAFF = Q(actor__is_staff=True)
_STAFF_ACTED = When(_BY_STAFF, then=Value(CARRIER_STAFF))
_ACTOR_SQL = Case(
    _STAFF_ACTED,
    default=Coalesce(KT("details__actor"), F("actor_email"), output_field=TextField()),
    output_field=TextField(),
)
_IP_ADDRESS_SQL = Case(
    When(_BY_STAFF, then=Value("")),
    default=Func("ip_address", function="host", output_field=TextField()),
    output_field=TextField(),
)

_OBJECT_SQL = Case(
    When(object_repr="", then=Value("")),
    default=Concat(
        Upper(Left("object_type", 1)), Lower(Substr("object_type", 2)), Value(": "), "object_repr"
    ),
)


class _ChangesInWords(Func):
    # Most events change nothing: the subquery runs only for those that do.
    template = (
        "CASE WHEN jsonb_array_length(%(expressions)s) = 0 THEN NULL ELSE"
        " (SELECT string_agg(concat(c->>'field', ': ', c->>'before', ' → ', c->>'after'), '; '"
        " ORDER BY n) FROM jsonb_array_elements(%(expressions)s) WITH ORDINALITY AS x(c, n)) END"
    )
    output_field = TextField()


class _DetailsInWords(Func):
    template = (
        "CASE WHEN %(expressions)s = '{}'::jsonb THEN NULL ELSE"
        " (SELECT string_agg(upper(left(key, 1)) || replace(substr(key, 2), '_', ' ') || ': '"
        " || CASE jsonb_typeof(value)"
        " WHEN 'boolean' THEN CASE WHEN value = 'true'::jsonb THEN 'Yes' ELSE 'No' END"
        " WHEN 'array' THEN (SELECT coalesce(string_agg(replace(item, '_', ' '), ', '), '')"
        " FROM jsonb_array_elements_text(value) AS item)"
        " WHEN 'null' THEN 'None' ELSE value #>> '{}' END, '; ' ORDER BY key COLLATE \"C\")"
        " FROM jsonb_each(%(expressions)s)) END"
    )
    output_field = TextField()


class AuditEventFilter(DateRangeFilterSet):
    date_field = "created_at"
    action = django_filters.ChoiceFilter(choices=actions.choices, empty_label="All")
    actor = django_filters.CharFilter(label="Actor", method="filter_actor")
    # Part of what the Object column shows: a user's name, an invitation's address...
    # A substring search served by a trigram index (migration 0003).
    acted_upon = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label="Acted upon"
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "acted_upon", "date_from", "date_to"]

    def filter_actor(self, queryset, name, value):
        """Events whose Actor column (_actor) shows value as a person's address, or as
        "Carrier staff": a search for a staff member's address finds nothing.

        The enterprise's few actor addresses are matched first, and the events read by them
        through the actor indexes: searched event by event, a term that few or none of the
        enterprise's events hold read all of them.
        """
        term = value.upper()
        # The enterprise of the scope the table is read in (core.tenancy).
        addresses = actor_addresses(get_scope()["enterprise"])
        matching = [address for address in addresses if address and term in address.upper()]
        # A machine's events (the portal, an API key) show its name from details instead.
        shows_value = Q(actor_email__in=matching) & ~Q(details__has_key="actor") & ~_BY_STAFF
        searched = set(matching)
        if term in CARRIER_STAFF.upper():
            shows_value |= _BY_STAFF
            staff = get_user_model().objects.filter(is_staff=True, email__in=addresses)
            searched |= set(staff.values_list("email", flat=True))
        # In the database's order, so that the first and last bound the index's walk.
        searched = [address for address in addresses if address in searched]
        if not searched:
            return queryset.none()
        queryset = queryset.filter(shows_value, actor_email__in=searched)
        if len(searched) > 1:
            # Bounds equal to the one address would make the planner expect almost no events.
            queryset = queryset.filter(actor_email__range=(searched[0], searched[-1]))
        return queryset


class AuditTable(DataTable):
    name = "audit"
    permission = VIEW_AUDIT_LOG
    filterset_class = AuditEventFilter
    # Its matches may be anywhere in the log: a page reads a window of it (core.tables).
    searched_filters = ("acted_upon",)
    default_sort = "-time"
    # Each sortable column has its (enterprise, column, id) index on AuditEvent.
    columns = [
        Column(
            "time",
            "Time",
            sort_by="created_at",
            value=_time,
            always=True,
            export=ToChar("created_at", DATETIME_SQL_FORMAT),
        ),
        Column(
            "action",
            "Action",
            sort_by="action",
            value=lambda e: e.action_label,
            export=_action_label_sql,
        ),
        Column("actor", "Actor", sort_by="actor_email", value=_actor, export=_ACTOR_SQL),
        Column("object", "Object", value=_object, export=_OBJECT_SQL),
        Column(
            "changes",
            "Changes",
            value=lambda e: e.changes_in_words,
            export=_ChangesInWords("changes"),
        ),
        Column("ip_address", "IP address", value=_ip_address, export=_IP_ADDRESS_SQL),
        Column("details", "Details", value=_details, export=_DetailsInWords("details")),
    ]

    def get_queryset(self):
        return AuditEvent.objects.annotate(actor_is_staff=F("actor__is_staff"))


@enterprise_permission_required(VIEW_AUDIT_LOG)
def audit_log(request):
    table = AuditTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response(f"audit-log-{timezone.localdate():%Y-%m-%d}.csv")
    return render(request, "audit/audit_log.html", {"table": table.context()})


urlpatterns = [
    path("audit-log/", audit_log, name="audit_log"),
]
