"""Data tables: per-user column choice, sorting, keyset pagination and CSV download.

A list page declares a DataTable subclass with its columns, builds it from the request and a
queryset already scoped to the user's enterprise, and renders components/table.html:

    class UserTable(DataTable):
        name = "users"
        default_sort = "email"
        columns = [Column("email", "Email", sort_by="email"), ...]

    table = UserTable(request, enterprise.users.all(), filterset=UserFilter(...))
    if table.wants_csv:
        return table.csv_response("users.csv")
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from django.core import signing
from django.db.models import Q
from django.http import StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
# A plain number such as -12.50 or +13035551234 (E.164) is no formula: keep it as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


def csv_safe(value):
    """Neutralize a cell a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    sort_by: str | None = None
    value: Callable[[Any], Any] | None = None
    template: str | None = None
    default: bool = True
    always: bool = False

    def value_of(self, obj):
        if self.value is not None:
            return self.value(obj)
        return attrgetter(self.key)(obj)

    def text_of(self, obj):
        value = self.value_of(obj)
        if hasattr(value, "tzinfo") and value is not None:
            value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, (list, tuple)):
            value = ", ".join(str(item) for item in value)
        return "" if value is None else str(value)

    def html_of(self, obj):
        if self.template:
            return render_to_string(self.template, {"row": obj})
        return format_html("{}", self.text_of(obj))


class _Echo:
    def write(self, value):
        return value


class DataTable:
    name: ClassVar[str]
    columns: ClassVar[list[Column]]
    default_sort: ClassVar[str]
    page_size: ClassVar[int] = 50
    registry: ClassVar[dict[str, type["DataTable"]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        DataTable.registry[cls.name] = cls

    def __init__(self, request, queryset, *, filterset=None):
        self.request = request
        self.filterset = filterset
        if filterset is not None:
            # Own ids, so the labels of a pop-up form over the table find their own fields.
            filterset.form.auto_id = "filter_%s"
            queryset = filterset.qs if filterset.is_valid() else queryset.none()
        self.sort_key, self.descending = self._parse_sort(request.GET.get("sort", ""))
        self.queryset = queryset.order_by(*self._ordering())

    @classmethod
    def column_map(cls):
        return {column.key: column for column in cls.columns}

    @classmethod
    def save_column_choice(cls, user, keys):
        """Remember which columns this user shows; unknown keys are ignored."""
        known = [column.key for column in cls.columns if column.key in keys or column.always]
        user.table_preferences = {**user.table_preferences, cls.name: known}
        user.save(update_fields=["table_preferences"])

    @property
    def visible_columns(self):
        chosen = self.request.user.table_preferences.get(self.name)
        if not chosen:
            return [column for column in self.columns if column.default or column.always]
        return [column for column in self.columns if column.key in chosen or column.always]

    @property
    def wants_csv(self):
        return self.request.GET.get("format") == "csv"

    def _parse_sort(self, value):
        descending = value.startswith("-")
        key = value.lstrip("-")
        column = self.column_map().get(key)
        if column is None or column.sort_by is None:
            default = self.default_sort
            return default.lstrip("-"), default.startswith("-")
        return key, descending

    def _sort_field(self):
        return self.column_map()[self.sort_key].sort_by

    def _ordering(self, reverse=False):
        descending = self.descending != reverse
        prefix = "-" if descending else ""
        return [prefix + self._sort_field(), prefix + "pk"]

    def _after(self, queryset, cursor, reverse=False):
        field = self._sort_field()
        value, pk = cursor
        forward = self.descending == reverse
        lookup = "gt" if forward else "lt"
        return queryset.filter(
            Q(**{f"{field}__{lookup}": value}) | Q(**{field: value, f"pk__{lookup}": pk})
        )

    def _cursor_for(self, obj):
        value = attrgetter(self._sort_field().replace("__", "."))(obj)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        return signing.dumps([value, obj.pk], salt=f"table:{self.name}", compress=True)

    def _read_cursor(self, param):
        token = self.request.GET.get(param)
        if not token:
            return None
        try:
            return signing.loads(token, salt=f"table:{self.name}")
        except signing.BadSignature:
            return None

    def page(self):
        """One page of rows, with the cursors for the next and previous pages."""
        after = self._read_cursor("after")
        before = self._read_cursor("before")
        if before is not None:
            queryset = self._after(
                self.queryset.order_by(*self._ordering(reverse=True)), before, reverse=True
            )
            rows = list(queryset[: self.page_size + 1])
            has_more_before = len(rows) > self.page_size
            rows = rows[: self.page_size][::-1]
            has_more_after = True
        else:
            queryset = self.queryset if after is None else self._after(self.queryset, after)
            rows = list(queryset[: self.page_size + 1])
            has_more_after = len(rows) > self.page_size
            rows = rows[: self.page_size]
            has_more_before = after is not None
        return {
            "rows": rows,
            "next_cursor": self._cursor_for(rows[-1]) if rows and has_more_after else None,
            "previous_cursor": self._cursor_for(rows[0]) if rows and has_more_before else None,
        }

    def query_string(self, **changes):
        """The current query string with some parameters changed (None removes one)."""
        params = self.request.GET.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value is not None:
                params[key] = value
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"

    def headers(self):
        headers = []
        for column in self.visible_columns:
            header = {"column": column, "sort_url": None, "aria_sort": None}
            if column.sort_by:
                is_current = column.key == self.sort_key
                next_desc = is_current and not self.descending
                header["sort_url"] = self.query_string(
                    sort=("-" if next_desc else "") + column.key, after=None, before=None
                )
                if is_current:
                    header["aria_sort"] = "descending" if self.descending else "ascending"
            headers.append(header)
        return headers

    def summary(self, page):
        """A line above the table, e.g. "50 rows on this page, sorted by Time (descending)"."""
        count = len(page["rows"])
        if not count:
            return ""
        rows = f"{count} row" if count == 1 else f"{count} rows"
        if page["next_cursor"] or page["previous_cursor"]:
            rows += " on this page"
        order = "descending" if self.descending else "ascending"
        return f"{rows}, sorted by {self.column_map()[self.sort_key].label} ({order})"

    def context(self):
        page = self.page()
        columns = self.visible_columns
        return {
            "table": self,
            "summary": self.summary(page),
            "headers": self.headers(),
            "rows": [
                {"object": obj, "cells": [column.html_of(obj) for column in columns]}
                for obj in page["rows"]
            ],
            "next_url": page["next_cursor"]
            and self.query_string(after=page["next_cursor"], before=None),
            "previous_url": page["previous_cursor"]
            and self.query_string(before=page["previous_cursor"], after=None),
            "first_url": self.query_string(after=None, before=None)
            if page["previous_cursor"]
            else None,
            "csv_url": self.query_string(format="csv", after=None, before=None),
            "all_columns": self.columns,
            "visible_keys": {column.key for column in columns},
        }

    def csv_rows(self):
        columns = self.visible_columns
        yield [column.label for column in columns]
        for obj in self.queryset.iterator(chunk_size=2000):
            yield [csv_safe(column.text_of(obj)) for column in columns]

    def csv_response(self, filename):
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in self.csv_rows()), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
