"""The first-response clock: each priority's target, business hours and time zones."""

import zoneinfo
from datetime import datetime, timedelta

import pytest

from support import sla
from support.models import Priority

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
DENVER = zoneinfo.ZoneInfo("America/Denver")


def chicago(*args):
    return datetime(*args, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def hours(settings):
    settings.SUPPORT_TIME_ZONE = "America/Chicago"
    settings.SUPPORT_BUSINESS_HOURS = {
        "weekdays": [0, 1, 2, 3, 4],
        "opens": "08:00",
        "closes": "18:00",
        "holidays": [],
    }
    return settings


def test_a_p3_opened_in_the_last_half_hour_of_friday_is_due_on_monday():
    # Fri Dec 4, 2026, 17:30: 30 minutes count on Friday, the other 9.5 hours on Monday.
    due = sla.first_response_due(Priority.P3, chicago(2026, 12, 4, 17, 30))

    assert due == chicago(2026, 12, 7, 17, 30)
    # As a Denver user reads it: an hour earlier on the wall clock.
    assert due.astimezone(DENVER).strftime("%a %H:%M %Z") == "Mon 16:30 MST"


def test_a_p3_opened_at_night_starts_counting_when_the_team_opens():
    assert sla.first_response_due(Priority.P3, chicago(2026, 12, 8, 23, 0)) == chicago(
        2026, 12, 9, 18, 0
    )
    # Opened in another zone: Sunday evening in Tokyo is Sunday morning in Chicago.
    tokyo = datetime(2026, 12, 6, 20, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo"))
    assert sla.first_response_due(Priority.P3, tokyo) == chicago(2026, 12, 7, 18, 0)


def test_p1_and_p2_run_around_the_clock():
    sunday_3am = chicago(2026, 12, 6, 3, 0)

    assert sla.first_response_due(Priority.P1, sunday_3am) == chicago(2026, 12, 6, 4, 0)
    assert sla.first_response_due(Priority.P2, sunday_3am) == chicago(2026, 12, 6, 7, 0)


def test_holidays_do_not_count(hours):
    hours.SUPPORT_BUSINESS_HOURS = {**hours.SUPPORT_BUSINESS_HOURS, "holidays": ["2026-12-25"]}

    # Thursday Dec 24, 17:00: one hour that day, Christmas off, the rest on Monday the 28th.
    due = sla.first_response_due(Priority.P3, chicago(2026, 12, 24, 17, 0))

    assert due == chicago(2026, 12, 28, 17, 0)


def test_the_business_day_follows_the_wall_clock_across_a_clock_change():
    # Chicago moves to daylight time on Sunday, March 14, 2027: Friday is CST, Monday CDT.
    start = chicago(2027, 3, 12, 17, 0)
    due = sla.business_deadline(start, timedelta(hours=2))

    assert due == chicago(2027, 3, 15, 9, 0)
    assert due.utcoffset() == timedelta(hours=-5)


def test_the_clock_says_met_breached_running_or_overdue():
    due = chicago(2026, 12, 7, 9, 0)

    class Case:
        first_response_due = due
        first_response_at = None

    running = sla.clock(Case, due - timedelta(minutes=1))
    overdue = sla.clock(Case, due + timedelta(minutes=1))
    Case.first_response_at = due + timedelta(minutes=5)
    late = sla.clock(Case, due + timedelta(days=1))
    Case.first_response_at = due - timedelta(minutes=5)
    met = sla.clock(Case, due + timedelta(days=1))

    assert [c.state for c in (running, overdue, late, met)] == [
        "Running",
        "Overdue",
        "Breached",
        "Met",
    ]
    assert [c.breached for c in (running, overdue, late, met)] == [False, True, True, False]
