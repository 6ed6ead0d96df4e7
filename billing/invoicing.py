"""Monthly invoices: closing an enterprise's month, and what lowers an invoice's balance.

A month is the enterprise's calendar month in its own time zone (month_bounds). It is closed
once: one Invoice per enterprise and month (the unique key one_invoice_a_month), made under a
lock of the enterprise's row, so that a close run twice, or by two workers at once, makes one.
A close is held, with no invoice and staff told why, while anything of the month has no rate
(calls no rate covered, a package without a plan, numbers of a kind the plan does not price):
nothing is ever charged at zero quietly. The daily sweep tries a held month again.

Calls of an earlier invoiced month loaded after its close are billed on the next invoice, as
late usage lines: what the month's calls (of the hours its invoice read) come to now, less what
its lines have billed so far.

Each line's amount is rounded once, to the cent, half up; the invoice's totals are the sums
of its lines. Every figure comes from SQL aggregates: a million numbers are never loaded (on
SQLite, `make run` without a database, the same rules run in Python over the demo's rows).
docs/invoices.md says how each line is computed. The PDF and the e-mail that says it is ready
are the worker's (billing.invoice_pdf).
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mail_admins
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Enterprise
from core.actors import as_actor
from core.jobs import enqueue, retry_policy
from core.tenancy import enterprise_scope
from phone_numbers.models import Kind as NumberKind
from phone_numbers.models import NumberOrder, PhoneNumber
from porting.models import PortNumber
from trunks.models import Package, Trunk

from . import rating
from .models import (
    BillingProfile,
    CreditNote,
    DestinationClass,
    Invoice,
    InvoiceLine,
    NumberRate,
    TaxRate,
    UsageHour,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
ZERO = Decimal(0)
NET_DAYS = 30
# Months the sweep looks back for one not closed (a held close waits at most this long), and
# a close for calls of invoiced months loaded after their close (late usage).
MONTHS_LOOKED_BACK = 12
Section = InvoiceLine.Section
REASON_LENGTH = CreditNote._meta.get_field("reason").max_length
# Usage lines' order; toll-free calls are split by direction (inbound: the customer's own
# toll-free numbers, which it pays for), the other classes are not.
USAGE_ORDER = [
    (DestinationClass.LOCAL, ""),
    (DestinationClass.LONG_DISTANCE, ""),
    (DestinationClass.TOLL_FREE, "inbound"),
    (DestinationClass.TOLL_FREE, "outbound"),
    (DestinationClass.INTERNATIONAL, ""),
]
USAGE_POSITION = {key: position for position, key in enumerate(USAGE_ORDER)}
INTERSTATE = {
    DestinationClass.LONG_DISTANCE,
    DestinationClass.TOLL_FREE,
    DestinationClass.INTERNATIONAL,
}


def cents(value):
    """value rounded to the cent, half up: the one rounding of an invoice amount."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def first_of_next(first):
    """The first day of the month after the one that starts on first."""
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def month_bounds(enterprise, period_start):
    """The month of period_start in the enterprise's time zone: (since, until), aware and
    half-open, from its first midnight to the next month's. When the month before is invoiced,
    from where that invoice's hours ended: a zone changed since then leaves no hour between the
    two months, and bills none in both."""
    zone = ZoneInfo(enterprise.time_zone)
    first = period_start.replace(day=1)
    since = datetime.combine(first, time(), tzinfo=zone)
    with scopes_disabled():  # the enterprise is named
        previous_until = (
            Invoice.objects.filter(
                enterprise=enterprise, period_start=(first - timedelta(days=1)).replace(day=1)
            )
            .values_list("usage_until", flat=True)
            .first()
        )
    return (
        previous_until or since,
        datetime.combine(first_of_next(first), time(), tzinfo=zone),
    )


def _positive_cents(amount):
    try:
        amount = Decimal(amount)
    except (ArithmeticError, TypeError, ValueError):
        raise ValidationError({"amount": "Enter an amount in dollars and cents."}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "Enter an amount greater than zero."})
    if amount != cents(amount):
        raise ValidationError({"amount": "Enter the amount in dollars and cents."})
    return amount


@transaction.atomic
def credit(invoice, amount, reason, *, by, line=None):
    """Take amount off the invoice with a credit note (a dispute upheld, a goodwill credit).

    Refused (ValidationError at the field) for an amount not over zero or over the invoice's
    balance, a reason left out, or a line of another invoice. The invoice is locked while its
    balance is checked and lowered, so two credits at once cannot take off more than it owes.
    """
    amount = _positive_cents(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the credit is given: the customer reads it."})
    if len(reason) > REASON_LENGTH:
        raise ValidationError({"reason": f"Say it in {REASON_LENGTH} characters or fewer."})
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if line is not None and line.invoice_id != locked.pk:
        raise ValidationError({"line": f"This line is not one of invoice {locked.number}."})
    if amount > locked.balance:
        raise ValidationError(
            {
                "amount": f"Invoice {locked.number} has ${locked.balance:,} left to pay: "
                "a credit cannot be larger."
            }
        )
    note = CreditNote.objects.create(
        enterprise_id=locked.enterprise_id,
        invoice=locked,
        line=line,
        amount=amount,
        reason=reason,
        created_by=as_actor(by).user,
    )
    locked.credited += amount
    locked.settle()
    locked.save(update_fields=["credited", "status"])
    invoice.credited, invoice.status = locked.credited, locked.status
    return note


@transaction.atomic
def apply_payment(invoice_id, amount):
    """Add a settled payment to the invoice: locked, refused over its balance, PAID at zero."""
    amount = _positive_cents(amount)
    locked = Invoice.objects.select_for_update().get(pk=invoice_id)
    if amount > locked.balance:
        raise ValidationError(
            {
                "amount": f"Invoice {locked.number} has ${locked.balance:,} left to pay: "
                "a payment cannot be larger."
            }
        )
    locked.paid += amount
    locked.settle()
    locked.save(update_fields=["paid", "status"])
    return locked


# Closing a month.


@dataclass
class Month:
    """The month being closed and what its figures are computed over."""

    enterprise: Enterprise
    first: date
    since: datetime
    until: datetime

    @property
    def last(self):
        return first_of_next(self.first) - timedelta(days=1)

    @property
    def days(self):
        return (first_of_next(self.first) - self.first).days

    @property
    def label(self):
        return f"{self.first:%B %Y}"

    def sql(self, query, **params):
        """The rows of one of the queries below, over this month of this enterprise."""
        with connection.cursor() as cursor:
            cursor.execute(
                query,
                {
                    "enterprise": self.enterprise.pk,
                    "since": self.since,
                    "until": self.until,
                    "zone": self.enterprise.time_zone,
                    "first": self.first,
                    "last": self.last,
                    **params,
                },
            )
            return cursor.fetchall()


def month_of(enterprise, period_start):
    first = period_start.replace(day=1)
    return Month(enterprise, first, *month_bounds(enterprise, first))


# Each number's days in service in the month, in the enterprise's zone: from the day it was
# activated (counted) to the day it was disconnected (not counted). Summed by package and kind,
# with the days it had a CNAM listing and an E911 address, the numbers ordered (activated by a
# number order) in the month, and those in service at its end.
NUMBERS = """
SELECT package_id, kind,
    SUM(days), SUM(days) FILTER (WHERE cnam <> ''),
    SUM(days) FILTER (WHERE e911_address_id IS NOT NULL),
    COUNT(*) FILTER (WHERE activated_at >= %(since)s AND ordered),
    COUNT(*) FILTER (WHERE disconnected_at IS NULL OR disconnected_at >= %(until)s)
FROM (
    SELECT n.package_id, n.kind, n.cnam, n.e911_address_id, n.activated_at, n.disconnected_at,
        o.id IS NOT NULL AS ordered,
        GREATEST(0,
            (LEAST(COALESCE(n.disconnected_at, %(until)s), %(until)s) AT TIME ZONE %(zone)s)::date
            - (GREATEST(n.activated_at, %(since)s) AT TIME ZONE %(zone)s)::date) AS days
    FROM phone_numbers_phonenumber n
    LEFT JOIN phone_numbers_numberorder o ON o.order_id = n.order_id
    WHERE n.enterprise_id = %(enterprise)s AND n.activated_at < %(until)s
        AND (n.disconnected_at IS NULL OR n.disconnected_at > %(since)s)
) AS numbers
GROUP BY package_id, kind
"""
# The channels of each package's trunks active on each day of the month (same day rule).
CHANNELS = """
SELECT t.package_id, SUM(t.max_channels)
FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS d(day)
JOIN trunks_trunk t ON t.enterprise_id = %(enterprise)s AND t.activated_at IS NOT NULL
    AND (t.activated_at AT TIME ZONE %(zone)s)::date <= d.day
    AND (t.disconnected_at IS NULL OR (t.disconnected_at AT TIME ZONE %(zone)s)::date > d.day)
GROUP BY t.package_id, d.day
"""
PORTED = """
SELECT po.package_id, COUNT(*)
FROM porting_portbatch b
JOIN porting_portorder po ON po.id = b.port_order_id
JOIN porting_portnumber pn ON pn.batch_id = b.id
WHERE b.enterprise_id = %(enterprise)s AND b.status = 'completed'
    AND b.completed_at >= %(since)s AND b.completed_at < %(until)s
GROUP BY po.package_id
"""
# UsageHour is by UTC hour: the hours that start within the month are the month's.
USAGE = """
SELECT package_id, destination_class,
    CASE WHEN destination_class = 'toll_free' THEN direction ELSE '' END,
    SUM(answered), SUM(rated_seconds), SUM(charge)
FROM billing_usagehour
WHERE enterprise_id = %(enterprise)s AND hour >= %(since)s AND hour < %(until)s
GROUP BY 1, 2, 3
"""
# The same totals for the earlier months invoiced from %(looked_back)s on, each over the hours
# its invoice read (its bounds at its close): what their calls come to now, with those loaded
# after the close. Calls no rate covered are counted apart, never billed (see _late_usage).
LATE_USAGE = """
SELECT i.period_start, h.package_id, h.destination_class,
    CASE WHEN h.destination_class = 'toll_free' THEN h.direction ELSE '' END,
    SUM(h.answered - h.unrated), SUM(h.rated_seconds), SUM(h.charge), SUM(h.unrated)
FROM billing_invoice i
JOIN billing_usagehour h ON h.enterprise_id = i.enterprise_id
    AND h.hour >= i.usage_since AND h.hour < i.usage_until
WHERE i.enterprise_id = %(enterprise)s
    AND i.period_start >= %(looked_back)s AND i.period_start < %(first)s
GROUP BY 1, 2, 3, 4
"""


@dataclass
class Figures:
    """The month's aggregates, read once: what the hold check and the lines are made from."""

    numbers: dict  # (package_id, kind) -> (days, cnam days, e911 days, ordered, at the end)
    channel_days: dict  # package_id -> [channels on each day a trunk was active]
    ported: dict  # package_id -> numbers
    usage: list
    late_usage: list  # the earlier invoiced months' usage now (LATE_USAGE's rows)
    billed: dict  # (first day, package_id, class, direction) -> (calls, minutes, amount)
    packages: dict  # package_id -> Package, of every line
    plans: dict  # package_id -> RatePlan or None, of the packages in service
    number_rates: dict  # (plan_id, kind) -> NumberRate

    @classmethod
    def of(cls, month):
        if connection.vendor == "postgresql":
            rows = month.sql(NUMBERS), month.sql(CHANNELS), month.sql(PORTED), month.sql(USAGE)
        else:
            rows = _figures_in_python(month)
        numbers = {(p, k): rest for p, k, *rest in rows[0]}
        channel_days = {}
        for package_id, channels in rows[1]:
            channel_days.setdefault(package_id, []).append(channels)
        ported = dict(rows[2])
        usage = rows[3]
        late_usage, billed = _late_figures(month)
        in_service = {p for p, _ in numbers} | set(channel_days) | set(ported)
        used = {row[0] for row in usage} | {row[1] for row in late_usage}
        with scopes_disabled():  # the packages of the enterprise the month is of
            packages = Package.objects.filter(enterprise=month.enterprise, pk__in=in_service | used)
            packages = {package.pk: package for package in packages}
        # Monthly charges follow the plan in effect on the month's last day; calls were
        # rated by the plan of their own day.
        plans = {
            pk: rating.plan_for(month.enterprise.pk, packages[pk].type, month.last)
            for pk in in_service
        }
        plan_ids = {plan.pk for plan in plans.values() if plan is not None}
        number_rates = {
            (rate.plan_id, rate.kind): rate
            for rate in NumberRate.objects.filter(plan_id__in=plan_ids)
        }
        return cls(
            numbers, channel_days, ported, usage, late_usage, billed, packages, plans, number_rates
        )

    def hold_reasons(self, month):
        """Why the month cannot be closed yet: what no rate covers."""
        reasons = []
        unrated = rating.unrated_calls(month.enterprise.pk, month.since, month.until)
        if unrated:
            reasons.append(
                f"{unrated:,} answered call{'s' if unrated != 1 else ''} of {month.label} no "
                "rate covers: add the rate and re-rate the month."
            )
        for package in self.in_service():
            pk = package.pk
            plan = self.plans[pk]
            if plan is None:
                reasons.append(
                    f"No rate plan for package {package.name} ({package.get_type_display()}) "
                    f"on {month.last:%Y-%m-%d}."
                )
                continue
            for kind in self.kinds_of(package):
                if self.numbers[pk, kind][0] and (plan.pk, kind) not in self.number_rates:
                    reasons.append(
                        f"Rate plan {plan.name} has no rate for {NumberKind(kind).label} "
                        f"numbers (package {package.name})."
                    )
        return reasons

    def kinds_of(self, package):
        """The kinds of number the package had in the month, in the kinds' own order."""
        return [kind for kind in NumberKind.values if (package.pk, kind) in self.numbers]

    def in_service(self):
        """The packages with monthly or one-time charges, by name."""
        return sorted((self.packages[pk] for pk in self.plans), key=lambda p: (p.name, p.pk))


def _figures_in_python(month):
    """The rows of NUMBERS, CHANNELS, PORTED and USAGE, by the same rules, for SQLite (`make
    run` without a database): the demo's few hundred numbers and month of hours."""
    zone = ZoneInfo(month.enterprise.time_zone)

    def local_day(moment):
        return moment.astimezone(zone).date()

    with scopes_disabled():
        ordered_by = set(NumberOrder.objects.values_list("order_id", flat=True))
        numbers = {}
        for number in PhoneNumber.objects.filter(
            Q(disconnected_at__isnull=True) | Q(disconnected_at__gt=month.since),
            enterprise=month.enterprise,
            activated_at__lt=month.until,
        ):
            end = min(number.disconnected_at or month.until, month.until)
            days = max(0, (local_day(end) - local_day(max(number.activated_at, month.since))).days)
            total = numbers.setdefault((number.package_id, number.kind), [0, 0, 0, 0, 0])
            total[0] += days
            total[1] += days if number.cnam else 0
            total[2] += days if number.e911_address_id else 0
            total[3] += number.activated_at >= month.since and number.order_id in ordered_by
            total[4] += not number.disconnected_at or number.disconnected_at >= month.until
        channels = {}
        trunks = Trunk.objects.filter(enterprise=month.enterprise, activated_at__isnull=False)
        for day in (month.first + timedelta(days=n) for n in range(month.days)):
            for trunk in trunks:
                if local_day(trunk.activated_at) <= day and (
                    trunk.disconnected_at is None or local_day(trunk.disconnected_at) > day
                ):
                    key = (trunk.package_id, day)
                    channels[key] = channels.get(key, 0) + trunk.max_channels
        ported = (
            PortNumber.objects.filter(
                batch__enterprise=month.enterprise,
                batch__status="completed",
                batch__completed_at__gte=month.since,
                batch__completed_at__lt=month.until,
            )
            .values_list("batch__port_order__package_id")
            .annotate(Count("pk"))
        )
        usage = {}
        for hour in UsageHour.objects.filter(
            enterprise=month.enterprise, hour__gte=month.since, hour__lt=month.until
        ):
            direction = hour.direction if hour.destination_class == "toll_free" else ""
            total = usage.setdefault(
                (hour.package_id, hour.destination_class, direction), [0, 0, ZERO]
            )
            total[0] += hour.answered
            total[1] += hour.rated_seconds
            total[2] += hour.charge
    return (
        [(*key, *totals) for key, totals in numbers.items()],
        [(package_id, total) for (package_id, _day), total in channels.items()],
        list(ported),
        [(*key, *totals) for key, totals in usage.items()],
    )


def _late_figures(month):
    """The rows of LATE_USAGE (by the same rules in Python on SQLite), and what the usage
    lines of those months have billed so far, on whichever invoices."""
    looked_back = _months_before(month.first, MONTHS_LOOKED_BACK)
    if connection.vendor == "postgresql":
        late_usage = month.sql(LATE_USAGE, looked_back=looked_back)
    else:
        late_usage = _late_usage_in_python(month, looked_back)
    # Outside any scope too (the back office's hold check): the query names the enterprise.
    with scopes_disabled():
        billed = (
            InvoiceLine.objects.filter(
                enterprise=month.enterprise,
                section=Section.USAGE,
                usage_month__gte=looked_back,
                usage_month__lt=month.first,
            )
            .values_list("usage_month", "package_id", "destination_class", "direction")
            .annotate(Sum("calls"), Sum("quantity"), Sum("amount"))
            .order_by()
        )
        return late_usage, {tuple(row[:4]): row[4:] for row in billed}


def _late_usage_in_python(month, looked_back):
    """The rows of LATE_USAGE by the same rules, for SQLite."""
    usage = {}
    with scopes_disabled():
        invoices = Invoice.objects.filter(
            enterprise=month.enterprise,
            period_start__gte=looked_back,
            period_start__lt=month.first,
            usage_since__isnull=False,
        )
        for invoice in invoices:
            for hour in UsageHour.objects.filter(
                enterprise=month.enterprise,
                hour__gte=invoice.usage_since,
                hour__lt=invoice.usage_until,
            ):
                direction = hour.direction if hour.destination_class == "toll_free" else ""
                key = (invoice.period_start, hour.package_id, hour.destination_class, direction)
                total = usage.setdefault(key, [0, 0, ZERO, 0])
                total[0] += hour.answered - hour.unrated
                total[1] += hour.rated_seconds
                total[2] += hour.charge
                total[3] += hour.unrated
    return [(*key, *totals) for key, totals in usage.items()]


def hold_reasons(enterprise, period_start):
    """Why the enterprise's month of period_start is not closed: [] when it can be."""
    month = month_of(enterprise, period_start)
    return Figures.of(month).hold_reasons(month)


class Lines:
    """The invoice's lines as they are made, each amount rounded once."""

    def __init__(self, month):
        self.month = month
        self.lines = []

    def add(self, section, description, amount, **fields):
        self.lines.append(
            InvoiceLine(
                enterprise=self.month.enterprise,
                position=len(self.lines) + 1,
                section=section,
                description=description,
                amount=cents(amount),
                **fields,
            )
        )

    def prorated(self, section, package, description, days, unit_price):
        """A monthly charge for `days` days of service (of one item or summed over many)."""
        if not days:
            return
        self.add(
            section,
            f"{package.name}: {description}",
            Decimal(days) * unit_price / self.month.days,
            package=package,
            quantity=(Decimal(days) / self.month.days).quantize(Decimal("0.0001")),
            unit_price=unit_price,
        )

    def total(self, *sections):
        return sum((line.amount for line in self.lines if line.section in sections), ZERO)


def _recurring(lines, figures):
    for package in figures.in_service():
        plan = figures.plans[package.pk]
        channel_days = figures.channel_days.get(package.pk, [])
        if plan.package_monthly:
            lines.prorated(
                Section.RECURRING, package, "package", len(channel_days), plan.package_monthly
            )
        if plan.channel_monthly:
            over = sum(max(0, channels - plan.included_channels) for channels in channel_days)
            lines.prorated(
                Section.RECURRING,
                package,
                f"channels over the {plan.included_channels} included",
                over,
                plan.channel_monthly,
            )
        kinds = figures.kinds_of(package)
        for kind in kinds:
            days = figures.numbers[package.pk, kind][0]
            rate = figures.number_rates.get((plan.pk, kind))
            if rate is not None and rate.monthly:
                label = f"{NumberKind(kind).label} numbers"
                lines.prorated(Section.RECURRING, package, label, days, rate.monthly)
        for index, label, price in [
            (1, "Caller ID (CNAM) listings", plan.cnam_monthly),
            (2, "E911 registrations", plan.e911_monthly),
        ]:
            days = sum(figures.numbers[package.pk, kind][index] or 0 for kind in kinds)
            if price:
                lines.prorated(Section.RECURRING, package, label, days, price)


def _one_time(lines, figures):
    for package in figures.in_service():
        plan = figures.plans[package.pk]
        for kind in figures.kinds_of(package):
            ordered = figures.numbers[package.pk, kind][3]
            rate = figures.number_rates.get((plan.pk, kind))
            if ordered and rate is not None and rate.order_fee:
                lines.add(
                    Section.ONE_TIME,
                    f"{package.name}: {NumberKind(kind).label} numbers ordered",
                    ordered * rate.order_fee,
                    package=package,
                    quantity=ordered,
                    unit_price=rate.order_fee,
                )
        ported = figures.ported.get(package.pk)
        if ported and plan.port_fee:
            lines.add(
                Section.ONE_TIME,
                f"{package.name}: numbers ported in",
                ported * plan.port_fee,
                package=package,
                quantity=ported,
                unit_price=plan.port_fee,
            )


def _minutes(seconds):
    return (Decimal(seconds) / 60).quantize(Decimal("0.0001"))


def _group_order(packages, package_id, destination_class, direction):
    """Usage lines' order: by package (calls of none last), then as USAGE_ORDER says."""
    package = packages.get(package_id)
    return (
        package is None,
        package.name if package else "",
        USAGE_POSITION.get((destination_class, direction), len(USAGE_ORDER)),
    )


def _usage_line(
    lines, usage_month, package, destination_class, direction, *, calls, minutes, amount
):
    """The line of a group's calls of usage_month (its first day): an earlier month's are late
    usage, and the line says so."""
    label = DestinationClass(destination_class).label
    label = f"{label} {direction} calls" if direction else f"{label} calls"
    description = f"{package.name}: {label}" if package else label
    if usage_month != lines.month.first:
        description = f"Late usage, {usage_month:%B %Y}: {description}"
    lines.add(
        Section.USAGE,
        description,
        amount,
        package=package,
        destination_class=destination_class,
        direction=direction,
        usage_month=usage_month,
        calls=calls,
        quantity=minutes,
        interstate=destination_class in INTERSTATE,
    )


def _usage(lines, figures):
    def order(row):
        return _group_order(figures.packages, *row[:3])

    for package_id, destination_class, direction, answered, seconds, charge in sorted(
        figures.usage, key=order
    ):
        if not answered and not charge:
            continue
        _usage_line(
            lines,
            lines.month.first,
            figures.packages.get(package_id),
            destination_class,
            direction,
            calls=answered,
            minutes=_minutes(seconds),
            amount=charge,
        )


def _late_usage(lines, figures):
    """The calls of earlier invoiced months loaded after their close: for each month and
    group, its calls, minutes and charge now, rounded as its own line rounds them, less what
    the month's lines have billed so far (its own, and the late lines of the invoices since).
    A group with nothing new has no line, so that a call is billed once.

    Late calls no rate covers are not billed and do not hold the close: their month is closed,
    so they cannot be rated again, and holding would hold every month after it. Staff see them
    under Unrated calls, and in the log."""

    def order(row):
        return (row[0], *_group_order(figures.packages, *row[1:4]))

    unrated = {}
    for first, package_id, destination_class, direction, *now in sorted(
        figures.late_usage, key=order
    ):
        calls, seconds, charge, no_rate = now
        if no_rate:
            unrated[first] = unrated.get(first, 0) + no_rate
        billed_calls, billed_minutes, billed_amount = figures.billed.get(
            (first, package_id, destination_class, direction), (0, ZERO, ZERO)
        )
        new_calls = calls - (billed_calls or 0)
        new_amount = cents(charge) - billed_amount
        # Late calls only add: totals below what was billed are not credited here (a credit
        # note corrects an invoice).
        if new_calls < 0 or new_amount < 0 or not (new_calls or new_amount):
            continue
        _usage_line(
            lines,
            first,
            figures.packages.get(package_id),
            destination_class,
            direction,
            calls=new_calls,
            minutes=_minutes(seconds) - (billed_minutes or ZERO),
            amount=new_amount,
        )
    for first, count in sorted(unrated.items()):
        logger.warning(
            "Invoice of %s for %s: %s answered call%s of %s loaded after its close no rate "
            "covers: not billed.",
            lines.month.enterprise,
            lines.month.label,
            f"{count:,}",
            "s" if count != 1 else "",
            f"{first:%B %Y}",
        )


def _tax_rate(kind, period_end, state=""):
    return (
        TaxRate.objects.filter(kind=kind, state=state, effective_from__lte=period_end)
        .order_by("-effective_from")
        .first()
    )


def _taxes(lines, figures, profile):
    month = lines.month
    usf = _tax_rate(TaxRate.Kind.FEDERAL_USF, month.last)
    interstate = sum((line.amount for line in lines.lines if line.interstate), ZERO)
    if usf is not None and interstate:
        lines.add(
            Section.TAX,
            f"Federal Universal Service Fund, {usf.rate.normalize():f}% of "
            f"${interstate:,} interstate and international usage",
            interstate * usf.rate / 100,
        )
    e911 = _tax_rate(TaxRate.Kind.E911_FEE, month.last)
    in_service = sum(row[4] for row in figures.numbers.values())
    if e911 is not None and in_service and e911.amount:
        lines.add(
            Section.TAX,
            "E911 fee, per number in service at the end of the month",
            in_service * e911.amount,
            quantity=in_service,
            unit_price=e911.amount,
        )
    state = profile.address_state.upper()
    if profile.tax_exempt or not state:
        return
    sales = _tax_rate(TaxRate.Kind.SALES_TAX, month.last, state)
    taxable = lines.total(Section.RECURRING, Section.ONE_TIME, Section.USAGE)
    if sales is not None and taxable and sales.rate:
        lines.add(
            Section.TAX,
            f"{state} sales tax, {sales.rate.normalize():f}% of ${taxable:,}",
            taxable * sales.rate / 100,
        )


def _make_invoice(month, figures):
    enterprise = month.enterprise
    profile, _ = BillingProfile.objects.get_or_create(enterprise=enterprise)
    lines = Lines(month)
    _recurring(lines, figures)
    _one_time(lines, figures)
    _usage(lines, figures)
    _late_usage(lines, figures)
    _taxes(lines, figures, profile)
    previous = (
        Invoice.objects.filter(enterprise=enterprise, period_start__lt=month.first).aggregate(
            balance=Sum(F("total") - F("paid") - F("credited"))
        )["balance"]
        or ZERO
    )
    issued_on = first_of_next(month.first)
    sections = {section: lines.total(section) for section in Section.values}
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number=f"{enterprise.account_number}-{month.first:%Y%m}",
        period_start=month.first,
        period_end=month.last,
        usage_since=month.since,
        usage_until=month.until,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=NET_DAYS),
        previous_balance=previous,
        recurring=sections[Section.RECURRING],
        one_time=sections[Section.ONE_TIME],
        usage=sections[Section.USAGE],
        taxes=sections[Section.TAX],
        total=sum(sections.values(), ZERO),
    )
    for line in lines.lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines.lines)
    return invoice


def close_month(enterprise, period_start):
    """The enterprise's invoice for the month of period_start, made if it is not yet.

    None when the close is held (see hold_reasons): staff are e-mailed why, and the daily
    sweep tries again. A month that has not ended in the enterprise's zone is refused.
    """
    month = month_of(enterprise, period_start)
    if month.until > timezone.now():
        raise ValueError(f"{month.label} has not ended yet for {enterprise}.")
    invoice = Invoice.objects.filter(enterprise=enterprise, period_start=month.first).first()
    if invoice is not None:
        return invoice
    try:
        with transaction.atomic():
            # One close of the enterprise at a time: the second waits, then finds the invoice.
            Enterprise.objects.select_for_update().get(pk=enterprise.pk)
            invoice = Invoice.objects.filter(enterprise=enterprise, period_start=month.first)
            if invoice.exists():
                return invoice.get()
            figures = Figures.of(month)
            reasons = figures.hold_reasons(month)
            if reasons:
                _tell_staff_held(month, reasons)
                return None
            invoice = _make_invoice(month, figures)
            from .invoice_pdf import render_invoice

            enqueue(render_invoice, invoice.pk, kind="Invoice PDF", enterprise=enterprise)
    except IntegrityError:
        # The unique key holds it even without the lock: the other close made it.
        return Invoice.objects.get(enterprise=enterprise, period_start=month.first)
    return invoice


def _tell_staff_held(month, reasons):
    logger.warning("Invoice of %s for %s held: %s", month.enterprise, month.label, reasons)
    link = settings.SITE_URL + reverse("admin:billing_invoice_held")
    try:
        mail_admins(
            f"Invoice held: {month.enterprise}, {month.label}",
            "\n".join(
                [
                    f"The invoice of {month.enterprise} for {month.label} was not made:",
                    "",
                    *(f"- {reason}" for reason in reasons),
                    "",
                    "The daily sweep closes the month once every charge has its rate.",
                    f"Months not closed: {link}",
                ]
            ),
        )
    except Exception:
        logger.exception("Could not e-mail staff about the held invoice")


# Which months to close, and the crons.


def last_ended_month(enterprise, now=None):
    """The first day of the last month that has ended in the enterprise's zone."""
    today = timezone.localtime(now or timezone.now(), ZoneInfo(enterprise.time_zone)).date()
    this_month = today.replace(day=1)
    return (this_month - timedelta(days=1)).replace(day=1)


def months_due(enterprise, now=None):
    """The ended months after the enterprise's latest invoice (or the last one ended, for its
    first invoice), oldest first, none before the enterprise's own first month."""
    last = last_ended_month(enterprise, now)
    latest = Invoice.objects.filter(enterprise=enterprise).order_by("-period_start").first()
    zone = ZoneInfo(enterprise.time_zone)
    opened = timezone.localtime(enterprise.created_at, zone).date().replace(day=1)
    first = first_of_next(latest.period_start) if latest else last
    months = []
    month = max(first, opened, _months_before(last, MONTHS_LOOKED_BACK - 1))
    while month <= last:
        months.append(month)
        month = first_of_next(month)
    return months


def _months_before(first, count):
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


@retry_policy(waits=(60, 600, 3600), timeout=600)
def close_due_months(enterprise_id):
    """The worker's close of an enterprise's ended months, oldest first; a held month stops
    it, so that the months after it wait (their previous balance needs it)."""
    with enterprise_scope(enterprise_id):
        enterprise = Enterprise.objects.get(pk=enterprise_id)
        for first in months_due(enterprise):
            if close_month(enterprise, first) is None:
                return


def close_last_month():
    """Cron, on the 1st: have the worker close each enterprise's month that has ended."""
    enterprises = Enterprise.objects.exclude(status=Enterprise.Status.CLOSED).order_by("pk")
    for enterprise in enterprises.only("pk", "name", "account_number"):
        enqueue(close_due_months, enterprise.pk, kind="Close the month", enterprise=enterprise)


def sweep_invoices():
    """Daily: close the months still not closed (a missed 1st, a held close, a zone whose
    month ended after the 1st's run), and render again the invoices whose PDF is overdue."""
    from .invoice_pdf import render_again_overdue

    close_last_month()
    render_again_overdue()
