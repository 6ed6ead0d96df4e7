"""The totals of calls that the reports read instead of the records, kept current as records
load:

- UsageHour: the calls of each hour (UTC), by enterprise, package, trunk, direction and
  destination (class, and country of international calls);
- UsageFailureHour: the calls not answered of each hour, by the same groups but the country,
  and by SIP code and Q.850 cause;
- UsageNumberDay: the calls of each of an enterprise's numbers on each day of the
  enterprise's time zone; UsageNumberGroupDay: the same by package, trunk, direction and
  destination class;
- UsageMinute: the calls in progress in each minute (UTC) they touch, by enterprise, package
  and trunk, inbound and outbound; UsageMinutePackage: the same by package alone;
  UsageMinuteTotal: the same over all the groups of an enterprise (all calls, and each
  direction's).

On PostgreSQL each chunk of calls stored is added to all of them in SQL, in the statement that
stores it (add_calls), so only the calls really inserted count, never a duplicate. `rebuild`
computes an enterprise's rollups of a span again from its records with the same statement, fed
by the stored records instead (one definition of each rollup); on other databases (SQLite under
`make run`) it counts them in Python (the *_from_records functions, which the tests also use to
check the SQL against).

A call counts in the minutes of its first MAX_CALL_MINUTES only: a call the switch never closed
(a record of two days) would otherwise add thousands of minute rows on its own, and no trunk
carries one real call that long.

What the totals mean: `calls` all the calls; `answered`, `busy`, ... the calls of each
disposition; `seconds` the duration (start to end) of the answered calls; `billable_seconds`
all the calls' billable seconds; `post_dial_delay_ms` the delays summed over the
`post_dial_delay_calls` calls that had one (their average is the one divided by the other);
`rated_seconds` and `charge` the billed seconds and charges of the rated calls, `unrated` the
answered calls no rate covered (billing.rating). A re-rate changes those alone, in UsageHour
only: on PostgreSQL its statement moves them by what it changed (`rating_changes`); otherwise
`rebuild_hours` counts the hours again.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connections, router, transaction
from django.db.models import Case, Count, Q, Sum, Value, When
from django.db.models.functions import Coalesce, TruncHour
from django_scopes import scopes_disabled

from accounts.models import Enterprise

from .models import (
    CallRecord,
    DestinationClass,
    Direction,
    Disposition,
    UsageFailureHour,
    UsageHour,
    UsageMinute,
    UsageMinutePackage,
    UsageMinuteTotal,
    UsageNumberDay,
    UsageNumberGroupDay,
)

# Every rollup table, each counted from the call records (the tests and benches compare them).
ROLLUPS = (
    UsageHour,
    UsageFailureHour,
    UsageNumberDay,
    UsageNumberGroupDay,
    UsageMinute,
    UsageMinutePackage,
    UsageMinuteTotal,
)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
MAX_CALL_MINUTES = 24 * 60
LONGEST_CALL = MAX_CALL_MINUTES * MINUTE
# The columns of the new calls that add_calls reads.
CALL_COLUMNS = (
    "enterprise_id",
    "started_at",
    "ended_at",
    "number",
    "package_id",
    "trunk_id",
    "direction",
    "destination_class",
    "destination_country",
    "disposition",
    "sip_code",
    "q850_cause",
    "duration",
    "billable_seconds",
    "post_dial_delay_ms",
    "rate_id",
    "rated_seconds",
    "charge",
)
GROUPS = (
    "enterprise_id",
    "hour",
    "package_id",
    "trunk_id",
    "direction",
    "destination_class",
    "destination_country",
)
FAILURE_GROUPS = (
    "enterprise_id",
    "hour",
    "package_id",
    "trunk_id",
    "direction",
    "destination_class",
    "sip_code",
    "q850_cause",
)
MINUTE_GROUPS = ("enterprise_id", "minute", "package_id", "trunk_id")
NUMBER_DAY_GROUPS = ("enterprise_id", "day", "number")
NUMBER_GROUP_DAY_GROUPS = (
    "enterprise_id",
    "day",
    "number",
    "package_id",
    "trunk_id",
    "direction",
    "destination_class",
)
MINUTE_PACKAGE_GROUPS = ("enterprise_id", "package_id", "minute")
# The columns of the calls in progress of each direction, named as the direction.
BY_DIRECTION = tuple(direction.value for direction in Direction)
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
    "rated_seconds",
    "charge",
    "unrated",
)
NUMBER_DAY_TOTALS = ("calls", "answered", "seconds", "billable_seconds")

# Every rollup of the new calls in one statement. Before each ON CONFLICT the rows are in the
# same order in every load, so two loads at once wait for each other, not deadlock. A rebuild
# fills in the {..._window} conditions: each rollup then takes only the calls of the span it
# recounts (its rows there deleted first), the minutes only those of the span.
_HOURS = """
hours AS (
    INSERT INTO billing_usagehour ({groups}, {totals})
    SELECT {hour_groups},
        count(*), {by_disposition},
        coalesce(sum(duration) FILTER (WHERE disposition = '{answered}'), 0),
        coalesce(sum(billable_seconds), 0),
        coalesce(sum(post_dial_delay_ms), 0), count(post_dial_delay_ms),
        {rating_totals}
    FROM new_calls
    {hour_window}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (enterprise_id, hour, direction, destination_class, destination_country,
        COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET {sums}
    RETURNING 1
)"""
_ADD_CALLS = (
    "WITH new_calls AS ({new_calls}),"  # noqa: S608 - constants
    + _HOURS
    + """,
failures AS (
    INSERT INTO billing_usagefailurehour ({failure_groups}, calls)
    SELECT enterprise_id, date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
        package_id, trunk_id, direction, destination_class, sip_code, q850_cause, count(*)
    FROM new_calls
    WHERE disposition <> '{answered}' {and_hour_window}
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ORDER BY 1, 2, 3, 4, 5, 6, 7, 8
    ON CONFLICT (enterprise_id, hour, direction, destination_class, sip_code,
        COALESCE(q850_cause, -1), COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET calls = billing_usagefailurehour.calls + EXCLUDED.calls
    RETURNING 1
),
number_group_totals AS (
    SELECT enterprise_id, (started_at AT TIME ZONE enterprise.time_zone)::date AS day, number,
        package_id, trunk_id, direction, destination_class,
        count(*) AS calls, count(*) FILTER (WHERE disposition = '{answered}') AS answered,
        coalesce(sum(duration) FILTER (WHERE disposition = '{answered}'), 0) AS seconds,
        coalesce(sum(billable_seconds), 0) AS billable_seconds
    FROM new_calls JOIN accounts_enterprise AS enterprise ON enterprise.id = enterprise_id
    {day_window}
    GROUP BY 1, 2, 3, 4, 5, 6, 7
),
number_group_days AS (
    INSERT INTO billing_usagenumbergroupday ({number_group_day_groups}, {number_day_totals})
    SELECT {number_group_day_groups}, {number_day_totals}
    FROM number_group_totals
    ORDER BY 1, 2, 3, 4, 5, 6, 7
    ON CONFLICT (enterprise_id, day, number, direction, destination_class,
        COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET {number_group_day_sums}
    RETURNING 1
),
number_days AS (
    INSERT INTO billing_usagenumberday ({number_day_groups}, {number_day_totals})
    SELECT enterprise_id, day, number, {number_day_sums_of_groups}
    FROM number_group_totals
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (enterprise_id, day, number)
    DO UPDATE SET {number_day_sums}
    RETURNING 1
),
in_progress AS (
    SELECT enterprise_id, minute, package_id, trunk_id, direction, count(*) AS calls
    FROM new_calls, generate_series(
        {first_minute},
        {last_minute},
        interval '1 minute'
    ) AS minute
    GROUP BY 1, 2, 3, 4, 5
),
minutes AS (
    INSERT INTO billing_usageminute ({minute_groups}, {directions})
    SELECT enterprise_id, minute AT TIME ZONE 'UTC', package_id, trunk_id, {calls_by_direction}
    FROM in_progress
    GROUP BY 1, 2, 3, 4
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (enterprise_id, minute, COALESCE(package_id, 0), COALESCE(trunk_id, 0))
    DO UPDATE SET {minute_sums}
    RETURNING 1
),
minute_packages AS (
    INSERT INTO billing_usageminutepackage ({minute_package_groups}, {directions})
    SELECT enterprise_id, package_id, minute AT TIME ZONE 'UTC', {calls_by_direction}
    FROM in_progress
    WHERE package_id IS NOT NULL
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3
    ON CONFLICT (enterprise_id, package_id, minute)
    DO UPDATE SET {minute_package_sums}
    RETURNING 1
),
minute_totals AS (
    INSERT INTO billing_usageminutetotal (enterprise_id, minute, calls, {directions})
    SELECT enterprise_id, minute AT TIME ZONE 'UTC', sum(calls), {calls_by_direction}
    FROM in_progress
    GROUP BY 1, 2
    ORDER BY 1, 2
    ON CONFLICT (enterprise_id, minute)
    DO UPDATE SET {minute_total_sums}
    RETURNING 1
)
SELECT count(*) FROM new_calls
"""
)
# Only the hours, counted again when a re-rate cannot move them (no other rollup holds rating).
_ADD_HOURS = "WITH new_calls AS ({new_calls})," + _HOURS + " SELECT count(*) FROM new_calls"  # noqa: S608
# A call's UsageHour group, and the rating totals of calls whose rating columns (RATING_COLUMNS)
# are named with a prefix (those a re-rate found, "old_").
HOUR_GROUPS = (
    "enterprise_id, date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',"
    " package_id, trunk_id, direction, destination_class,"
    f" CASE WHEN destination_class = '{DestinationClass.INTERNATIONAL}'"
    " THEN destination_country ELSE '' END"
)
RATING_COLUMNS = ("rate_id", "rated_seconds", "charge")
RATING_TOTALS = ("rated_seconds", "charge", "unrated")


def _rating_totals(prefix=""):
    return (
        f"coalesce(sum({prefix}rated_seconds), 0)",
        f"coalesce(sum({prefix}charge), 0)",
        f"count(*) FILTER (WHERE disposition = '{Disposition.ANSWERED}'"
        f" AND {prefix}rate_id IS NULL)",
    )


def rating_changes(changed):
    """SQL of two WITH queries that move UsageHour's rating totals by what a re-rate changed:
    `changed` names the query of the calls it wrote, with CALL_COLUMNS and their rating
    before, as old_rate_id, old_rated_seconds and old_charge. `rating_deltas` gives the groups
    of hours it changed; `rated_hours` the rows it updated, one a group unless a row is missing
    (then the caller rebuilds the hours: rebuild_hours)."""
    deltas = ", ".join(
        f"{new} - {old} AS {name}"
        for new, old, name in zip(
            _rating_totals(), _rating_totals("old_"), RATING_TOTALS, strict=True
        )
    )
    matches = " AND ".join(
        f"COALESCE(total.{name}, 0) = COALESCE(delta.{name}, 0)"
        if name in ("package_id", "trunk_id")
        else f"total.{name} = delta.{name}"
        for name in GROUPS
    )
    return (
        f"rating_deltas AS (SELECT {HOUR_GROUPS}, {deltas} FROM {changed}"  # noqa: S608
        " GROUP BY 1, 2, 3, 4, 5, 6, 7), "
        "rated_hours AS (UPDATE billing_usagehour AS total SET "
        + ", ".join(f"{name} = total.{name} + delta.{name}" for name in RATING_TOTALS)
        + f" FROM rating_deltas AS delta ({', '.join(GROUPS)}, {', '.join(RATING_TOTALS)})"
        f" WHERE {matches} RETURNING 1)"
    )


# The first and last minutes (UTC, without a zone) a call of a row counts in, in SQL.
FIRST_MINUTE = "date_trunc('minute', started_at AT TIME ZONE 'UTC')"
LAST_MINUTE = (
    f"date_trunc('minute', least(ended_at, started_at + interval '{MAX_CALL_MINUTES} minutes')"
    " AT TIME ZONE 'UTC')"
)
_HOUR_WINDOW = "started_at >= %(first_hour)s AND started_at < %(hours_end)s"
_DAY_WINDOW = (
    "WHERE (started_at AT TIME ZONE enterprise.time_zone)::date"
    " BETWEEN %(first_day)s AND %(last_day)s"
)
# The stored calls a rebuild recounts: those of its span, and those in progress in its minutes.
_STORED_CALLS = (
    f"SELECT {', '.join(CALL_COLUMNS)} FROM billing_callrecord"  # noqa: S608 - constants
    " WHERE enterprise_id = %(enterprise_id)s"
    " AND started_at >= %(calls_from)s AND started_at < %(calls_until)s"
)


def _sums(table, names):
    """The SET of an ON CONFLICT that adds the new row's names to the stored row's."""
    return ", ".join(f"{name} = {table}.{name} + EXCLUDED.{name}" for name in names)


def _statement(new_calls, rebuilding=False, template=_ADD_CALLS):
    return template.format(
        new_calls=new_calls,
        groups=", ".join(GROUPS),
        totals=", ".join(TOTALS),
        hour_groups=HOUR_GROUPS,
        rating_totals=", ".join(_rating_totals()),
        failure_groups=", ".join(FAILURE_GROUPS),
        minute_groups=", ".join(MINUTE_GROUPS),
        number_day_groups=", ".join(NUMBER_DAY_GROUPS),
        number_day_totals=", ".join(NUMBER_DAY_TOTALS),
        international=DestinationClass.INTERNATIONAL,
        answered=Disposition.ANSWERED,
        by_disposition=", ".join(
            f"count(*) FILTER (WHERE disposition = '{value}')" for value in DISPOSITIONS.values()
        ),
        sums=_sums("billing_usagehour", TOTALS),
        number_day_sums=_sums("billing_usagenumberday", NUMBER_DAY_TOTALS),
        number_group_day_groups=", ".join(NUMBER_GROUP_DAY_GROUPS),
        number_day_sums_of_groups=", ".join(f"sum({name})" for name in NUMBER_DAY_TOTALS),
        number_group_day_sums=_sums("billing_usagenumbergroupday", NUMBER_DAY_TOTALS),
        minute_package_groups=", ".join(MINUTE_PACKAGE_GROUPS),
        directions=", ".join(BY_DIRECTION),
        calls_by_direction=", ".join(
            f"coalesce(sum(calls) FILTER (WHERE direction = '{direction}'), 0)"
            for direction in BY_DIRECTION
        ),
        minute_package_sums=_sums("billing_usageminutepackage", BY_DIRECTION),
        minute_sums=_sums("billing_usageminute", BY_DIRECTION),
        minute_total_sums=_sums("billing_usageminutetotal", ("calls", *BY_DIRECTION)),
        hour_window=f"WHERE {_HOUR_WINDOW}" if rebuilding else "",
        and_hour_window=f"AND {_HOUR_WINDOW}" if rebuilding else "",
        day_window=_DAY_WINDOW if rebuilding else "",
        first_minute=(
            f"greatest({FIRST_MINUTE}, %(first_minute)s AT TIME ZONE 'UTC')"
            if rebuilding
            else FIRST_MINUTE
        ),
        last_minute=(
            f"least({LAST_MINUTE}, %(last_minute)s AT TIME ZONE 'UTC')"
            if rebuilding
            else LAST_MINUTE
        ),
    )


def add_calls(cursor, new_calls, params=None):
    """Add calls to every rollup, on PostgreSQL; new_calls is the SQL giving the new calls'
    CALL_COLUMNS (the INSERT ... RETURNING that stores them). Returns their count."""
    cursor.execute(_statement(new_calls), params)
    return cursor.fetchone()[0]


@dataclass(frozen=True)
class Span:
    """What a rebuild of an enterprise's calls started from `since` to `until` recounts: each
    rollup's rows of the span, every one of them whole (all its calls counted again, those
    started outside the span included):
    - the hours (UTC) from since's to until's, for UsageHour and UsageFailureHour;
    - the days of the enterprise's zone from since's to until's, for UsageNumberDay and
      UsageNumberGroupDay;
    - the minutes from the first hour's start to MAX_CALL_MINUTES after the last hour's end,
      which the span's calls may last into, for UsageMinute, UsageMinutePackage and
      UsageMinuteTotal.
    """

    enterprise_id: int
    first_hour: datetime
    hours_end: datetime  # excluded
    first_day: object  # dates of the enterprise's zone, both included
    last_day: object
    days_start: datetime  # the first day's start
    days_end: datetime  # the last day's end

    @classmethod
    def of(cls, enterprise_id, since, until):
        zone = ZoneInfo(
            Enterprise.objects.values_list("time_zone", flat=True).get(pk=enterprise_id)
        )
        first_day, last_day = since.astimezone(zone).date(), until.astimezone(zone).date()
        return cls(
            enterprise_id=enterprise_id,
            first_hour=_hour(since),
            hours_end=_hour(until) + HOUR,
            first_day=first_day,
            last_day=last_day,
            days_start=datetime.combine(first_day, time.min, zone),
            days_end=datetime.combine(last_day + DAY, time.min, zone),
        )

    @property
    def first_minute(self):
        return self.first_hour

    @property
    def minutes_end(self):  # excluded
        return self.hours_end + LONGEST_CALL

    @property
    def calls_from(self):
        """The first start of a call counting in one of the span's rows."""
        return min(self.first_minute - LONGEST_CALL, self.days_start)

    @property
    def calls_until(self):  # excluded
        return max(self.minutes_end, self.days_end)

    def delete_rows(self):
        enterprise = {"enterprise_id": self.enterprise_id}
        hours = {"hour__gte": self.first_hour, "hour__lt": self.hours_end}
        minutes = {"minute__gte": self.first_minute, "minute__lt": self.minutes_end}
        days = {"day__gte": self.first_day, "day__lte": self.last_day}
        UsageHour.objects.filter(**enterprise, **hours).delete()
        UsageFailureHour.objects.filter(**enterprise, **hours).delete()
        UsageMinute.objects.filter(**enterprise, **minutes).delete()
        UsageMinutePackage.objects.filter(**enterprise, **minutes).delete()
        UsageMinuteTotal.objects.filter(**enterprise, **minutes).delete()
        UsageNumberDay.objects.filter(**enterprise, **days).delete()
        UsageNumberGroupDay.objects.filter(**enterprise, **days).delete()

    def params(self):
        return {
            "enterprise_id": self.enterprise_id,
            "calls_from": self.calls_from,
            "calls_until": self.calls_until,
            "first_hour": self.first_hour,
            "hours_end": self.hours_end,
            "first_day": self.first_day,
            "last_day": self.last_day,
            "first_minute": self.first_minute,
            # The last minute counted, the series including it.
            "last_minute": self.minutes_end - MINUTE,
        }

    def calls(self):
        return CallRecord.objects.filter(
            enterprise_id=self.enterprise_id,
            started_at__gte=self.calls_from,
            started_at__lt=self.calls_until,
        )


def rebuild(enterprise_id, since, until):
    """Compute the enterprise's rollups of its calls started from since to until (see Span:
    the rows of whole hours, days and minutes around them) again from its records. Not meant
    to run while a load adds calls to the same span. The rows outside the span are left as
    they are."""
    with scopes_disabled():
        span = Span.of(enterprise_id, since, until)
        database = router.db_for_write(UsageHour)
        with transaction.atomic(using=database):
            span.delete_rows()
            connection = connections[database]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(_statement(_STORED_CALLS, rebuilding=True), span.params())
            else:
                _add_in_python(span)


def _add_in_python(span):
    calls = span.calls()
    hours = calls.filter(started_at__gte=span.first_hour, started_at__lt=span.hours_end)
    UsageHour.objects.bulk_create(
        UsageHour(**dict(zip(GROUPS, key, strict=True)), **totals)
        for key, totals in hours_from_records(hours).items()
    )
    UsageFailureHour.objects.bulk_create(
        UsageFailureHour(**dict(zip(FAILURE_GROUPS, key, strict=True)), calls=count)
        for key, count in failures_from_records(hours).items()
    )
    days = calls.filter(started_at__gte=span.days_start, started_at__lt=span.days_end)
    UsageNumberDay.objects.bulk_create(
        UsageNumberDay(**dict(zip(NUMBER_DAY_GROUPS, key, strict=True)), **totals)
        for key, totals in number_days_from_records(days).items()
    )
    UsageNumberGroupDay.objects.bulk_create(
        UsageNumberGroupDay(**dict(zip(NUMBER_GROUP_DAY_GROUPS, key, strict=True)), **totals)
        for key, totals in number_days_from_records(days, NUMBER_GROUP_DAY_GROUPS).items()
    )
    minutes = minutes_from_records(
        calls.filter(ended_at__gte=span.first_minute), span.first_minute, span.minutes_end
    )
    UsageMinute.objects.bulk_create(
        (
            UsageMinute(**dict(zip(MINUTE_GROUPS, key, strict=True)), **counts)
            for key, counts in minute_groups(minutes).items()
        ),
        batch_size=5000,
    )
    UsageMinutePackage.objects.bulk_create(
        (
            UsageMinutePackage(**dict(zip(MINUTE_PACKAGE_GROUPS, key, strict=True)), **counts)
            for key, counts in minute_packages(minutes).items()
        ),
        batch_size=5000,
    )
    UsageMinuteTotal.objects.bulk_create(
        (
            UsageMinuteTotal(enterprise_id=enterprise_id, minute=minute, **counts)
            for (enterprise_id, minute), counts in minute_totals(minutes).items()
        ),
        batch_size=5000,
    )


def rebuild_hours(enterprise_id, since, until):
    """Compute the enterprise's UsageHour rows of the hours from since's to until's again from
    its records: after its calls are rated again, which changes no other rollup."""
    with scopes_disabled():
        span = Span.of(enterprise_id, since, until)
        hours = {"hour__gte": span.first_hour, "hour__lt": span.hours_end}
        database = router.db_for_write(UsageHour)
        with transaction.atomic(using=database):
            UsageHour.objects.filter(enterprise_id=enterprise_id, **hours).delete()
            connection = connections[database]
            if connection.vendor != "postgresql":
                UsageHour.objects.bulk_create(
                    UsageHour(**dict(zip(GROUPS, key, strict=True)), **totals)
                    for key, totals in hours_from_records(
                        span.calls().filter(
                            started_at__gte=span.first_hour, started_at__lt=span.hours_end
                        )
                    ).items()
                )
                return
            params = {**span.params(), "calls_from": span.first_hour, "calls_until": span.hours_end}
            with connection.cursor() as cursor:
                cursor.execute(_statement(_STORED_CALLS, True, _ADD_HOURS), params)


def rebuild_stored(enterprise_id):
    """Rebuild the enterprise's rollups of all its stored calls (the rows of months whose
    records are gone are kept). Returns the starts of its first and last calls, or None when
    it has none."""
    with scopes_disabled():
        calls = CallRecord.objects.filter(enterprise_id=enterprise_id)
        first = calls.order_by("started_at").values_list("started_at", flat=True).first()
        last = calls.order_by("-started_at").values_list("started_at", flat=True).first()
    if first is None:
        return None
    rebuild(enterprise_id, first, last)
    return first, last


# The rollups counted from the records in Python.


def _hour(moment):
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def hours_from_records(records):
    """The UsageHour totals of a queryset of calls, grouped as the rollup groups them:
    {(enterprise, hour, package, trunk, direction, destination class, country): {total:
    value}}."""
    zero = Value(0)
    rows = (
        records.annotate(
            hour=TruncHour("started_at", tzinfo=UTC),
            country=Case(
                When(destination_class=DestinationClass.INTERNATIONAL, then="destination_country"),
                default=Value(""),
            ),
        )
        .values(*GROUPS[:-1], "country")
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
            total_rated=Coalesce(Sum("rated_seconds"), zero),
            total_charge=Coalesce(Sum("charge"), Value(Decimal(0))),
            unrated=Count(
                "call_id", filter=Q(disposition=Disposition.ANSWERED, rate_id__isnull=True)
            ),
        )
        .order_by()
    )
    hours = {}
    for row in rows:
        row["billable_seconds"] = row.pop("total_billable")
        row["post_dial_delay_ms"] = row.pop("total_delay")
        row["rated_seconds"] = row.pop("total_rated")
        row["charge"] = row.pop("total_charge")
        row["destination_country"] = row.pop("country")
        hours[tuple(row[name] for name in GROUPS)] = {name: row[name] for name in TOTALS}
    return hours


def failures_from_records(records):
    """The UsageFailureHour counts of a queryset of calls: {(enterprise, hour, package, trunk,
    direction, destination class, SIP code, Q.850 cause): calls}."""
    rows = (
        records.exclude(disposition=Disposition.ANSWERED)
        .annotate(hour=TruncHour("started_at", tzinfo=UTC))
        .values(*FAILURE_GROUPS)
        .annotate(calls=Count("call_id"))
        .order_by()
    )
    return {tuple(row[name] for name in FAILURE_GROUPS): row["calls"] for row in rows}


def number_days_from_records(records, groups=NUMBER_DAY_GROUPS):
    """The UsageNumberDay totals of a queryset of calls, or the UsageNumberGroupDay ones with
    their groups (NUMBER_GROUP_DAY_GROUPS): {(enterprise, day of its zone, number, *the other
    groups): {total: value}}."""
    zones = {
        pk: ZoneInfo(name)
        for pk, name in Enterprise.objects.filter(
            pk__in=records.values("enterprise_id")
        ).values_list("pk", "time_zone")
    }
    other_groups = groups[3:]
    days = {}
    rows = records.values_list(
        "enterprise_id",
        "started_at",
        "number",
        "disposition",
        "duration",
        "billable_seconds",
        *other_groups,
    ).order_by()
    for (
        enterprise_id,
        started_at,
        number,
        disposition,
        duration,
        billable,
        *others,
    ) in rows.iterator(chunk_size=5000):
        day = started_at.astimezone(zones[enterprise_id]).date()
        key = (enterprise_id, day, number, *others)
        totals = days.setdefault(key, dict.fromkeys(NUMBER_DAY_TOTALS, 0))
        totals["calls"] += 1
        totals["billable_seconds"] += billable
        if disposition == Disposition.ANSWERED:
            totals["answered"] += 1
            totals["seconds"] += duration
    return days


def _minute(moment):
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def minutes_of_call(started_at, ended_at):
    """The minutes (UTC) a call counts in: those it touches, up to MAX_CALL_MINUTES after its
    start (as add_calls counts them)."""
    minute = _minute(started_at)
    last = _minute(min(ended_at, started_at + LONGEST_CALL))
    while minute <= last:
        yield minute
        minute += MINUTE


def minutes_from_records(records, first=None, last=None):
    """The calls in progress of a queryset of calls, of the minutes from first to last
    (excluded) if given, by the groups the minute rollups sum them over: {(enterprise, minute,
    package, trunk, direction): calls}."""
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


def minute_groups(minutes):
    """The UsageMinute counts of the calls in progress (minutes_from_records): {(enterprise,
    minute, package, trunk): {"inbound": calls, "outbound": calls}}."""
    groups = {}
    for (enterprise_id, minute, package_id, trunk_id, direction), calls in minutes.items():
        key = (enterprise_id, minute, package_id, trunk_id)
        counts = groups.setdefault(key, dict.fromkeys(BY_DIRECTION, 0))
        counts[direction] += calls
    return groups


def minute_packages(minutes):
    """The UsageMinutePackage counts of the calls in progress: {(enterprise, package, minute):
    {"inbound": calls, "outbound": calls}}, the calls without a package left out."""
    packages = {}
    for (enterprise_id, minute, package_id, _trunk_id, direction), calls in minutes.items():
        if package_id is not None:
            key = (enterprise_id, package_id, minute)
            counts = packages.setdefault(key, dict.fromkeys(BY_DIRECTION, 0))
            counts[direction] += calls
    return packages


def minute_totals(minutes):
    """The UsageMinuteTotal counts of the calls in progress: {(enterprise, minute): {"calls":
    calls, "inbound": calls, "outbound": calls}}."""
    totals = {}
    for (enterprise_id, minute, _package_id, _trunk_id, direction), calls in minutes.items():
        counts = totals.setdefault(
            (enterprise_id, minute), dict.fromkeys(("calls", *BY_DIRECTION), 0)
        )
        counts["calls"] += calls
        counts[direction] += calls
    return totals
