"""Traffic Analytics: the enterprise's calls of a date range, as numbers, a chart and tables."""

import csv
from operator import itemgetter

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.phones import display_phone
from core.tables import Column, csv_safe, table_rows
from core.tenancy import enterprise_permission_required

from . import analytics
from .forms import AnalyticsFilterForm
from .permissions import DOWNLOAD_USAGE, VIEW_ANALYTICS
from .tables import CallRecordTable


def format_minutes_seconds(seconds):
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02}"


def _percent(value):
    return "" if value is None else f"{value * 100:.1f}"


BUCKET_LABELS = {analytics.HOUR: "Hour", analytics.DAY: "Day", analytics.MONTH: "Month"}


# Each table of the page as CSV: its header and its rows' cells.
def _calls_table(filters, buckets=None):
    header = [
        BUCKET_LABELS[filters.bucket],
        "Calls",
        "Answered",
        "Not answered",
        "Minutes",
        "ASR %",
        "Peak concurrent calls",
    ]
    rows = [
        [
            analytics.bucket_label(bucket, filters.bucket),
            bucket.calls,
            bucket.answered,
            bucket.not_answered,
            f"{bucket.minutes:.1f}",
            _percent(bucket.asr),
            bucket.peak,
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


def _page_table(header, rows, user):
    """A table for the page, with the same header and cells as its CSV."""
    columns = [Column(f"c{n}", label, value=itemgetter(n)) for n, label in enumerate(header)]
    return {"columns": columns, "rows": table_rows(columns, rows, user)}


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
    return form, analytics.Filters.from_form(
        form.cleaned_data,
        timezone.get_current_timezone(),
        enterprise_time_zone=request.enterprise.time_zone,
    )


def _peak_meaning(filters):
    meaning = "The most calls in progress at once, in any minute of the range"
    if filters.destination_class and not filters.number:
        # The calls in progress are not counted by destination.
        return f"{meaning}, to every destination: the Destination filter does not narrow it"
    return meaning


def _tiles(kpis, filters):
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
        ("Peak concurrent calls", _peak_meaning(filters), f"{kpis['peak_concurrent_calls']:,}"),
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
        kpis = analytics.kpis(buckets)
        context.update(
            bucket_label=BUCKET_LABELS[filters.bucket].lower(),
            tiles=_tiles(kpis, filters),
            chart=analytics.chart(buckets, filters.bucket),
            tables={
                "calls": _page_table(*_calls_table(filters, buckets), request.user),
                "failures": _page_table(*_failures_table(filters), request.user),
                "destinations": _page_table(*_destinations_table(filters), request.user),
                "numbers": _page_table(*_numbers_table(filters, phone=display_phone), request.user),
            },
            csv_urls={table: _with(request, format="csv", table=table) for table in CSV_TABLES},
        )
        if request.user.has_perm(DOWNLOAD_USAGE):
            records_url = reverse("billing:records") + _with(request)
            records = CallRecordTable(request.user, request.GET).context()
            records["csv_url"] = records_url
            context.update(records_url=records_url, records=records)
    return render(request, "billing/analytics.html", context)


@enterprise_permission_required(DOWNLOAD_USAGE)
def download_records(request):
    """The filtered records as a call record file: streamed, or written by a job when long."""
    form, filters = _filters(request)
    if not filters:
        return render(request, "billing/analytics.html", {"form": form}, status=400)
    table = CallRecordTable(request.user, request.GET)
    return table.csv_response(f"call-records-{filters.date_from}-{filters.date_to}.csv")
