"""Porting hours: when a port may be requested to happen.

Carriers port numbers during standing porting hours: Monday to Friday, 9:00 AM to 5:30 PM US
Eastern (America/New_York), except US federal holidays, observed days included (when July 4th
falls on a Saturday, Friday the 3rd is the holiday). The rules for a requested date and time:

- it is a business day (a weekday that is not a federal holiday) and a half hour from 9:00 AM
  to 5:30 PM Eastern; 5:30 PM is the last time, the cut-off;
- its Eastern date is no earlier than the carrier's earliest port date for the kind of port
  (the gateway's earliest_port_date, counted from today in Eastern time) and no later than
  MAX_DAYS_AHEAD days after today;
- it has not passed.

The hours stay 9:00 to 5:30 Eastern all year: in UTC a slot moves by an hour when daylight saving
time starts or ends. The form offers the slots as a <select> grouped by Eastern date, each slot
labelled in the user's time zone with the Eastern time beside it; its value is the slot in UTC.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError

# The US calendar itself, imported with this module: the holidays package would otherwise load
# it at the first question, in every process (an RQ work horse per job) at 0.3 s each.
from holidays.countries.united_states import UnitedStates

from . import carriers

EASTERN = ZoneInfo("America/New_York")
SLOT_MINUTES = 30
MAX_DAYS_AHEAD = 30
# 9:00 AM, 9:30 AM, ... 5:30 PM Eastern: 5:30 PM is the cut-off, the last valid time.
SLOT_TIMES = tuple(
    time(minutes // 60, minutes % 60) for minutes in range(9 * 60, 17 * 60 + 30 + 1, SLOT_MINUTES)
)
FIRST_SLOT, LAST_SLOT = SLOT_TIMES[0], SLOT_TIMES[-1]
HOURS_IN_WORDS = "Ports happen Monday to Friday, 9:00 AM to 5:30 PM Eastern"


@cache
def _federal_holidays(year):
    return UnitedStates(years=year, categories=("public",))


def _holiday_name(day):
    """The federal holiday on day, in words, or None: "Independence Day, observed"."""
    name = _federal_holidays(day.year).get(day)
    return name.replace(" (observed)", ", observed") if name else None


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _federal_holidays(day.year)


def add_business_days(day: date, n: int) -> date:
    """The n-th business day after day (day itself never counts); day itself when n is 0."""
    while n > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            n -= 1
    return day


def _date_range(kind, now, gateway):
    """The first and last Eastern dates a port of this kind may be requested for, from now."""
    today = now.astimezone(EASTERN).date()
    earliest = (gateway or carriers.gateway()).earliest_port_date(kind, today)
    return earliest, today + timedelta(days=MAX_DAYS_AHEAD)


def slots(kind: str, now: datetime, *, gateway=None) -> list[datetime]:
    """Every slot a port of this kind may be requested for, as aware UTC datetimes, in order."""
    earliest, latest = _date_range(kind, now, gateway)
    found = []
    day = earliest
    while day <= latest:
        if is_business_day(day):
            for slot_time in SLOT_TIMES:
                slot = datetime.combine(day, slot_time, tzinfo=EASTERN).astimezone(UTC)
                if slot > now:
                    found.append(slot)
        day += timedelta(days=1)
    return found


def check_slot(kind: str, when: datetime, now: datetime, *, gateway=None) -> datetime:
    """when (aware) in UTC if a port of this kind may be requested for it; else ValidationError.

    The message says what is wrong in plain words.
    """
    eastern = when.astimezone(EASTERN)
    day = eastern.date()
    if day.weekday() >= 5:
        raise ValidationError(
            f"{HOURS_IN_WORDS}; {day.isoformat()} is a {day:%A}.", code="port_weekend"
        )
    holiday = _holiday_name(day)
    if holiday:
        raise ValidationError(
            f"{HOURS_IN_WORDS}; {day.isoformat()} is a US federal holiday ({holiday}).",
            code="port_holiday",
        )
    if not FIRST_SLOT <= eastern.time() <= LAST_SLOT:
        raise ValidationError(
            f"{HOURS_IN_WORDS}; {clock(eastern)} Eastern is outside those hours.",
            code="port_hours",
        )
    if eastern.minute % SLOT_MINUTES or eastern.second or eastern.microsecond:
        raise ValidationError(
            "Choose a time on the hour or the half hour, e.g. 10:00 or 10:30 AM Eastern.",
            code="port_half_hour",
        )
    earliest, latest = _date_range(kind, now, gateway)
    if day < earliest:
        raise ValidationError(
            f"The earliest date the carrier accepts is {earliest:%a} {earliest.isoformat()}.",
            code="port_too_early",
        )
    if day > latest:
        raise ValidationError(
            f"Choose a date at most {MAX_DAYS_AHEAD} days from today "
            f"({latest:%a} {latest.isoformat()} at the latest).",
            code="port_too_late",
        )
    if when <= now:
        raise ValidationError("That time has passed; choose a later one.", code="port_past")
    return when.astimezone(UTC)


def clock(moment: datetime) -> str:
    """The time of day as the labels write it: "9:00 AM", "5:30 PM"."""
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


def slot_label(slot: datetime, user_zone) -> str:
    """A slot in the user's time zone with the Eastern time beside it, or Eastern time alone.

    "8:00 AM MST (10:00 AM ET)"; "10:00 AM ET" where the user keeps Eastern time; the user's
    date comes first where it is not the Eastern one: "Fri 2026-12-11, 12:00 AM JST (10:00 AM ET)".
    """
    eastern = slot.astimezone(EASTERN)
    local = slot.astimezone(user_zone)
    if local.replace(tzinfo=None) == eastern.replace(tzinfo=None):
        return f"{clock(eastern)} ET"
    label = f"{clock(local)} {local:%Z} ({clock(eastern)} ET)"
    if local.date() != eastern.date():
        label = f"{local:%a} {local.date().isoformat()}, {label}"
    return label


def slot_choices(kind: str, now: datetime, user_zone, *, gateway=None):
    """The slots for a <select>: [("Thu 2026-12-10", [(UTC ISO value, label), ...]), ...].

    Grouped by Eastern date; user_zone is a tzinfo (the reader's time zone).
    """
    groups = {}
    for slot in slots(kind, now, gateway=gateway):
        day = slot.astimezone(EASTERN).date()
        group = groups.setdefault(f"{day:%a} {day.isoformat()}", [])
        group.append((slot.isoformat(), slot_label(slot, user_zone)))
    return list(groups.items())


def parse_slot(value: str) -> datetime:
    """A slot's value (its UTC ISO form) as an aware UTC datetime; ValidationError for anything
    else."""
    try:
        when = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        when = None
    if when is None or when.tzinfo is None:
        raise ValidationError("Choose a port date and time from the list.", code="port_slot")
    return when.astimezone(UTC)
