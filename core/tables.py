"""Data tables: per-user column choice, sorting, keyset pagination and CSV download.

A list page declares a DataTable subclass with its rows, filters and columns, and renders
components/table.html with table.context():

    class UserTable(DataTable):
        name = "users"
        permission = VIEW_USERS        # who may see the list (and follow its large exports)
        default_sort = "email"
        filterset_class = UserFilter
        columns = [Column("email", "Email", sort_by="email"), ...]

        def get_queryset(self):
            return self.user.enterprise.users.all()

    table = UserTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response("users.csv")

Every sortable column needs an index on (enterprise, column, id): a page is then read from the
index at any depth. In ascending order NULLs come after every value, as PostgreSQL sorts them, so
a plain index serves both directions. Exports are described in core/exports.py.

A searched filter (`searched_filters`, e.g. a substring) is one no index reads in the table's
order: its matches may lie anywhere in a million rows. Such a page first glances at the next
`search_glance` rows in the table's order (unless other filters narrow the rows), and a term of
many near matches fills it from them. Short of that, the matches further on are counted through
an index (a trigram index for a substring), up to `search_cap`: fewer are few enough to sort,
and the page is exact. Otherwise the page reads on to the end of a `search_window` of rows, and
if it is still short there, it ends there and Next reads on. So no page of a search reads more
than a window and a capped count, whatever the term and wherever its matches lie.
"""

import html
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from operator import attrgetter
from typing import Any, ClassVar

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections, transaction
from django.db.models import F
from django.db.models.fields.tuple_lookups import (
    Tuple,
    TupleGreaterThan,
    TupleGreaterThanOrEqual,
    TupleLessThan,
    TupleLessThanOrEqual,
)
from django.http import QueryDict
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.safestring import SafeData, SafeString, mark_safe

from . import exports
from .badges import badge
from .forms import PortalFormRenderer

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\0")
# A plain number such as -12.50 or +13035551234 (E.164) is no formula: keep it as it is.
PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)


def _escape(text):
    """Django's conditional_escape without its lazy-text wrapper, which costs more per cell than
    the escaping itself."""
    return text if isinstance(text, SafeData) else html.escape(str(text))


# strftime's spelling of the characters of Django's date formats the portal's formats use.
_STRFTIME_CODES = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S", "T": "%Z"}
_STRFTIME_LITERALS = " -:/.,"


@cache
def _strftime_pattern(date_format):
    """A Django date format spelt for strftime, or None when it uses other characters."""
    pattern = []
    for char in date_format:
        if char in _STRFTIME_CODES:
            pattern.append(_STRFTIME_CODES[char])
        elif char in _STRFTIME_LITERALS:
            pattern.append(char)
        else:
            return None
    return "".join(pattern)


def datetime_text(value):
    """A time in the viewer's zone, written as DATETIME_FORMAT says.

    Through strftime when it can: Django's date formatting costs several times as much, more
    than the rest of the cell.
    """
    local = timezone.localtime(value)
    date_format = formats.get_format("DATETIME_FORMAT")
    pattern = _strftime_pattern(date_format)
    if pattern is None:
        return formats.date_format(local, date_format)
    return local.strftime(pattern)


def _text(value):
    """A cell's text: times in the viewer's zone, Yes/No, lists joined by commas."""
    if isinstance(value, datetime):
        value = datetime_text(value)
    elif isinstance(value, bool):
        value = "Yes" if value else "No"
    elif isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    return "" if value is None else str(value)


def csv_safe(value):
    """Neutralize a cell a spreadsheet would run as a formula (exports.NEUTRALISE in SQL)."""
    text = "" if value is None else str(value)
    if text.startswith(CSV_FORMULA_PREFIXES) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def row_compare(fields, operator, values):
    """The condition (a, b) > (x, y) (or <, >=, <=) as one row comparison, which an index can bound.

    Spelt out as `a > x OR (a = x AND b > y)` the same condition is only a filter, and a deep
    page reads every row before it.
    """
    lookup = {
        ">": TupleGreaterThan,
        "<": TupleLessThan,
        ">=": TupleGreaterThanOrEqual,
        "<=": TupleLessThanOrEqual,
    }[operator]
    return lookup(Tuple(*(F(field) for field in fields)), tuple(values))


@dataclass(frozen=True)
class Column:
    """One column: its text comes from value (or the attribute named key).

    link, a function of the row (e.g. row_url(...)), makes the text a link; badge, a function
    of the row giving a tone ("ok", "warn", "danger", "muted" or ""), shows it as a badge. html,
    a function of the row and the viewer, makes the cell's HTML itself, escaped (e.g. buttons).
    Cells are made in Python, never with a template each: a template per cell costs more than
    the rest of the row.

    export is the cell of the CSV in SQL (a field path or an expression) when the text on the
    page is made in Python; False leaves the column out of the CSV (e.g. buttons).
    """

    key: str
    label: str
    sort_by: str | None = None
    value: Callable[[Any], Any] | None = None
    link: Callable[[Any], str] | None = None
    badge: Callable[[Any], str] | None = None
    html: Callable[[Any, Any], str] | None = None
    default: bool = True
    always: bool = False
    export: Any = None

    def value_of(self, obj):
        if self.value is not None:
            return self.value(obj)
        return attrgetter(self.key)(obj)

    def text_of(self, obj):
        return _text(self.value_of(obj))

    def html_of(self, obj, user):
        """The cell's content as HTML, escaped."""
        if self.html:
            return self.html(obj, user)
        # f-strings of escaped parts: format_html would cost more than the rest of the cell.
        value = self.value_of(obj)
        text = badge(_text(value), self.badge(obj)) if self.badge else _escape(_text(value))
        if isinstance(value, datetime):
            # On one line: a narrow column would otherwise break it as "2026-/12-07".
            text = f'<time datetime="{value.isoformat()}">{text}</time>'
        if self.link:
            text = f'<a href="{html.escape(self.link(obj))}">{text}</a>'
        # SafeString, not mark_safe: its check for lazy text adds calls to every cell.
        return SafeString(text)


def table_rows(columns, objects, user):
    """Each object's cells as (column, HTML), and its <td>s made here in one go: a template
    loop over the cells costs several times more than the cells themselves.

    Also for the hand-written lists of a page (no sorting, filters or pages): the template
    writes the headers from the columns and the rows as {{ body }}, from rows_html(rows).
    """
    opening = {column.key: f'<td data-label="{html.escape(column.label)}">' for column in columns}
    rows = []
    for obj in objects:
        cells = [(column, column.html_of(obj, user)) for column in columns]
        tds = "".join(f"{opening[column.key]}{content}</td>" for column, content in cells)
        rows.append({"object": obj, "cells": cells, "html": SafeString(tds)})
    return rows


def rows_html(rows):
    """The <tr>s of table_rows' rows in one piece: a template loop over the rows would cost
    more than making them."""
    return SafeString("".join(f"<tr>{row['html']}</tr>" for row in rows))


def choice_label(path, choices):
    """The function giving the label of a row's choice at path (e.g. "package__type"), for
    Column(value=...): get_FOO_display() builds a dict of the choices at every call."""
    labels = dict(choices)
    value_of = attrgetter(path.replace("__", "."))

    def label_of(obj):
        value = value_of(obj)
        return labels.get(value, value)

    return label_of


# A UUID no row has, reversed in place of a row's public_id by row_url().
_ROW_ID = "00000000-0000-4000-8000-000000000000"


@cache
def _url_with_row_id(url_name, script_prefix, urlconf):
    return reverse(url_name, urlconf, args=[_ROW_ID])


def row_url(url_name):
    """The function giving a row's URL by its public_id, for Column(link=...).

    The URL is reversed once, with a stand-in id replaced per row: a reverse() per row would
    cost more than the rest of the row.
    """

    def url_of(obj):
        url = _url_with_row_id(url_name, get_script_prefix(), get_urlconf())
        return url.replace(_ROW_ID, str(obj.public_id))

    return url_of


def _attrs(attrs):
    """HTML attributes as Django's forms/attrs.html writes them (True: the bare name)."""
    return "".join(
        f" {html.escape(name)}"
        if value is True
        else f' {html.escape(name)}="{html.escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget):
    value = "" if widget["value"] is None else f' value="{html.escape(str(widget["value"]))}"'
    name = html.escape(widget["name"])
    return f'<input type="{widget["type"]}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def _select(widget):
    options = []
    for group, choices, _index in widget["optgroups"]:
        if group:
            options.append(f'<optgroup label="{html.escape(str(group))}">')
        options += (
            f'<option value="{html.escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
            f"{_escape(option['label'])}</option>"
            for option in choices
        )
        if group:
            options.append("</optgroup>")
    name = html.escape(widget["name"])
    return f'<select name="{name}"{_attrs(widget["attrs"])}>{"".join(options)}</select>'


def _label(context):
    label = _escape(context["label"])
    if not context["use_tag"]:
        return label
    return f"<{context['tag']}{_attrs(context['attrs'])}>{label}</{context['tag']}>"


class FilterRenderer(PortalFormRenderer):
    """The filter bar's labels, inputs and selects written here as Django's templates write
    them: through the templates a select costs an include per option. Any other widget is
    rendered by its template."""

    writers = {
        "django/forms/label.html": _label,
        "django/forms/widgets/text.html": lambda context: _input(context["widget"]),
        "django/forms/widgets/date.html": lambda context: _input(context["widget"]),
        "django/forms/widgets/select.html": lambda context: _select(context["widget"]),
    }

    def render(self, template_name, context, request=None):
        writer = self.writers.get(template_name)
        if writer is None:
            return super().render(template_name, context, request)
        return mark_safe(writer(context))  # noqa: S308 - made of escaped parts


FILTER_RENDERER = FilterRenderer()


@contextmanager
def _plan(using, *scans_off):
    """Queries read without the scans named ("indexscan", "bitmapscan", "seqscan"): PostgreSQL's
    guess of how many rows a filter matches can be off a hundredfold, so a search says how its
    rows are read rather than leave it to the guess."""
    # A plan without the scan it would have chosen is costed as if it were huge, which would
    # compile it (JIT) for a tenth of a second or start parallel workers (half as long): these
    # queries read a page's worth.
    settings = [(f"enable_{scan}", "off") for scan in scans_off]
    settings += [("jit", "off"), ("max_parallel_workers_per_gather", "0")]
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # SET LOCAL, all in one round trip.
        cursor.execute(
            "SELECT " + ", ".join(["set_config(%s, %s, true)"] * len(settings)),
            [part for setting in settings for part in setting],
        )
        yield


class DataTable:
    name: ClassVar[str]
    columns: ClassVar[list[Column]]
    default_sort: ClassVar[str]
    permission: ClassVar[str]
    filterset_class: ClassVar[type | None] = None
    page_size: ClassVar[int] = 50
    # Longer exports are written by a background job (core/exports.py) instead of streamed.
    stream_limit: ClassVar[int] = 50_000
    # Filters no index reads in the table's order (see the module's docstring), and what one
    # page of them reads at most.
    searched_filters: ClassVar[tuple[str, ...]] = ()
    search_glance: ClassVar[int] = 2_000
    search_window: ClassVar[int] = 10_000
    search_cap: ClassVar[int] = 5_000
    registry: ClassVar[dict[str, type["DataTable"]]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # The name is in URLs and saved column choices: two tables must never share one.
        taken = DataTable.registry.get(cls.name)
        if taken is not None:
            raise ValueError(
                f"{cls.__module__}.{cls.__qualname__}: the table name {cls.name!r} is taken "
                f"by {taken.__module__}.{taken.__qualname__}."
            )
        DataTable.registry[cls.name] = cls

    def __init__(self, user, params=None):
        self.user = user
        self.params = params if params is not None else QueryDict()
        queryset = self.get_queryset()
        self.filterset = None
        self.sort_key, self.descending = self._parse_sort(self.params.get("sort", ""))
        # The rows of every filter but the searched ones, while one is searched by.
        self._unsearched = None
        if self.filterset_class is not None:
            self.filterset = self.filterset_class(self.params, queryset=queryset)
            # Own ids, so the labels of a pop-up form over the table find their own fields.
            self.filterset.form.auto_id = "filter_%s"
            self.filterset.form.renderer = FILTER_RENDERER
            # Labels as the forms' own, without a colon.
            self.filterset.form.label_suffix = ""
            queryset = self._filter(queryset) if self.filterset.is_valid() else queryset.none()
        self.queryset = queryset.order_by(*self._ordering(self.descending))
        if self._unsearched is not None and self._model_field()[1]:
            # A window's edges are row comparisons, which a NULL fails: read as any page.
            self._unsearched = None

    def _filter(self, queryset):
        """The filterset's rows; while a searched filter is set, those of all the others kept
        aside for the windows (on PostgreSQL, whose plans a search sets)."""
        values = self.filterset.form.cleaned_data
        searched = [name for name in self.searched_filters if values.get(name)]
        if not searched or connections[queryset.db].vendor != "postgresql":
            return self.filterset.qs
        others = self.params.copy()
        for name in searched:
            others.pop(name, None)
        self._unsearched = self.filterset_class(others, queryset=queryset).qs
        # Whether other filters narrow the rows: walking them in order then reads past the rows
        # they leave out, so the search goes to the index first.
        self._narrowed = any(
            value not in (None, "", [], ())
            for name, value in values.items()
            if name not in searched
        )
        queryset = self._unsearched
        for name in searched:
            queryset = self.filterset.filters[name].filter(queryset, values[name])
        return queryset

    def get_queryset(self):
        """The rows before filtering: the user's enterprise's, in the tenant scope."""
        raise NotImplementedError

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
        chosen = self.user.table_preferences.get(self.name)
        if not chosen:
            return [column for column in self.columns if column.default or column.always]
        return [column for column in self.columns if column.key in chosen or column.always]

    @property
    def export_columns(self):
        """The columns of the CSV: all of them, shown or not, except those made for the page."""
        return [column for column in self.columns if column.export is not False]

    @property
    def wants_csv(self):
        return self.params.get("format") == "csv"

    @property
    def sort(self):
        return ("-" if self.descending else "") + self.sort_key

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

    def _model_field(self):
        """The model field sorted by, and whether it can be NULL (on any step of the path)."""
        model = self.queryset.model
        nullable = False
        for part in self._sort_field().split("__"):
            field = model._meta.get_field(part)
            nullable = nullable or field.null
            model = field.related_model
        return field, nullable

    def _ordering(self, descending):
        field = F(self._sort_field())
        if descending:
            return [field.desc(nulls_first=True), F("pk").desc()]
        return [field.asc(nulls_last=True), F("pk").asc()]

    def _after(self, queryset, cursor, descending):
        """The rows of queryset after a cursor of a value (not NULL) and a pk, in order."""
        ordered = queryset.order_by(*self._ordering(descending))
        if cursor is None:
            return ordered
        value, pk = cursor
        # (a, id) < (x, pk) written as (a, id) <= (x, pk - 1), the same rows: PostgreSQL
        # estimates a row comparison by its first column alone, and `a < x` where x is the
        # lowest value (e.g. the status "active") looks empty, so it would join and sort
        # every row after the cursor instead of reading 51 from the index.
        return ordered.filter(
            row_compare(
                (self._sort_field(), "pk"),
                "<=" if descending else ">=",
                (value, pk - 1 if descending else pk + 1),
            )
        )

    def _rows(self, cursor, *, backwards=False):
        """Up to page_size + 1 rows after cursor, in the table's order (or backwards, against it).

        Each query is bounded by the (enterprise, column, id) index. NULLs are a run of their own
        at the high end: the page that crosses into or out of it takes a second query.
        """
        descending = self.descending != backwards
        ordered = self.queryset.order_by(*self._ordering(descending))
        limit = self.page_size + 1
        if cursor is None:
            return list(ordered[:limit])
        value, pk = cursor
        field = self._sort_field()
        then = None
        if value is None:
            rows = ordered.filter(
                **{f"{field}__isnull": True, f"pk__{'lt' if descending else 'gt'}": pk}
            )
            if descending:
                then = ordered.filter(**{f"{field}__isnull": False})
        else:
            rows = self._after(self.queryset, cursor, descending)
            if not descending and self._model_field()[1]:
                then = ordered.filter(**{f"{field}__isnull": True})
        rows = list(rows[:limit])
        if then is not None and len(rows) < limit:
            rows += list(then[: limit - len(rows)])
        return rows

    def _searched_rows(self, cursor, *, backwards=False):
        """_rows() of a search, and where the page stopped short at the end of its window (the
        (value, pk) of the window's last row), or None when it did not."""
        descending = self.descending != backwards
        limit = self.page_size + 1
        field = self._sort_field()
        db = self.queryset.db
        rows_after = self._after(self._unsearched, cursor, descending).values_list(field, "pk")

        def nth_row(n):
            return next(iter(rows_after[n - 1 : n]), None)

        def walk(start, end, count):
            """The matches between two rows, read in the index's order (never all sorted)."""
            matches = self._after(self.queryset, start, descending)
            if end is not None:
                matches = matches.filter(
                    row_compare((field, "pk"), ">=" if descending else "<=", end)
                )
            with _plan(db, "bitmapscan", "seqscan"):
                return list(matches[:count])

        rows, glance_end = [], cursor
        if not self._narrowed:
            glance_end = nth_row(self.search_glance)
            if glance_end is None:
                # Fewer rows than a glance are left: the page reads them all at most.
                return walk(cursor, None, limit), None
            rows = walk(cursor, glance_end, limit)
            if len(rows) == limit:
                return rows, None
        if len(rows) * self.search_window < self.page_size * self.search_glance:
            # Too few near to fill a page from a window: are there few enough to sort?
            beyond = self._after(self.queryset, glance_end, descending)
            with _plan(db, "indexscan", "seqscan"):
                matches = list(beyond.order_by().values_list("pk", flat=True)[: self.search_cap])
                if len(matches) < self.search_cap:
                    return rows + list(beyond.filter(pk__in=matches)[: limit - len(rows)]), None
        # Many matches: the page reads on to the end of a window, and stops there if still short.
        window_end = nth_row(self.search_window)
        rows += walk(glance_end, window_end, limit - len(rows))
        return rows, None if len(rows) == limit or window_end is None else window_end

    def _salt(self):
        # A cursor holds a value of one column: it is good for one table and one sort only.
        return f"table:{self.name}:{self.sort}"

    def _cursor_for(self, obj):
        return self._cursor(attrgetter(self._sort_field().replace("__", "."))(obj), obj.pk)

    def _cursor(self, value, pk):
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        return signing.dumps([value, pk], salt=self._salt(), compress=True)

    def _cursor_through(self, cursor, *, backwards):
        """A cursor whose page, read forwards (or backwards), begins with the cursor's own row."""
        value, pk = cursor
        return self._cursor(value, pk + 1 if self.descending != backwards else pk - 1)

    def _read_cursor(self, param):
        """The (value, pk) of a cursor in the query string, or None if it is missing or bad."""
        token = self.params.get(param)
        if not token:
            return None
        try:
            value, pk = signing.loads(token, salt=self._salt())
            field, nullable = self._model_field()
            if value is None:
                if not nullable:
                    return None
            else:
                value = field.to_python(value)
            return value, int(pk)
        except (signing.BadSignature, ValidationError, FieldDoesNotExist, TypeError, ValueError):
            return None

    def page(self):
        """One page of rows, with the cursors for the next and previous pages."""
        after = self._read_cursor("after")
        before = self._read_cursor("before") if after is None else None
        backwards = before is not None
        start = before if backwards else after
        window_end = None
        if self._unsearched is not None:
            rows, window_end = self._searched_rows(start, backwards=backwards)
        else:
            rows = self._rows(start, backwards=backwards)
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        # The page's two edges: ahead, in the direction it was read, and behind.
        ahead = self._cursor_for(rows[-1 if not backwards else 0]) if rows and more else None
        behind = None
        if rows and start is not None:
            behind = self._cursor_for(rows[0 if not backwards else -1])
        if window_end is not None:
            # The search reads on from the end of the window, and back to the row it came from
            # even when the window held no match.
            ahead = self._cursor(*window_end)
            if not rows and start is not None:
                behind = self._cursor_through(start, backwards=not backwards)
        next_cursor, previous_cursor = (behind, ahead) if backwards else (ahead, behind)
        return {
            "rows": rows,
            "next_cursor": next_cursor,
            "previous_cursor": previous_cursor,
            # Where the pager searches on when the page stopped at the end of its window.
            "searched_on": window_end and ("Previous" if backwards else "Next"),
        }

    def query_string(self, **changes):
        """The current query string with some parameters changed (None removes one)."""
        params = self.params.copy()
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
        searched = ""
        if page["searched_on"]:
            searched = (
                f"The search stopped after {self.search_window:,} rows:"
                f" {page['searched_on']} searches on."
            )
        if not count:
            return searched
        rows = f"{count} row" if count == 1 else f"{count} rows"
        if page["next_cursor"] or page["previous_cursor"]:
            rows += " on this page"
        order = "descending" if self.descending else "ascending"
        summary = f"{rows}, sorted by {self.column_map()[self.sort_key].label} ({order})"
        return f"{summary}. {searched}" if searched else summary

    def context(self):
        page = self.page()
        columns = self.visible_columns
        rows = self._rows_html(page["rows"], columns)
        return {
            "table": self,
            "summary": self.summary(page),
            "searched_on": page["searched_on"],
            "headers": self.headers(),
            "rows": rows,
            "body": rows_html(rows),
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

    def _rows_html(self, objects, columns):
        return table_rows(columns, objects, self.user)

    def csv_response(self, filename):
        """Stream the CSV, or have a job write it when it is too long to stream (exports.py)."""
        return exports.csv_response(self, filename)
