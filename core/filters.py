"""Filters that the data tables' filter forms share."""

from datetime import datetime, time, timedelta
from typing import ClassVar

import django_filters
from django import forms
from django.utils import timezone
from django_filters.fields import ModelChoiceField, ModelChoiceIterator


def start_of_day(day):
    """The first instant of a day in the viewer's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


class DateRangeForm(forms.Form):
    def clean(self):
        cleaned_data = super().clean()
        date_from, date_to = cleaned_data.get("date_from"), cleaned_data.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_from", "From must be on or before To.")
        return cleaned_data


class DateRangeFilterSet(django_filters.FilterSet):
    """From and To dates, whole days in the viewer's time zone, over the field `date_field`.

    A From after the To is refused at the From field, and the table then shows nothing.
    """

    date_field: ClassVar[str]

    date_from = django_filters.DateFilter(
        label="From", method="filter_date_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(
        label="To", method="filter_date_to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (DateRangeForm, form_class), {})

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(**{f"{self.date_field}__gte": start_of_day(value)})

    def filter_date_to(self, queryset, name, value):
        next_day = start_of_day(value + timedelta(days=1))
        return queryset.filter(**{f"{self.date_field}__lt": next_day})


class _ChoicesInOneQuery(ModelChoiceIterator):
    # Django reads model choices through iterator(), which on PostgreSQL is a server-side
    # cursor: three round trips (DECLARE, FETCH, CLOSE) for a filter's handful of rows.
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        for obj in list(self.queryset):
            yield self.choice(obj)


class _ModelChoiceFieldInOneQuery(ModelChoiceField):
    iterator = _ChoicesInOneQuery


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice of a few rows (roles, packages), read in one query."""

    field_class = _ModelChoiceFieldInOneQuery
