from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from core.tables import Column, DataTable
from core.tenancy import enterprise_permission_required

from . import actions
from .models import AuditEvent
from .permissions import VIEW_AUDIT_LOG


def _start_of_day(day):
    """The first instant of a day in the viewer's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditEventFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=actions.choices, empty_label="All")
    actor = django_filters.CharFilter(
        field_name="actor_email", lookup_expr="icontains", label="Actor email"
    )
    date_from = django_filters.DateFilter(
        label="From", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "date_from", "date_to"]

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(created_at__gte=_start_of_day(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(created_at__lt=_start_of_day(value + timedelta(days=1)))


def _time(event):
    return timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S %Z")


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
        parts.append(f"{key.replace('_', ' ')}: {value}")
    return "; ".join(parts)


class AuditTable(DataTable):
    name = "audit"
    default_sort = "-time"
    columns = [
        Column("time", "Time", sort_by="created_at", value=_time, always=True),
        Column("action", "Action", sort_by="action", value=lambda e: e.action_label),
        Column("actor", "Actor", sort_by="actor_email", value=lambda e: e.actor_email),
        Column("object", "Object", value=_object),
        Column("ip_address", "IP address"),
        Column("details", "Details", value=_details),
    ]


@enterprise_permission_required(VIEW_AUDIT_LOG)
def audit_log(request):
    events = AuditEvent.objects.all()
    table = AuditTable(request, events, filterset=AuditEventFilter(request.GET, queryset=events))
    if table.wants_csv:
        return table.csv_response(f"audit-log-{timezone.localdate():%Y-%m-%d}.csv")
    return render(request, "audit/audit_log.html", {"table": table.context()})


urlpatterns = [
    path("audit-log/", audit_log, name="audit_log"),
]
