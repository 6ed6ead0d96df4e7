"""The hourly totals of calls (UsageHour) and the calls in progress each minute (UsageMinute)
that the reports read instead of the records.

They are kept current by the loads: each chunk of calls stored is added in SQL, grouped by
hour (UTC), enterprise, package, trunk, direction and destination class, and to every minute
(UTC) each call touches, by enterprise, package, trunk and direction, in the statement that
stores it (add_calls), so only the calls really inserted count, never a duplicate. `rebuild`
computes an enterprise's hours and minutes again from the records: for repairs, for the loads
of databases other than PostgreSQL, and for the tests, which compare both.

A call counts in the minutes of its first MAX_CALL_MINUTES only: a call the switch never closed
(a record of two days) would otherwise add thousands of minute rows on its own, and no trunk
carries one real call that long.

What the totals mean: `calls` all the calls; `answered`, `busy`, ... the calls of each
disposition; `seconds` the duration (start to end) of the answered calls; `billable_seconds`
all the calls' billable seconds; `post_dial_delay_ms` the delays summed over the
`post_dial_delay_calls` calls that had one (their average is the one divided by the other).
"""

from collections import Counter
from datetime import UTC, timedelta

from django.db import transaction
from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce, TruncHour
from django_scopes import scopes_disabled

from .models import CallRecord, Disposition, UsageHour, UsageMinute

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
MAX_CALL_MINUTES = 24 * 60
# The columns of the new calls that add_calls reads.
CALL_COLUMNS = (
    "enterprise_id",
    "started_at",
    "ended_at",
    "package_id",
    "trunk_id",
    "direction",
    "destination_class",
    "disposition",
    "duration",
    "billable_seconds",
    "post_dial_delay_ms",
)
GROUPS = ("enterprise_id", "hour", "package_id", "trunk_id", "direction", "destination_class")
MINUTE_GROUPS = ("enterprise_id", "minute", "package_id", "trunk_id", "direction")
DISPOSITIONS = {
    "answered": Disposition.ANSWERED,
    "busy": Disposition.BUSY,
    "no_answer": Disposition.NO_ANSWER,
    "failed": Disposition.FAILED,
    "cancelled": Disposition.CANCELLED,
}
TOTALS = (
    "calls",
    *DISPOSITIONS,
    "seconds",
    "billable_seconds",
    "post_dial_delay_ms",
    "post_dial_delay_calls",
)

_ADD_CALLS = """
WITH new_calls AS ({new_calls}),
added AS (
    INSERT INTO billing_usagehour ({groups}, {totals})
    SELECT enterprise_id, date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        package_id, trunk_id, direction, destination_class,
        count(*), {by_disposition},
        coalesce(sum(duration) FILTER (WHERE disposition = 'answered'), 0),
        coalesce(sum(billable_seconds), 0),
        coalesce(sum(post_dial_delay_ms), 0), count(post_dial_delay_ms)
    FROM new_calls
    GROUP BY 1, 2, 3, 4, 5, 6
    -- The same order in every load, so two loads at once wait for each other, not deadlock.
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (enterprise_id, hour, direction, destination_class,
        COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET {sums}
    RETURNING 1
),
in_progress AS (
    INSERT INTO billing_usageminute (enterprise_id, minute, package_id, trunk_id, direction, calls)
    SELECT enterprise_id, minute AT TIME ZONE 'UTC', package_id, trunk_id, direction, count(*)
    FROM new_calls, generate_series(
        date_trunc('minute', started_at AT TIME ZONE 'UTC'),
        date_trunc('minute', least(ended_at, started_at + interval '{max_minutes} minutes')
            AT TIME ZONE 'UTC'),
        interval '1 minute'
    ) AS minute
    GROUP BY 1, 2, 3, 4, 5
    ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT (enterprise_id, minute, direction, COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET calls = billing_usageminute.calls + EXCLUDED.calls
    RETURNING 1
)
SELECT count(*) FROM new_calls
"""


def add_calls(cursor, new_calls, params=None):
    """Add calls to the hours they started in and to the minutes they lasted, on PostgreSQL;
    new_calls is the SQL giving the new calls' CALL_COLUMNS (the INSERT ... RETURNING that
    stores them). Returns their count."""
    sql = _ADD_CALLS.format(
        new_calls=new_calls,
        groups=", ".join(GROUPS),
        totals=", ".join(TOTALS),
        by_disposition=", ".join(
            f"count(*) FILTER (WHERE disposition = '{value}')" for value in DISPOSITIONS.values()
        ),
        sums=", ".join(f"{name} = billing_usagehour.{name} + EXCLUDED.{name}" for name in TOTALS),
        max_minutes=MAX_CALL_MINUTES,
    )
    cursor.execute(sql, params)
    return cursor.fetchone()[0]


def _hour(moment):
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_from_records(records):
    """The UsageHour totals of a queryset of calls, grouped as the rollup groups them:
    {(enterprise, hour, package, trunk, direction, destination class): {total: value}}."""
    zero = Value(0)
    rows = (
        records.annotate(hour=TruncHour("started_at", tzinfo=UTC))
        .values(*GROUPS)
        .annotate(
            calls=Count("call_id"),
            **{
                name: Count("call_id", filter=Q(disposition=value))
                for name, value in DISPOSITIONS.items()
            },
            seconds=Coalesce(Sum("duration", filter=Q(disposition=Disposition.ANSWERED)), zero),
            total_billable=Coalesce(Sum("billable_seconds"), zero),
            total_delay=Coalesce(Sum("post_dial_delay_ms"), zero),
            post_dial_delay_calls=Count("post_dial_delay_ms"),
        )
        .order_by()
    )
    hours = {}
    for row in rows:
        row["billable_seconds"] = row.pop("total_billable")
        row["post_dial_delay_ms"] = row.pop("total_delay")
        hours[tuple(row[name] for name in GROUPS)] = {name: row[name] for name in TOTALS}
    return hours


def _minute(moment):
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def minutes_of_call(started_at, ended_at):
    """The minutes (UTC) a call counts in: those it touches, up to MAX_CALL_MINUTES after its
    start (as add_calls counts them)."""
    minute = _minute(started_at)
    last = _minute(min(ended_at, started_at + MAX_CALL_MINUTES * MINUTE))
    while minute <= last:
        yield minute
        minute += MINUTE


def minutes_from_records(records, first=None, last=None):
    """The UsageMinute counts of a queryset of calls, as the rollup groups them, of the minutes
    from first to last (excluded) if given: {(enterprise, minute, package, trunk, direction):
    calls}."""
    counts = Counter()
    rows = records.values_list(
        "enterprise_id", "package_id", "trunk_id", "direction", "started_at", "ended_at"
    ).order_by()
    for enterprise_id, package_id, trunk_id, direction, started_at, ended_at in rows.iterator(
        chunk_size=5000
    ):
        for minute in minutes_of_call(started_at, ended_at):
            if (first is None or minute >= first) and (last is None or minute < last):
                counts[enterprise_id, minute, package_id, trunk_id, direction] += 1
    return counts


def rebuild(enterprise_id, since, until):
    """Compute the enterprise's hours from since's hour to until's (included) again from its
    calls, and the minutes of the calls that started in them. Not meant to run while a load
    adds calls to the same hours."""
    first, last = _hour(since), _hour(until) + HOUR
    # The calls started in the span last into the minutes up to MAX_CALL_MINUTES after it;
    # each of those minutes counts every call in progress then, also those started before.
    longest = MAX_CALL_MINUTES * MINUTE
    minutes_end = last + longest
    with scopes_disabled(), transaction.atomic():
        hours = UsageHour.objects.filter(
            enterprise_id=enterprise_id, hour__gte=first, hour__lt=last
        )
        hours.delete()
        records = CallRecord.objects.filter(
            enterprise_id=enterprise_id, started_at__gte=first, started_at__lt=last
        )
        UsageHour.objects.bulk_create(
            UsageHour(**dict(zip(GROUPS, key, strict=True)), **totals)
            for key, totals in hours_from_records(records).items()
        )
        UsageMinute.objects.filter(
            enterprise_id=enterprise_id, minute__gte=first, minute__lt=minutes_end
        ).delete()
        in_progress = CallRecord.objects.filter(
            enterprise_id=enterprise_id,
            started_at__gte=first - longest,
            started_at__lt=minutes_end,
            ended_at__gte=first,
        )
        UsageMinute.objects.bulk_create(
            (
                UsageMinute(**dict(zip(MINUTE_GROUPS, key, strict=True)), calls=calls)
                for key, calls in minutes_from_records(in_progress, first, minutes_end).items()
            ),
            batch_size=5000,
        )
