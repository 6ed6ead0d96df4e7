"""The first-response clock of support cases: each priority's target, and business hours.

P1 and P2 are answered around the clock; a P3 within one business day, counted only while the
support team works: SUPPORT_BUSINESS_HOURS (weekdays, opening and closing times, holidays) in
SUPPORT_TIME_ZONE. "One business day" is the length of one working day of the team (10 hours
for 08:00 to 18:00): a P3 opened Friday at 17:30 has its 30 minutes on Friday and the rest on
Monday. Times are stored in UTC and shown in each reader's zone.
"""

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings

from .models import Priority


@dataclass(frozen=True)
class Target:
    meaning: str
    description: str
    hours: int = 0  # around the clock
    business_days: int = 0  # counted in the team's business hours


TARGETS = {
    Priority.P1: Target("Service down", "1 hour, around the clock", hours=1),
    Priority.P2: Target("Degraded service", "4 hours, around the clock", hours=4),
    Priority.P3: Target("Question or request", "1 business day", business_days=1),
}
# Raising only: P3 -> P2 -> P1.
RANK = {Priority.P3: 0, Priority.P2: 1, Priority.P1: 2}


@dataclass(frozen=True)
class BusinessHours:
    zone: zoneinfo.ZoneInfo
    weekdays: frozenset
    opens: time
    closes: time
    holidays: frozenset

    @classmethod
    def from_settings(cls):
        hours = settings.SUPPORT_BUSINESS_HOURS
        return cls(
            zone=zoneinfo.ZoneInfo(settings.SUPPORT_TIME_ZONE),
            weekdays=frozenset(hours["weekdays"]),
            opens=time.fromisoformat(hours["opens"]),
            closes=time.fromisoformat(hours["closes"]),
            holidays=frozenset(date.fromisoformat(day) for day in hours.get("holidays", ())),
        )

    def is_working_day(self, day):
        return day.weekday() in self.weekdays and day not in self.holidays

    def window(self, day):
        """The day's opening and closing instants (aware, in the team's zone)."""
        return (
            datetime.combine(day, self.opens, tzinfo=self.zone),
            datetime.combine(day, self.closes, tzinfo=self.zone),
        )

    @property
    def day_length(self):
        today = date(2026, 1, 5)  # any day without a clock change
        opens, closes = self.window(today)
        return closes - opens


# Enough to cross any run of holidays a team would declare.
MAX_DAYS_SEARCHED = 366


def business_deadline(start, duration, hours=None):
    """The instant when `duration` of business time has passed since start (aware datetimes).

    The clock runs only inside the team's hours: time before opening, after closing, on
    weekends and on holidays does not count. Each day's window is taken in the team's zone, so
    a change of clock moves it with the wall clock.
    """
    hours = hours or BusinessHours.from_settings()
    left = duration
    day = start.astimezone(hours.zone).date()
    for _ in range(MAX_DAYS_SEARCHED):
        if hours.is_working_day(day):
            opens, closes = hours.window(day)
            begin = max(opens, start)
            if begin < closes:
                if begin + left <= closes:
                    return begin + left
                left -= closes - begin
        day += timedelta(days=1)
    raise ValueError("The support team's business hours leave no working day in a year.")


def first_response_due(priority, opened_at):
    """When the first response to a case of this priority opened then is due."""
    target = TARGETS[priority]
    if target.hours:
        return opened_at + timedelta(hours=target.hours)
    hours = BusinessHours.from_settings()
    return business_deadline(opened_at, hours.day_length * target.business_days, hours)


def is_higher(priority, than):
    return RANK[Priority(priority)] > RANK[Priority(than)]


def priority_choices():
    """Each priority with its meaning and target, as the Open a Case form shows them."""
    return [
        (priority.value, f"{priority.label} (first response: {TARGETS[priority].description})")
        for priority in Priority
    ]


@dataclass(frozen=True)
class Clock:
    """Where a case's first response stands: due, given (when), breached or not."""

    due: datetime
    responded_at: datetime | None
    breached: bool

    @property
    def state(self):
        if self.responded_at:
            return "Breached" if self.breached else "Met"
        return "Overdue" if self.breached else "Running"


def clock(case, now):
    """The first-response clock of case at the instant now."""
    if case.first_response_at:
        breached = case.first_response_at > case.first_response_due
    else:
        breached = now > case.first_response_due
    return Clock(case.first_response_due, case.first_response_at, breached)
