"""The numbers of the Traffic Analytics page, from the rollups (billing.rollups) and, for what
they cannot answer, the call records.

The KPIs, the chart and the top destinations read UsageHour (hours in UTC): a day (a month) is
one in the reader's time zone, grouped by the database; the failures read UsageFailureHour. The
peak concurrent calls read the calls in progress each minute, one row a minute: UsageMinute
under a trunk filter, else UsageMinutePackage under a package filter, else UsageMinuteTotal
(their inbound or outbound calls under a direction filter); the most of them in each bucket.
The top numbers read the numbers' days, which are the enterprise's: UsageNumberDay without a
package, trunk, direction or destination filter, else UsageNumberGroupDay; for a reader in
another zone, the days of the enterprise's zone nearest to the range are read there, and the
calls of the hours at its ends where they differ from it are added or taken away from the
records.

Every figure under the Number filter is read from the call records instead (index (enterprise,
number, started_at): the number's calls only).
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connections
from django.db.models import Case, Count, DateField, F, Q, Sum, When
from django.db.models.functions import TruncDate, TruncHour, TruncMonth

from .models import (
    CallRecord,
    DestinationClass,
    Disposition,
    UsageFailureHour,
    UsageHour,
    UsageMinute,
    UsageMinutePackage,
    UsageMinuteTotal,
    UsageNumberDay,
    UsageNumberGroupDay,
)
from .rollups import FIRST_MINUTE, LAST_MINUTE, MAX_CALL_MINUTES, minutes_of_call

# Unless the reader chooses, a range of up to this many days is charted by hour, one of more
# than MONTHLY_OVER_DAYS by month, any other by day.
HOURLY_UP_TO_DAYS = 2
MONTHLY_OVER_DAYS = 92
HOUR, DAY, MONTH = "hour", "day", "month"
TOP = 10

SIP_REASONS = {
    400: "Bad Request",
    403: "Forbidden",
    404: "Not Found",
    408: "Request Timeout",
    410: "Gone",
    480: "Temporarily Unavailable",
    484: "Address Incomplete",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    600: "Busy Everywhere",
    603: "Decline",
}
Q850_CAUSES = {
    1: "Unallocated number",
    3: "No route to destination",
    16: "Normal call clearing",
    17: "User busy",
    18: "No user responding",
    19: "No answer from user",
    21: "Call rejected",
    22: "Number changed",
    27: "Destination out of order",
    28: "Invalid number format",
    31: "Normal, unspecified",
    34: "No circuit/channel available",
    38: "Network out of order",
    41: "Temporary failure",
    42: "Switching equipment congestion",
    102: "Recovery on timer expiry",
    127: "Interworking, unspecified",
}


@dataclass(frozen=True)
class Filters:
    date_from: object  # dates in the reader's zone, both included
    date_to: object
    zone: ZoneInfo
    package: object = None
    trunk: object = None
    direction: str = ""
    destination_class: str = ""
    # The customer's number: the hourly totals do not go down to numbers, so the figures are
    # then counted from the number's records (index (enterprise, number, started_at)).
    number: str = ""
    show_by: str = ""  # HOUR, DAY or MONTH; empty: by the range's length
    # The enterprise's zone (its name), whose days UsageNumberDay counts.
    enterprise_time_zone: str = ""

    @classmethod
    def from_form(cls, cleaned, zone, enterprise_time_zone=""):
        return cls(zone=zone, enterprise_time_zone=enterprise_time_zone, **cleaned)

    @property
    def days(self):
        return (self.date_to - self.date_from).days + 1

    @property
    def start(self):
        return datetime.combine(self.date_from, time.min, self.zone)

    @property
    def end(self):
        return datetime.combine(self.date_to + timedelta(days=1), time.min, self.zone)

    @property
    def bucket(self):
        """What a bar of the chart (a row of its table) is: an HOUR, a DAY or a MONTH."""
        if self.show_by:
            return self.show_by
        if self.days <= HOURLY_UP_TO_DAYS:
            return HOUR
        return MONTH if self.days > MONTHLY_OVER_DAYS else DAY

    def lookups(self):
        chosen = {
            "package": self.package,
            "trunk": self.trunk,
            "direction": self.direction,
            "destination_class": self.destination_class,
        }
        return {name: value for name, value in chosen.items() if value}


def usage_hours(filters):
    return UsageHour.objects.filter(
        hour__gte=filters.start, hour__lt=filters.end, **filters.lookups()
    )


def call_records(filters):
    number = {"number": filters.number} if filters.number else {}
    return CallRecord.objects.filter(
        started_at__gte=filters.start, started_at__lt=filters.end, **filters.lookups(), **number
    )


ANSWERED = Q(disposition=Disposition.ANSWERED)
# The hourly totals' columns, counted from the records themselves.
RECORD_SUMS = {
    "calls": Count("*"),
    "answered": Count("call_id", filter=ANSWERED),
    "busy": Count("call_id", filter=Q(disposition=Disposition.BUSY)),
    "no_answer": Count("call_id", filter=Q(disposition=Disposition.NO_ANSWER)),
    "seconds": Sum("duration", filter=ANSWERED, default=0),
    # Counted before the sum takes the column's name.
    "post_dial_delay_calls": Count("post_dial_delay_ms"),
    "post_dial_delay_ms": Sum("post_dial_delay_ms", default=0),
}


def _totals(filters):
    """(rows, their time column, the sums of TOTALS): the hourly totals, or the records of the
    number filtered on."""
    if filters.number:
        return call_records(filters), "started_at", RECORD_SUMS
    return usage_hours(filters), "hour", _sums()


TOTALS = ("calls", "answered", "busy", "no_answer", "seconds", "post_dial_delay_ms")


def _sums():
    return {name: Sum(name, default=0) for name in (*TOTALS, "post_dial_delay_calls")}


def ratio(part, whole):
    return part / whole if whole else None


def kpis(buckets):
    """The key figures of the range, summed from its series (the hourly totals read once)."""
    totals = {
        name: sum(getattr(bucket, name) for bucket in buckets)
        for name in (*TOTALS, "post_dial_delay_calls")
    }
    calls, answered = totals["calls"], totals["answered"]
    return {
        "calls": calls,
        "minutes": totals["seconds"] / 60,
        "asr": ratio(answered, calls),
        "acd_seconds": ratio(totals["seconds"], answered),
        "ner": ratio(answered + totals["busy"] + totals["no_answer"], calls),
        "post_dial_delay_seconds": (
            ratio(totals["post_dial_delay_ms"], totals["post_dial_delay_calls"]) / 1000
            if totals["post_dial_delay_calls"]
            else None
        ),
        "peak_concurrent_calls": max((bucket.peak for bucket in buckets), default=0),
    }


@dataclass
class Bucket:
    start: object  # a date (a month's first day), or an aware datetime in the reader's zone
    calls: int = 0
    answered: int = 0
    busy: int = 0
    no_answer: int = 0
    seconds: int = 0
    post_dial_delay_ms: int = 0
    post_dial_delay_calls: int = 0
    peak: int = 0  # the most calls in progress at once, in one minute of it

    @property
    def not_answered(self):
        return self.calls - self.answered

    @property
    def minutes(self):
        return self.seconds / 60

    @property
    def asr(self):
        return ratio(self.answered, self.calls)


def _truncate(filters, time_column):
    """The database's bucket of a time column, in the reader's zone."""
    if filters.bucket == HOUR:
        return TruncHour(time_column, tzinfo=filters.zone)
    if filters.bucket == MONTH:
        return TruncMonth(time_column, tzinfo=filters.zone, output_field=DateField())
    return TruncDate(time_column, tzinfo=filters.zone)


def bucket_of(moment, filters):
    """The bucket (as series keys them) of an aware datetime: its hour, day or month."""
    local = moment.astimezone(filters.zone)
    if filters.bucket == HOUR:
        return local.replace(minute=0, second=0, microsecond=0)
    if filters.bucket == MONTH:
        return local.date().replace(day=1)
    return local.date()


def _moments(filters):
    if filters.bucket == HOUR:
        return _local_hours(filters)
    days = [filters.date_from + timedelta(days=n) for n in range(filters.days)]
    if filters.bucket == MONTH:
        return list(dict.fromkeys(day.replace(day=1) for day in days))
    return days


def series(filters):
    """The calls of each bucket (hour, day or month) of the range, empty ones included, with
    the peak of calls in progress at once."""
    rows, time_column, sums = _totals(filters)
    buckets = {moment: Bucket(moment) for moment in _moments(filters)}
    rows = rows.annotate(bucket=_truncate(filters, time_column)).values("bucket").annotate(**sums)
    for row in rows:
        key = row.pop("bucket")
        found = buckets.setdefault(key, Bucket(key))
        for name, value in row.items():
            setattr(found, name, getattr(found, name) + value)
    for key, peak in peaks(filters).items():
        buckets.setdefault(key, Bucket(key)).peak = peak
    return [buckets[key] for key in sorted(buckets)]


def peaks(filters):
    """{bucket: the most calls in progress in one minute of it}."""
    found = {}
    for minute, calls in _busiest_minutes(filters):
        key = bucket_of(minute, filters)
        found[key] = max(found.get(key, 0), calls)
    return found


def _busiest_minutes(filters):
    """(minute, calls in progress) pairs among which each bucket's busiest minute is."""
    per_minute = _calls_in_progress(filters)
    if isinstance(per_minute, dict):
        return per_minute.items()
    sql, params = per_minute
    # Each bucket's busiest minute found by the database (a month has 44,640 minutes), the
    # minutes summed first: the bucket is then worked out once a minute, not once a row.
    with connections[CallRecord.objects.db].cursor() as cursor:
        cursor.execute(
            "SELECT min(minute), max(in_progress) FROM ("  # noqa: S608 - our own SQL
            f"{sql}) AS minutes GROUP BY date_trunc(%s, minute AT TIME ZONE %s)",
            (*params, filters.bucket, str(filters.zone)),
        )
        return cursor.fetchall()


def _calls_in_progress(filters):
    """The calls in progress in each minute of the range: on PostgreSQL the SQL (and its
    parameters) of rows (minute, in_progress); elsewhere {minute: calls}."""
    postgresql = connections[CallRecord.objects.db].vendor == "postgresql"
    if filters.number:
        return _number_minutes(filters) if postgresql else _number_minutes_in_python(filters)
    in_range = {"minute__gte": filters.start, "minute__lt": filters.end}
    # The minute rollups keep each direction's calls in a column named as the direction.
    in_progress = F(filters.direction) if filters.direction else F("inbound") + F("outbound")
    if filters.trunk:
        package = {"package": filters.package} if filters.package else {}
        per_minute = (
            UsageMinute.objects.filter(**in_range, trunk=filters.trunk, **package)
            .values("minute")
            .annotate(in_progress=Sum(in_progress))
        )
    elif filters.package:
        per_minute = UsageMinutePackage.objects.filter(**in_range, package=filters.package).values(
            "minute", in_progress=in_progress
        )
    else:
        per_minute = UsageMinuteTotal.objects.filter(**in_range).values(
            "minute", in_progress=in_progress
        )
    per_minute = per_minute.order_by()
    if not postgresql:
        return dict(per_minute.values_list("minute", "in_progress"))
    return per_minute.query.sql_with_params()


def _number_calls(filters):
    """The number's calls in progress in the range (those started before it included)."""
    return CallRecord.objects.filter(
        number=filters.number,
        started_at__gte=filters.start - timedelta(minutes=MAX_CALL_MINUTES),
        started_at__lt=filters.end,
        ended_at__gte=filters.start,
        **filters.lookups(),
    )


def _number_minutes(filters):
    """The SQL of the number's calls in progress per minute, counted by the database as the
    rollups count them (rollups.FIRST_MINUTE to LAST_MINUTE)."""
    sql, params = _number_calls(filters).values("started_at", "ended_at").query.sql_with_params()
    return (
        "SELECT minute AT TIME ZONE 'UTC' AS minute, count(*) AS in_progress "  # noqa: S608
        f"FROM ({sql}) AS calls, "
        f"generate_series({FIRST_MINUTE}, {LAST_MINUTE}, interval '1 minute') AS minute "
        "WHERE minute AT TIME ZONE 'UTC' >= %s AND minute AT TIME ZONE 'UTC' < %s "
        "GROUP BY 1",
        (*params, filters.start, filters.end),
    )


def _number_minutes_in_python(filters):
    counts = Counter()
    for started_at, ended_at in _number_calls(filters).values_list("started_at", "ended_at"):
        counts.update(
            minute
            for minute in minutes_of_call(started_at, ended_at)
            if filters.start <= minute < filters.end
        )
    return counts


def _local_hours(filters):
    hours = []
    moment = filters.start
    while moment < filters.end:
        local = moment.astimezone(filters.zone).replace(minute=0, second=0, microsecond=0)
        if local not in hours:
            hours.append(local)
        moment += timedelta(hours=1)
    return hours


def failures(filters, limit=None):
    """The calls not answered, by SIP code and Q.850 cause, the commonest first."""
    if filters.number:
        rows = (
            call_records(filters)
            .exclude(disposition=Disposition.ANSWERED)
            .values("sip_code", "q850_cause")
            .annotate(calls=Count("*"))
        )
    else:
        rows = (
            UsageFailureHour.objects.filter(
                hour__gte=filters.start, hour__lt=filters.end, **filters.lookups()
            )
            .values("sip_code", "q850_cause")
            .annotate(calls=Sum("calls"))
        )
    rows = rows.order_by("-calls", "sip_code", "q850_cause")
    rows = list(rows[:limit] if limit else rows)
    total = sum(row["calls"] for row in rows)
    for row in rows:
        row["sip_reason"] = SIP_REASONS.get(row["sip_code"], "")
        row["cause"] = Q850_CAUSES.get(row["q850_cause"], "")
        row["share"] = ratio(row["calls"], total)
    return rows


def _call_totals(sums):
    return {name: sums[name] for name in ("calls", "answered", "seconds")}


def _with_rates(rows):
    for row in rows:
        row["asr"] = ratio(row["answered"], row["calls"])
        row["minutes"] = row["seconds"] / 60
    return rows


def top_destinations(filters):
    """The TOP destinations by calls: the country of international calls, else the class."""
    destination = Case(
        When(destination_class=DestinationClass.INTERNATIONAL, then=F("destination_country")),
        default=F("destination_class"),
    )
    rows, _time, sums = _totals(filters)
    rows = list(
        rows.values("destination_class", destination=destination)
        .annotate(**_call_totals(sums))
        .order_by("-calls", "destination")[:TOP]
    )
    labels = dict(DestinationClass.choices)
    for row in rows:
        if row["destination_class"] == DestinationClass.INTERNATIONAL:
            row["label"] = f"International: {row['destination'] or 'unknown'}"
        else:
            row["label"] = labels.get(row["destination"], row["destination"])
    return _with_rates(rows)


def top_numbers(filters):
    """The customer's TOP numbers by calls: from the numbers' days (see the module's docstring),
    the records under the Number filter or when the range covers no such day."""
    cover = None if filters.number else _enterprise_days_cover(filters)
    if cover is None:
        return _top_of(call_records(filters), _call_totals(RECORD_SUMS))
    first_day, last_day, added, taken_away = cover
    rollup = UsageNumberGroupDay if filters.lookups() else UsageNumberDay
    by_day = rollup.objects.filter(day__gte=first_day, day__lte=last_day, **filters.lookups())
    if not added and not taken_away:
        return _top_of(by_day, _call_totals(_sums()))
    # The range is not made of the enterprise's days: the calls of the hours it holds beside
    # them are added, those of the hours of them it does not hold taken away. Only the numbers
    # of those few hours change; the others keep their days' order, so the TOP of them are
    # among the first TOP + (numbers changed) rows of the days: a tenant's numbers are never
    # all read.
    record_totals = _call_totals(RECORD_SUMS)
    changes = {}
    for records, sign in ((_records_of(filters, added), 1), (_records_of(filters, taken_away), -1)):
        for row in records.values("number").annotate(**record_totals).order_by():
            change = changes.setdefault(row["number"], dict.fromkeys(record_totals, 0))
            for name in record_totals:
                change[name] += sign * row[name]
    days = by_day.values("number").annotate(**_call_totals(_sums()))
    head = days.order_by("-calls", "number")[: TOP + len(changes)]
    numbers = {row.pop("number"): row for row in head if row["number"] not in changes}
    changed = {row.pop("number"): row for row in days.filter(number__in=list(changes)).order_by()}
    for number, change in changes.items():
        totals = changed.get(number, dict.fromkeys(record_totals, 0))
        numbers[number] = {name: totals[name] + change[name] for name in record_totals}
    called = [(number, totals) for number, totals in numbers.items() if totals["calls"]]
    top = sorted(called, key=lambda item: (-item[1]["calls"], item[0]))[:TOP]
    return _with_rates([{"number": number, **totals} for number, totals in top])


def _top_of(rows, totals):
    rows = rows.values("number").annotate(**totals).order_by("-calls", "number")[:TOP]
    return _with_rates(list(rows))


def _records_of(filters, spans):
    """The filtered records of the (start, end) spans; none without spans."""
    if not spans:
        return CallRecord.objects.none()
    started_in = Q()
    for start, end in spans:
        started_in |= Q(started_at__gte=start, started_at__lt=end)
    return CallRecord.objects.filter(started_in, **filters.lookups())


def _enterprise_days_cover(filters):
    """The days of the enterprise's zone whose sums make the range's, (first day, last day,
    spans of calls to add, spans of calls to take away), or None if there are none. At each end
    of a range that does not start (end) at the start of one of those days, that day is left
    out and the hours of it the range holds added, or taken in and the hours it does not hold
    taken away: the fewer hours of the two, the fewer records to read."""
    zone = ZoneInfo(filters.enterprise_time_zone)

    def day_start(day):
        return datetime.combine(day, time.min, zone)

    added, taken_away = [], []
    first_day = filters.start.astimezone(zone).date()
    if day_start(first_day) < filters.start:
        next_start = day_start(first_day + timedelta(days=1))
        if next_start - filters.start <= filters.start - day_start(first_day):
            added.append((filters.start, next_start))
            first_day += timedelta(days=1)
        else:
            taken_away.append((day_start(first_day), filters.start))
    last_day = filters.end.astimezone(zone).date()
    if day_start(last_day) == filters.end:
        last_day -= timedelta(days=1)
    else:
        next_start = day_start(last_day + timedelta(days=1))
        if filters.end - day_start(last_day) <= next_start - filters.end:
            added.append((day_start(last_day), filters.end))
            last_day -= timedelta(days=1)
        else:
            taken_away.append((filters.end, next_start))
    if first_day > last_day:
        return None
    return first_day, last_day, added, taken_away


# The chart: bars of answered and not answered calls, drawn by the server as SVG.

CHART_WIDTH = 720
CHART_HEIGHT = 240
CHART_LEFT = 48  # room for the calls axis' labels
CHART_BOTTOM = 24  # and for the days' (hours')
CHART_TOP = 8
MOST_X_LABELS = 12


def _nice_ceiling(value):
    """The round number (1, 2 or 5 times a power of ten) at or above value, for the axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


BUCKET_FORMATS = {HOUR: "%Y-%m-%d %H:00", DAY: "%Y-%m-%d", MONTH: "%Y-%m"}
# The bars' labels under the chart, shorter.
AXIS_FORMATS = {HOUR: "%H:00", DAY: "%m-%d", MONTH: "%Y-%m"}


def bucket_label(bucket, kind):
    """A bucket's hour, day or month as the page and the CSV write it."""
    return bucket.start.strftime(BUCKET_FORMATS[kind])


def chart(buckets, kind):
    """The geometry of the chart of the buckets (see series, of kind HOUR, DAY or MONTH) for
    the template to draw."""
    plot_width = CHART_WIDTH - CHART_LEFT
    plot_height = CHART_HEIGHT - CHART_BOTTOM - CHART_TOP
    baseline = CHART_TOP + plot_height
    top = _nice_ceiling(max((bucket.calls for bucket in buckets), default=0) or 1)
    slot = plot_width / max(len(buckets), 1)
    label_every = -(-len(buckets) // MOST_X_LABELS) or 1
    bars = []
    for index, bucket in enumerate(buckets):
        answered = bucket.answered / top * plot_height
        not_answered = bucket.not_answered / top * plot_height
        x = CHART_LEFT + index * slot + slot * 0.15
        when = bucket_label(bucket, kind)
        bars.append(
            {
                "x": round(x, 2),
                "width": round(slot * 0.7, 2),
                "answered_y": round(baseline - answered, 2),
                "answered_height": round(answered, 2),
                "not_answered_y": round(baseline - answered - not_answered, 2),
                "not_answered_height": round(not_answered, 2),
                "title": f"{when}: {bucket.calls} calls, {bucket.answered} answered, "
                f"{bucket.not_answered} not answered",
                "label": bucket.start.strftime(AXIS_FORMATS[kind])
                if index % label_every == 0
                else "",
                "label_x": round(CHART_LEFT + index * slot + slot / 2, 2),
            }
        )
    ticks = [
        {"value": value, "y": round(baseline - value / top * plot_height, 2)}
        for value in sorted({0, top // 2, top})
    ]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": CHART_LEFT,
        "right": CHART_WIDTH,
        "baseline": baseline,
        "label_y": CHART_HEIGHT - 6,
        "bars": bars,
        "ticks": ticks,
    }
