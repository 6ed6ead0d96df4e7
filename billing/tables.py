"""The call records of the Traffic Analytics filter as a data table, and their CSV.

The rows are those the page's filter keeps (analytics.call_records), paged by (started_at,
call_id), the order of the (enterprise, started_at) index (the (enterprise, number,
started_at) one with a number), in either direction: a record's key is its started_at and the
carrier's call ID, not an integer id as core.tables assumes, so the paging is this table's own.

The CSV is a call record file (billing.columns.CALL_COLUMNS, times in UTC as in the files, the
trunk by its ID), so that a downloaded file can be loaded again; like every table's it is
written by PostgreSQL's COPY, by a background job when it is long (core/exports.py).
"""

from datetime import UTC, datetime

from django.core import signing
from django.db.models import F, Func, TextField
from django.utils import timezone

from core.phones import display_phone
from core.tables import Column, DataTable, choice_label, row_compare

from . import analytics
from .columns import CALL_COLUMNS
from .forms import AnalyticsFilterForm
from .models import CallRecord, DestinationClass, Direction, Disposition
from .permissions import DOWNLOAD_USAGE

FILE_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


class FileTime(Func):
    """A datetime as the record files write it, in UTC: 2026-12-07T14:03:15Z."""

    template = """to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')"""
    output_field = TextField()


def _file_time(field):
    def text_of(record):
        value = getattr(record, field)
        return value.astimezone(UTC).strftime(FILE_TIME_FORMAT) if value else ""

    return text_of


def _trunk_id(record):
    return record.trunk.public_id if record.trunk_id else ""


# Each column of the file: its SQL for COPY and its text in Python (other databases).
FILE_CELLS = {
    "call_id": ("call_id", None),
    "start_time": (FileTime("started_at"), _file_time("started_at")),
    "answer_time": (FileTime("answered_at"), _file_time("answered_at")),
    "end_time": (FileTime("ended_at"), _file_time("ended_at")),
    "duration": ("duration", None),
    "billable_seconds": ("billable_seconds", None),
    "direction": ("direction", None),
    "from": ("from_number", lambda record: record.from_number),
    "to": ("to_number", lambda record: record.to_number),
    "customer_number": ("number", lambda record: record.number),
    "trunk": (F("trunk__public_id"), _trunk_id),
    "destination_class": ("destination_class", None),
    "destination_country": ("destination_country", None),
    "disposition": ("disposition", None),
    "sip_code": ("sip_code", None),
    "q850_cause": ("q850_cause", None),
    "post_dial_delay_ms": ("post_dial_delay_ms", None),
}
FILE_COLUMNS = [
    Column(
        column.name,
        column.name,
        value=FILE_CELLS[column.name][1],
        export=FILE_CELLS[column.name][0],
    )
    for column in CALL_COLUMNS
]


class CallRecordTable(DataTable):
    name = "call-records"
    permission = DOWNLOAD_USAGE
    default_sort = "started_at"
    columns = [
        Column("started_at", "Start", sort_by="started_at", always=True),
        Column("direction", "Direction", value=choice_label("direction", Direction.choices)),
        Column("from", "From", value=lambda record: display_phone(record.from_number)),
        Column("to", "To", value=lambda record: display_phone(record.to_number)),
        Column("number", "Your number", value=lambda record: display_phone(record.number)),
        Column(
            "destination",
            "Destination",
            value=choice_label("destination_class", DestinationClass.choices),
        ),
        Column("disposition", "Result", value=choice_label("disposition", Disposition.choices)),
        Column("duration", "Duration (s)"),
        Column("sip_code", "SIP code"),
        Column("trunk", "Trunk", value=lambda record: record.trunk.name if record.trunk_id else ""),
        Column("call_id", "Call ID", default=False),
    ]

    def get_queryset(self):
        form = AnalyticsFilterForm(self.params, enterprise=self.user.enterprise)
        if not form.is_valid():
            return CallRecord.objects.none()
        filters = analytics.Filters.from_form(form.cleaned_data, timezone.get_current_timezone())
        return analytics.call_records(filters).select_related("trunk")

    @property
    def export_columns(self):
        return FILE_COLUMNS

    def _ordering(self, descending):
        if descending:
            return [F("started_at").desc(), F("call_id").desc()]
        return [F("started_at").asc(), F("call_id").asc()]

    def _rows(self, cursor, *, backwards=False):
        """Up to page_size + 1 records after cursor (a (started_at, call_id)), read in the
        index's order."""
        descending = self.descending != backwards
        rows = self.queryset.order_by(*self._ordering(descending))
        if cursor is not None:
            rows = rows.filter(
                row_compare(("started_at", "call_id"), "<" if descending else ">", cursor)
            )
        return list(rows[: self.page_size + 1])

    def _cursor_for(self, record):
        return signing.dumps(
            [record.started_at.isoformat(), record.call_id], salt=self._salt(), compress=True
        )

    def _read_cursor(self, param):
        token = self.params.get(param)
        if not token:
            return None
        try:
            started_at, call_id = signing.loads(token, salt=self._salt())
            return datetime.fromisoformat(started_at), str(call_id)
        except (signing.BadSignature, TypeError, ValueError):
            return None
