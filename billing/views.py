"""Traffic Analytics: the enterprise's calls of a date range, as numbers, a chart and tables."""

import csv
import io
from datetime import UTC

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.exports import CHUNK_BYTES
from core.phones import display_phone
from core.tables import csv_safe
from core.tenancy import enterprise_permission_required, stream_within_request
from trunks.models import Package, Trunk

from . import analytics
from .forms import AnalyticsFilterForm
from .permissions import DOWNLOAD_USAGE, VIEW_ANALYTICS


def format_minutes_seconds(seconds):
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02}"


def _percent(value):
    return "" if value is None else f"{value * 100:.1f}"


def _when(bucket, hourly):
    return f"{bucket.start:%Y-%m-%d %H:00}" if hourly else f"{bucket.start:%Y-%m-%d}"


# Each table of the page as CSV: its header and its rows' cells.
def _calls_table(filters, buckets=None):
    hourly = filters.hourly
    header = ["Hour" if hourly else "Day", "Calls", "Answered", "Not answered", "Minutes", "ASR %"]
    rows = [
        [
            _when(bucket, hourly),
            bucket.calls,
            bucket.answered,
            bucket.not_answered,
            f"{bucket.minutes:.1f}",
            _percent(bucket.asr),
        ]
        for bucket in (analytics.series(filters) if buckets is None else buckets)
    ]
    return header, rows


def _failures_table(filters):
    header = ["SIP code", "SIP reason", "Q.850 cause", "Cause", "Calls", "Share %"]
    rows = [
        [
            row["sip_code"],
            row["sip_reason"],
            "" if row["q850_cause"] is None else row["q850_cause"],
            row["cause"],
            row["calls"],
            _percent(row["share"]),
        ]
        for row in analytics.failures(filters)
    ]
    return header, rows


def _destinations_table(filters):
    header = ["Destination", "Calls", "Answered", "Minutes", "ASR %"]
    rows = [
        [row["label"], row["calls"], row["answered"], f"{row['minutes']:.1f}", _percent(row["asr"])]
        for row in analytics.top_destinations(filters)
    ]
    return header, rows


def _numbers_table(filters, phone=str):
    """E.164 in the CSV; the page shows each number as phones are shown."""
    header = ["Number", "Calls", "Answered", "Minutes", "ASR %"]
    rows = [
        [
            phone(row["number"]),
            row["calls"],
            row["answered"],
            f"{row['minutes']:.1f}",
            _percent(row["asr"]),
        ]
        for row in analytics.top_numbers(filters)
    ]
    return header, rows


CSV_TABLES = {
    "calls": _calls_table,
    "failures": _failures_table,
    "destinations": _destinations_table,
    "numbers": _numbers_table,
}


def _page_table(header, rows):
    """A table for the page: each cell with its column's label (a card's on a small screen)."""
    return {"header": header, "rows": [list(zip(header, row, strict=True)) for row in rows]}


def _csv_response(filename, header, rows):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([csv_safe(cell) for cell in row] for row in rows)
    return response


def _filters(request):
    form = AnalyticsFilterForm(request.GET, enterprise=request.enterprise)
    if not form.is_valid():
        return form, None
    return form, analytics.Filters.from_form(form.cleaned_data, timezone.get_current_timezone())


def _tiles(kpis):
    """The key figures as the page shows them: (name, what it means, value)."""
    delay = kpis["post_dial_delay_seconds"]
    return [
        ("Calls", "", f"{kpis['calls']:,}"),
        ("Minutes", "Minutes of the answered calls", f"{kpis['minutes']:,.0f}"),
        ("ASR", "Answer-seizure ratio: answered calls of all calls", _shown_percent(kpis["asr"])),
        (
            "ACD",
            "Average call duration of the answered calls (m:ss)",
            format_minutes_seconds(kpis["acd_seconds"]),
        ),
        (
            "NER",
            "Network effectiveness ratio: calls answered, busy or not answered by the "
            "called party, of all calls",
            _shown_percent(kpis["ner"]),
        ),
        (
            "PDD",
            "Average post-dial delay: from the call's start to its first ring",
            "–" if delay is None else f"{delay:.2f} s",
        ),
    ]


def _shown_percent(value):
    return "–" if value is None else f"{value * 100:.1f} %"


def _with(request, **changes):
    """The page's query (its filter) with changes, as "?..."."""
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("table", None)
    query.update(changes)
    return f"?{query.urlencode()}" if query else ""


@enterprise_permission_required(VIEW_ANALYTICS)
def analytics_page(request):
    form, filters = _filters(request)
    if filters and request.GET.get("format") == "csv":
        table = request.GET.get("table", "calls")
        if table in CSV_TABLES:
            header, rows = CSV_TABLES[table](filters)
            name = f"traffic-{table}-{filters.date_from}-{filters.date_to}.csv"
            return _csv_response(name, header, rows)
    context = {"form": form, "filters": filters}
    if filters:
        buckets = analytics.series(filters)
        kpis = analytics.kpis(filters)
        context.update(
            tiles=_tiles(kpis),
            chart=analytics.chart(buckets, filters.hourly),
            tables={
                "calls": _page_table(*_calls_table(filters, buckets)),
                "failures": _page_table(*_failures_table(filters)),
                "destinations": _page_table(*_destinations_table(filters)),
                "numbers": _page_table(*_numbers_table(filters, phone=display_phone)),
            },
            csv_urls={table: _with(request, format="csv", table=table) for table in CSV_TABLES},
            records_url=(
                reverse("billing:records") + _with(request)
                if request.user.has_perm(DOWNLOAD_USAGE)
                else None
            ),
        )
    return render(request, "billing/analytics.html", context)


# The record download's columns: those of the record files (docs/usage-records.md), with the
# package's and trunk's names, times in UTC as in the files.
RECORD_COLUMNS = (
    ("call_id", "call_id"),
    ("start_time", "started_at"),
    ("answer_time", "answered_at"),
    ("end_time", "ended_at"),
    ("duration", "duration"),
    ("billable_seconds", "billable_seconds"),
    ("direction", "direction"),
    ("from", "from_number"),
    ("to", "to_number"),
    ("customer_number", "number"),
    ("package", "package_id"),
    ("trunk", "trunk_id"),
    ("destination_class", "destination_class"),
    ("destination_country", "destination_country"),
    ("disposition", "disposition"),
    ("sip_code", "sip_code"),
    ("q850_cause", "q850_cause"),
    ("post_dial_delay_ms", "post_dial_delay_ms"),
)
TIME_FIELDS = {"started_at", "answered_at", "ended_at"}


def _record_chunks(records, names):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header for header, _field in RECORD_COLUMNS])
    for record in records.values_list(*(field for _header, field in RECORD_COLUMNS)).iterator(
        chunk_size=5000
    ):
        writer.writerow(_record_cells(record, names))
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _record_cells(record, names):
    cells = []
    for (_header, field), value in zip(RECORD_COLUMNS, record, strict=True):
        if value is None:
            cells.append("")
        elif field in TIME_FIELDS:
            cells.append(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif field in names:
            cells.append(csv_safe(names[field].get(value, "")))
        else:
            cells.append(csv_safe(value))
    return cells


@enterprise_permission_required(DOWNLOAD_USAGE)
def download_records(request):
    form, filters = _filters(request)
    if not filters:
        return render(request, "billing/analytics.html", {"form": form}, status=400)
    names = {
        "package_id": dict(
            Package.objects.filter(enterprise=request.enterprise).values_list("pk", "name")
        ),
        "trunk_id": dict(
            Trunk.objects.filter(enterprise=request.enterprise).values_list("pk", "name")
        ),
    }
    records = analytics.call_records(filters).order_by("started_at", "call_id")
    response = StreamingHttpResponse(
        stream_within_request(_record_chunks(records, names)), content_type="text/csv"
    )
    filename = f"call-records-{filters.date_from}-{filters.date_to}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
