"""Rating: the charge of each call, by the rate plan in force on its day (docs/rating.md).

- The plan: of the call's package's type, the enterprise's own plan effective on the call's
  day, else the standard plan effective that day. Days are the enterprise's (its time zone),
  as its invoices' months are.
- The rate: the plan's UsageRate of the call's direction and destination class; for an
  international call, the one whose prefix is the longest the far end's number starts with
  (digits after the +; the far end is the called number outbound, the caller inbound), an
  empty prefix matching every number; for the other classes, the rate with an empty prefix.
- Billed seconds of a call with billable seconds s > 0: the first increment when s is no more
  than it, else the first increment and each started next increment after it; the charge is
  the connect fee plus the per-minute rate times the billed seconds / 60, kept to six places
  (ROUND_HALF_UP). A call of no billable second: its rate, 0 seconds, 0 charge.
- A call no rate covers (no package, no plan, no rate for its class or number) keeps no rate,
  seconds or charge, and the answered ones count as `unrated` in UsageHour for staff: never
  charged zero quietly.

On PostgreSQL the rules are one piece of SQL (RATING over the joins `rate_tables` returns)
over two small temporary tables made from the plans in force: which plan each package is under
when, and the plans' rates. The loader joins them in the INSERT ... SELECT that stores each
chunk of calls, and `rate_again` in the UPDATE of stored calls. Each international prefix known
to any plan is expanded to every plan (the rate of the plan's longest prefix it starts with),
so a call needs only the longest known prefix its number starts with (a hashed IN list per
prefix length) and equality joins.

On SQLite (`make run` without a database) the same rules are applied in Python (`python_rater`):
SQLite has no exact decimal arithmetic, and its loads already rebuild their rollups in Python.
"""

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django_scopes import scopes_disabled

from accounts.models import Enterprise
from core.jobs import retry_policy, start_job
from trunks.models import Package

from . import rollups
from .models import (
    CallRecord,
    DestinationClass,
    Direction,
    Invoice,
    RatePlan,
    UsageHour,
    UsageRate,
)

DAY = timedelta(days=1)
SIX_PLACES = Decimal("0.000001")
SECONDS_PER_MINUTE = Decimal(60)
INTERNATIONAL = DestinationClass.INTERNATIONAL.value
# Calls updated per statement by a re-rate on SQLite.
PYTHON_BATCH = 2_000


# Which plan, which rate


def covering(day):
    """The plans effective on day."""
    return Q(effective_from__lte=day) & (Q(effective_to__isnull=True) | Q(effective_to__gte=day))


def plan_for(enterprise_id, package_type, day):
    """The plan of the package type in force for the enterprise on day (of its zone): its own,
    else the standard one; None when neither is."""
    plans = RatePlan.objects.filter(covering(day), package_type=package_type)
    return (
        plans.filter(enterprise_id=enterprise_id).first()
        or plans.filter(enterprise__isnull=True).first()
    )


def far_end(direction, from_number, to_number):
    """The number an international call is rated by: the one called, or inbound the caller."""
    return to_number if direction == Direction.OUTBOUND else from_number


def day_start(day, zone):
    return datetime.combine(day, time.min, zone)


@dataclass(frozen=True)
class Period:
    """A plan in force for an enterprise's packages of its type, from one moment to another."""

    enterprise_id: int
    package_type: str
    plan: RatePlan
    valid_from: datetime
    valid_until: datetime  # excluded


def _periods(enterprise_types, since, until):
    """The plans in force from since to until for each (enterprise, package type): the
    enterprise's own on the days it has one, the standard plan on the others, each day from
    midnight to midnight in the enterprise's zone."""
    zones = {
        pk: ZoneInfo(name)
        for pk, name in Enterprise.objects.filter(
            pk__in={enterprise for enterprise, _type in enterprise_types}
        ).values_list("pk", "time_zone")
    }
    if not zones:
        return []
    days = {
        pk: (since.astimezone(zone).date(), until.astimezone(zone).date())
        for pk, zone in zones.items()
    }
    first = min(first for first, _last in days.values())
    last = max(last for _first, last in days.values())
    plans = list(
        RatePlan.objects.filter(
            Q(enterprise__isnull=True) | Q(enterprise_id__in=zones),
            Q(effective_to__isnull=True) | Q(effective_to__gte=first),
            package_type__in={package_type for _enterprise, package_type in enterprise_types},
            effective_from__lte=last,
        )
    )
    periods = []
    for enterprise_id, package_type in enterprise_types:
        if enterprise_id not in zones:
            continue
        own = [
            p for p in plans if p.package_type == package_type and p.enterprise_id == enterprise_id
        ]
        standard = [p for p in plans if p.package_type == package_type and p.enterprise_id is None]
        first_day, last_day = days[enterprise_id]
        # The days a plan starts or stops cut the span into pieces, each under one plan.
        cuts = {first_day, last_day + DAY}
        for plan in own + standard:
            cuts.add(plan.effective_from)
            if plan.effective_to is not None:
                cuts.add(plan.effective_to + DAY)
        cuts = sorted(day for day in cuts if first_day <= day <= last_day + DAY)
        zone = zones[enterprise_id]
        for start, end in zip(cuts, cuts[1:], strict=False):
            plan = _in_force(own, start) or _in_force(standard, start)
            if plan is not None:
                periods.append(
                    Period(
                        enterprise_id,
                        package_type,
                        plan,
                        day_start(start, zone),
                        day_start(end, zone),
                    )
                )
    return periods


def _in_force(plans, day):
    return next(
        (
            plan
            for plan in plans
            if plan.effective_from <= day
            and (plan.effective_to is None or day <= plan.effective_to)
        ),
        None,
    )


@dataclass(frozen=True)
class PlanRate:
    """What rates a plan's calls of a direction, class and known prefix."""

    plan_id: int
    direction: str
    destination_class: str
    prefix: str
    rate_id: int
    first_increment: int
    next_increment: int
    connect_fee: Decimal
    per_minute: Decimal


@dataclass(frozen=True)
class Rates:
    """The rates of some packages over a span: which plan each package is under when
    (periods: (package_id, valid_from, valid_until, plan_id)), the plans' rates, and the
    international prefixes known."""

    periods: list
    plan_rates: list
    prefixes: set


def rates_of(package_ids, since, until):
    """The Rates of the packages from since to until (excluded).

    Each international rate is given for every known prefix (any plan's) that it is its plan's
    longest match of, so that a call is rated by the longest known prefix its number starts
    with."""
    with scopes_disabled():
        packages = list(
            Package.objects.filter(pk__in=package_ids).values_list("pk", "enterprise_id", "type")
        )
        periods = _periods({(enterprise, kind) for _pk, enterprise, kind in packages}, since, until)
        plans = {period.plan.pk: period.plan for period in periods}
        # As tuples: a chunk of the loader may read thousands of rates.
        usage_rates = defaultdict(list)
        for rate in UsageRate.objects.filter(plan__in=plans).values_list(
            "plan_id", "pk", "direction", "destination_class", "prefix", "per_minute", named=True
        ):
            usage_rates[rate.plan_id].append(rate)
    prefixes = {
        rate.prefix
        for rates in usage_rates.values()
        for rate in rates
        if rate.destination_class == INTERNATIONAL and rate.prefix
    }
    by_owner = defaultdict(list)
    for period in periods:
        by_owner[period.enterprise_id, period.package_type].append(period)
    return Rates(
        periods=[
            (package_id, period.valid_from, period.valid_until, period.plan.pk)
            for package_id, enterprise_id, package_type in packages
            for period in by_owner[enterprise_id, package_type]
        ],
        plan_rates=[
            PlanRate(
                plan.pk,
                rate.direction,
                rate.destination_class,
                prefix,
                rate.pk,
                plan.first_increment,
                plan.next_increment,
                plan.connect_fee,
                rate.per_minute,
            )
            for plan in plans.values()
            for rate, prefix in _expanded(usage_rates[plan.pk], prefixes)
        ],
        prefixes=prefixes,
    )


def _expanded(usage_rates, known):
    """(rate, prefix) for each prefix the plan's rates cover: each known prefix (and the empty
    one) by the plan's international rate of the longest prefix it starts with; the other
    classes' rates as they are."""
    international = defaultdict(dict)
    for rate in usage_rates:
        if rate.destination_class == INTERNATIONAL:
            international[rate.direction][rate.prefix] = rate
        elif not rate.prefix:
            yield rate, ""
    for by_prefix in international.values():
        for prefix in {"", *known}:
            longest = next(
                (prefix[:n] for n in range(len(prefix), -1, -1) if prefix[:n] in by_prefix), None
            )
            if longest is not None:
                yield by_prefix[longest], prefix


def rated_seconds(billable_seconds, first_increment, next_increment):
    if billable_seconds == 0:
        return 0
    after_first = max(0, -(-(billable_seconds - first_increment) // next_increment))
    return first_increment + after_first * next_increment


def charge_of(seconds, connect_fee, per_minute):
    if seconds == 0:
        return Decimal(0)
    return (connect_fee + per_minute * seconds / SECONDS_PER_MINUTE).quantize(
        SIX_PLACES, ROUND_HALF_UP
    )


# The rules in SQL: the call `c` joined to its plan's period `period` and its rate `rate`.

PERIOD_COLUMNS = (
    "rate_package bigint, valid_from timestamptz, valid_until timestamptz, rate_plan bigint"
)
RATE_COLUMNS = (
    "rate_plan bigint, rate_direction text, rate_class text, rate_prefix text,"
    " usage_rate_id bigint, first_increment integer, next_increment integer,"
    " connect_fee numeric, per_minute numeric"
)
FAR_END = (
    f"CASE WHEN c.direction = '{Direction.OUTBOUND.value}' THEN c.to_number ELSE c.from_number END"
)
# Whole seconds in integer arithmetic (division truncates toward zero, as it does in SQLite).
RATED_SECONDS = (
    "CASE WHEN rate.usage_rate_id IS NULL THEN NULL WHEN c.billable_seconds = 0 THEN 0"
    " ELSE rate.first_increment + greatest(0, (c.billable_seconds::bigint"
    " - rate.first_increment + rate.next_increment - 1) / rate.next_increment)"
    " * rate.next_increment END"
)
# round() of numeric rounds half away from zero: ROUND_HALF_UP of the positive charges.
CHARGE = (
    "CASE WHEN rate.usage_rate_id IS NULL THEN NULL WHEN c.billable_seconds = 0 THEN 0"
    f" ELSE round(rate.connect_fee + rate.per_minute * ({RATED_SECONDS}) / 60, 6) END"
)
RATING = f"rate.usage_rate_id AS rate_id, {RATED_SECONDS} AS rated_seconds, {CHARGE} AS charge"


def _known_prefix(prefixes):
    """SQL: the longest known prefix the call's far end starts with ('' for none, and for
    every class but international); each length's prefixes a hashed IN list."""
    by_length = defaultdict(list)
    for prefix in prefixes:
        assert prefix.isdigit(), prefix  # the model's check constraint holds it
        by_length[len(prefix)].append(f"'{prefix}'")
    tests = [
        f"CASE WHEN substr({FAR_END}, 2, {length}) IN ({', '.join(sorted(by_length[length]))})"
        f" THEN substr({FAR_END}, 2, {length}) END"
        for length in sorted(by_length, reverse=True)
    ]
    longest = f"COALESCE({', '.join([*tests, "''"])})" if tests else "''"
    return f"CASE WHEN c.destination_class = '{INTERNATIONAL}' THEN {longest} ELSE '' END"


def rate_tables(cursor, package_ids, since, until):
    """Make the temporary tables of the rates of the packages from since to until (excluded),
    dropped at the commit (or by drop_rate_tables); return the SQL joining a call `c` to
    them (LEFT JOINs: a call no rate covers gets NULLs, as RATING says). Call it inside the
    transaction that rates: its planner setting holds until that ends."""
    rates = rates_of(package_ids, since, until)
    cursor.execute(f"CREATE TEMPORARY TABLE billing_rate_periods ({PERIOD_COLUMNS}) ON COMMIT DROP")
    cursor.execute(f"CREATE TEMPORARY TABLE billing_rates ({RATE_COLUMNS}) ON COMMIT DROP")
    with cursor.copy("COPY billing_rate_periods FROM STDIN") as copy:
        for period in rates.periods:
            copy.write_row(period)
    with cursor.copy("COPY billing_rates FROM STDIN") as copy:
        for rate in rates.plan_rates:
            copy.write_row(
                (
                    rate.plan_id,
                    rate.direction,
                    rate.destination_class,
                    rate.prefix,
                    rate.rate_id,
                    rate.first_increment,
                    rate.next_increment,
                    rate.connect_fee,
                    rate.per_minute,
                )
            )
    cursor.execute("ANALYZE billing_rate_periods, billing_rates")
    # The planner would sort the calls to merge them with the rates (its estimate of a hash
    # join on four keys is far off): hashing the small rate tables takes half the time.
    cursor.execute("SET LOCAL enable_mergejoin = off")
    return (
        "LEFT JOIN billing_rate_periods AS period ON period.rate_package = c.package_id"
        " AND c.started_at >= period.valid_from AND c.started_at < period.valid_until"
        " LEFT JOIN billing_rates AS rate ON rate.rate_plan = period.rate_plan"
        " AND rate.rate_direction = c.direction AND rate.rate_class = c.destination_class"
        f" AND rate.rate_prefix = {_known_prefix(rates.prefixes)}"
    )


def drop_rate_tables(cursor):
    cursor.execute("DROP TABLE billing_rate_periods, billing_rates")


# Rating stored calls again


class ClosedMonth(ValidationError):
    """A month whose invoice is made: its calls are never rated again."""


def closed_months(enterprise_id, since, until):
    """The first days of the enterprise's invoiced months from since to until (excluded)."""
    zone = ZoneInfo(Enterprise.objects.values_list("time_zone", flat=True).get(pk=enterprise_id))
    first = since.astimezone(zone).date().replace(day=1)
    last = (until - timedelta(microseconds=1)).astimezone(zone).date()
    return list(
        Invoice.objects.filter(
            enterprise_id=enterprise_id, period_start__gte=first, period_start__lte=last
        )
        .order_by("period_start")
        .values_list("period_start", flat=True)
    )


def rate_again(enterprise_id, since, until):
    """Rate the enterprise's calls started from since to until (excluded) again by the plans
    in force, and move the hourly totals the changed calls are in. Refuses (ClosedMonth) a
    span that holds an invoiced month. Running it twice changes nothing the second time.
    Returns the calls whose rating changed."""
    with scopes_disabled(), transaction.atomic():
        # One at a time with the close of the enterprise's month (billing.invoicing locks the
        # same row): a month is not invoiced while its calls are rated.
        Enterprise.objects.select_for_update().get(pk=enterprise_id)
        if closed := closed_months(enterprise_id, since, until):
            raise ClosedMonth(
                f"{closed[0]:%B %Y} is closed (invoiced): its calls are not rated again."
            )
        changed, first, last, totals_moved = rate_stored(enterprise_id, since, until)
        # Otherwise the totals are the calls' sums counted again: only the hours from the first
        # changed call to the last (a month of a busy enterprise's calls is read otherwise).
        if changed and not totals_moved:
            rollups.rebuild_hours(enterprise_id, first, last)
    return changed


def rate_stored(enterprise_id, since, until):
    """Rate the enterprise's stored calls from since to until (excluded) again; return how
    many changed, the first and last start of those (None when none did), and whether the
    hourly totals were moved by the changes (on PostgreSQL, unless an hour's row is missing):
    if not, the caller rebuilds them."""
    packages = Package.objects.filter(enterprise_id=enterprise_id).values("pk")
    if connection.vendor != "postgresql":
        return (*_rate_python(enterprise_id, packages, since, until), False)
    with transaction.atomic(), connection.cursor() as cursor:
        # The month's calls joined to their rates, and the changes grouped by hour, are hash
        # tables of a month's calls: in memory.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        joins = rate_tables(cursor, packages, since, until)
        # Only the calls whose rating changes are written: a second run writes nothing. Their
        # rating before and after moves the hourly totals, in the same statement.
        before = ", ".join(f"c.{name} AS old_{name}" for name in rollups.RATING_COLUMNS)
        returned = [f"stored.{name}" for name in rollups.CALL_COLUMNS] + [
            f"new.old_{name}" for name in rollups.RATING_COLUMNS
        ]
        statement = (
            "WITH changed AS (UPDATE billing_callrecord AS stored"  # noqa: S608 - our own SQL
            " SET rate_id = new.rate_id, rated_seconds = new.rated_seconds, charge = new.charge"
            f" FROM (SELECT c.started_at, c.call_id, {before}, {RATING}"
            f" FROM billing_callrecord AS c {joins} WHERE {_span('c')}) AS new"
            f" WHERE {_span('stored')}"
            " AND stored.started_at = new.started_at AND stored.call_id = new.call_id"
            " AND (stored.rate_id, stored.rated_seconds, stored.charge)"
            " IS DISTINCT FROM (new.rate_id, new.rated_seconds, new.charge)"
            f" RETURNING {', '.join(returned)}), {rollups.rating_changes('changed')}"
            " SELECT count(*), min(started_at), max(started_at),"
            " (SELECT count(*) FROM rating_deltas) = (SELECT count(*) FROM rated_hours)"
            " FROM changed"
        )
        cursor.execute(statement, {"enterprise": enterprise_id, "since": since, "until": until})
        changed = cursor.fetchone()
        drop_rate_tables(cursor)
    return changed


def _span(calls):
    return (
        f"{calls}.enterprise_id = %(enterprise)s"
        f" AND {calls}.started_at >= %(since)s AND {calls}.started_at < %(until)s"
    )


def python_rater(package_ids, since, until):
    """rate(call) -> (rate id, billed seconds, charge), or three Nones, for calls (objects or
    dicts of their fields) of the packages from since to until: the rules in Python, for
    SQLite."""
    rates = rates_of(package_ids, since, until)
    periods = defaultdict(list)
    for package_id, valid_from, valid_until, plan_id in rates.periods:
        periods[package_id].append((valid_from, valid_until, plan_id))
    by_key = {
        (rate.plan_id, rate.direction, rate.destination_class, rate.prefix): rate
        for rate in rates.plan_rates
    }
    lengths = sorted({len(prefix) for prefix in rates.prefixes}, reverse=True)

    def rate(call):
        prefix = ""
        if call["destination_class"] == INTERNATIONAL:
            digits = far_end(call["direction"], call["from_number"], call["to_number"])[1:]
            prefix = next((digits[:n] for n in lengths if digits[:n] in rates.prefixes), "")
        plan_id = next(
            (
                plan
                for start, end, plan in periods[call["package_id"]]
                if start <= call["started_at"] < end
            ),
            None,
        )
        rate = by_key.get((plan_id, call["direction"], call["destination_class"], prefix))
        if rate is None:
            return (None, None, None)
        seconds = rated_seconds(call["billable_seconds"], rate.first_increment, rate.next_increment)
        return (rate.rate_id, seconds, charge_of(seconds, rate.connect_fee, rate.per_minute))

    return rate


def _rate_python(enterprise_id, packages, since, until):
    rate = python_rater(packages, since, until)
    calls = CallRecord.objects.filter(
        enterprise_id=enterprise_id, started_at__gte=since, started_at__lt=until
    )
    changed = []
    for call in calls.iterator(chunk_size=PYTHON_BATCH):
        rating = rate(vars(call))
        if rating != (call.rate_id, call.rated_seconds, call.charge):
            call.rate_id, call.rated_seconds, call.charge = rating
            changed.append(call)
    CallRecord.objects.bulk_update(
        changed, ["rate_id", "rated_seconds", "charge"], batch_size=PYTHON_BATCH
    )
    starts = [call.started_at for call in changed]
    return len(changed), min(starts, default=None), max(starts, default=None)


# Unrated calls, and the staff's re-rate job


def unrated_calls(enterprise_id, since, until):
    """The answered calls of the enterprise no rate covered, started from since to until
    (excluded), counted by the hourly totals: those of the hours that start in the span (exact
    for bounds on the hour, as a month's are)."""
    with scopes_disabled():
        return (
            UsageHour.objects.filter(
                enterprise_id=enterprise_id, hour__gte=since, hour__lt=until
            ).aggregate(unrated=Sum("unrated"))["unrated"]
            or 0
        )


def start_rerate(month_start, enterprise=None, *, by):
    """Start the job rating the month again (month_start: its first day) for an enterprise, or
    for every enterprise whose month is still open. Refuses (ClosedMonth) a month closed for
    the enterprise given, or for all of them."""
    month_start = date(month_start.year, month_start.month, 1)
    with scopes_disabled():
        if enterprise is not None:
            if Invoice.objects.filter(enterprise=enterprise, period_start=month_start).exists():
                raise ClosedMonth(
                    f"{month_start:%B %Y} is closed for {enterprise}: its invoice is made, and "
                    "its calls are not rated again. A change of rates applies from a later day."
                )
        elif not _open_enterprises(month_start):
            raise ClosedMonth(f"{month_start:%B %Y} is closed for every enterprise.")
    what = str(enterprise) if enterprise is not None else "every enterprise"
    return start_job(
        rerate_month,
        month_start.isoformat(),
        enterprise.pk if enterprise is not None else None,
        title=f"Rate {month_start:%B %Y} again: {what}",
        permission="billing.change_rateplan",
        created_by=by,
    )


def _open_enterprises(month_start):
    return Enterprise.objects.exclude(invoices__period_start=month_start).order_by("pk")


@retry_policy(waits=(60, 600), timeout=3600)
def rerate_month(job, month_start, enterprise_id):
    """The re-rate job: each enterprise's month rated again, unless closed meanwhile."""
    from .invoicing import month_bounds  # which rates this module's unrated calls

    month_start = date.fromisoformat(month_start)
    with scopes_disabled():
        enterprises = _open_enterprises(month_start)
        if enterprise_id is not None:
            enterprises = enterprises.filter(pk=enterprise_id)
        enterprises = list(enterprises)
    job.report_progress(0, len(enterprises))
    for done, enterprise in enumerate(enterprises, 1):
        since, until = month_bounds(enterprise, month_start)
        # A month invoiced since the job started is left as it was.
        with suppress(ClosedMonth):
            rate_again(enterprise.pk, since, until)
        job.report_progress(done, len(enterprises))
