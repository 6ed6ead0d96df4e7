"""Support Cases: the table of the enterprise's cases the user may see."""

import django_filters
from django.utils.timesince import timesince

from core.exports import choice_label_sql
from core.tables import Column, DataTable, choice_label, row_url

from .cases import visible_cases
from .models import Case, Category, Priority, Status
from .permissions import VIEW_CASES


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Reference", method="filter_reference")
    status = django_filters.ChoiceFilter(choices=Status.choices, empty_label="All")
    priority = django_filters.ChoiceFilter(choices=Priority.choices, empty_label="All")
    category = django_filters.ChoiceFilter(choices=Category.choices, empty_label="All")

    class Meta:
        model = Case
        fields = ["q", "status", "priority", "category"]

    def filter_reference(self, queryset, name, value):
        return queryset.filter(reference__startswith=value.strip().upper())


class CaseTable(DataTable):
    """Newest activity first; sorted by the last update alone, which the (enterprise,
    -updated_at, -id) index serves."""

    name = "support_cases"
    permission = VIEW_CASES
    default_sort = "-updated"
    filterset_class = CaseFilter
    columns = [
        Column("reference", "Reference", link=row_url("support:case"), always=True),
        Column("subject", "Subject"),
        Column(
            "status",
            "Status",
            value=choice_label("status", Status.choices),
            badge=lambda case: Case.STATUS_TONES[case.status],
            export=choice_label_sql("status", Status.choices),
        ),
        Column(
            "priority",
            "Priority",
            value=choice_label("priority", Priority.choices),
            badge=lambda case: Case.PRIORITY_TONES[case.priority],
            export=choice_label_sql("priority", Priority.choices),
        ),
        Column(
            "category",
            "Category",
            value=choice_label("category", Category.choices),
            export=choice_label_sql("category", Category.choices),
        ),
        Column("age", "Age", value=lambda case: timesince(case.opened_at), export=False),
        Column(
            "opened", "Opened", value=lambda case: case.opened_at, default=False, export="opened_at"
        ),
        Column(
            "updated",
            "Last update",
            sort_by="updated_at",
            value=lambda case: case.updated_at,
        ),
    ]

    def get_queryset(self):
        return visible_cases(self.user)
