"""Porting hours: Monday to Friday, 9:00 AM to 5:30 PM Eastern, except US federal holidays."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from porting import calendar
from porting.calendar import EASTERN
from porting.models import PortKind

DOMESTIC = PortKind.US_DOMESTIC
# Monday 2026-12-07, 10:00 AM Eastern: the sandbox's earliest date is Thursday 2026-12-10.
MONDAY = datetime(2026, 12, 7, 10, 0, tzinfo=EASTERN)


class FixedGateway:
    """A carrier whose earliest port date is the one given."""

    def __init__(self, earliest):
        self.earliest = earliest

    def earliest_port_date(self, kind, today):
        return self.earliest


def eastern(*args):
    return datetime(*args, tzinfo=EASTERN)


def refusal(when, now=MONDAY, **kwargs):
    with pytest.raises(ValidationError) as refused:
        calendar.check_slot(DOMESTIC, when, now, **kwargs)
    return refused.value.messages[0]


@pytest.mark.parametrize(
    "day, business",
    [
        (date(2026, 12, 10), True),
        (date(2026, 12, 12), False),  # Saturday
        (date(2026, 12, 13), False),  # Sunday
        (date(2026, 7, 3), False),  # Independence Day, observed on the Friday
        (date(2026, 11, 26), False),  # Thanksgiving
        (date(2026, 12, 25), False),  # Christmas Day
        (date(2021, 12, 31), False),  # New Year's Day 2022, observed the year before
    ],
)
def test_business_days(day, business):
    assert calendar.is_business_day(day) is business


def test_adding_business_days_skips_weekends_and_holidays():
    assert calendar.add_business_days(date(2026, 7, 2), 1) == date(2026, 7, 6)
    assert calendar.add_business_days(date(2026, 11, 25), 2) == date(2026, 11, 30)
    assert calendar.add_business_days(date(2026, 12, 12), 0) == date(2026, 12, 12)


def test_slots_start_on_the_carriers_earliest_date_at_nine_eastern():
    slots = calendar.slots(DOMESTIC, MONDAY)
    assert slots[0] == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
    assert all(slot.tzinfo is UTC for slot in slots)
    first_day = [slot.astimezone(EASTERN) for slot in slots[:18]]
    assert [f"{slot:%H:%M}" for slot in first_day] == [
        f"{hour:02d}:{minute:02d}" for hour in range(9, 18) for minute in (0, 30)
    ]
    assert slots[18].astimezone(EASTERN) == eastern(2026, 12, 11, 9, 0)


def test_slots_skip_weekends_and_holidays():
    days = {slot.astimezone(EASTERN).date() for slot in calendar.slots(DOMESTIC, MONDAY)}
    assert date(2026, 12, 12) not in days  # Saturday
    assert date(2026, 12, 25) not in days  # Christmas Day
    assert date(2027, 1, 1) not in days  # New Year's Day
    assert date(2026, 12, 24) in days


def test_slots_end_thirty_days_from_today():
    slots = calendar.slots(DOMESTIC, MONDAY)
    assert slots[-1].astimezone(EASTERN) == eastern(2027, 1, 6, 17, 30)
    assert calendar.MAX_DAYS_AHEAD == 30


def test_slots_follow_the_carriers_earliest_date():
    slots = calendar.slots(DOMESTIC, MONDAY, gateway=FixedGateway(date(2026, 12, 21)))
    assert slots[0].astimezone(EASTERN) == eastern(2026, 12, 21, 9, 0)


def test_toll_free_ports_start_later():
    slots = calendar.slots(PortKind.TOLL_FREE, MONDAY)
    assert slots[0].astimezone(EASTERN) == eastern(2026, 12, 14, 9, 0)


def test_slots_already_past_are_left_out():
    now = eastern(2026, 12, 10, 12, 10)
    slots = calendar.slots(DOMESTIC, now, gateway=FixedGateway(date(2026, 12, 10)))
    assert slots[0].astimezone(EASTERN) == eastern(2026, 12, 10, 12, 30)
    assert refusal(
        eastern(2026, 12, 10, 11, 30), now=now, gateway=FixedGateway(date(2026, 12, 10))
    ) == ("That time has passed; choose a later one.")


def test_daylight_saving_time_starting_moves_the_slots_in_utc():
    slots = calendar.slots(DOMESTIC, eastern(2027, 3, 8, 10, 0))
    friday = [slot for slot in slots if slot.astimezone(EASTERN).date() == date(2027, 3, 12)]
    monday = [slot for slot in slots if slot.astimezone(EASTERN).date() == date(2027, 3, 15)]
    assert (friday[0], friday[-1]) == (
        datetime(2027, 3, 12, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 12, 22, 30, tzinfo=UTC),
    )
    assert (monday[0], monday[-1]) == (
        datetime(2027, 3, 15, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 15, 21, 30, tzinfo=UTC),
    )


def test_daylight_saving_time_ending_moves_the_slots_in_utc():
    slots = calendar.slots(DOMESTIC, eastern(2026, 10, 26, 10, 0))
    friday = [slot for slot in slots if slot.astimezone(EASTERN).date() == date(2026, 10, 30)]
    monday = [slot for slot in slots if slot.astimezone(EASTERN).date() == date(2026, 11, 2)]
    assert (friday[0], friday[-1]) == (
        datetime(2026, 10, 30, 13, 0, tzinfo=UTC),
        datetime(2026, 10, 30, 21, 30, tzinfo=UTC),
    )
    assert (monday[0], monday[-1]) == (
        datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
        datetime(2026, 11, 2, 22, 30, tzinfo=UTC),
    )


def test_a_valid_slot_is_returned_in_utc():
    when = eastern(2026, 12, 10, 9, 0)
    assert calendar.check_slot(DOMESTIC, when, MONDAY) == datetime(2026, 12, 10, 14, 0, tzinfo=UTC)


def test_half_past_five_is_the_last_time():
    when = eastern(2026, 12, 10, 17, 30)
    assert calendar.check_slot(DOMESTIC, when, MONDAY) == when.astimezone(UTC)


@pytest.mark.parametrize("hour, minute", [(17, 31), (18, 0), (8, 30)])
def test_times_outside_the_hours_are_refused(hour, minute):
    message = refusal(eastern(2026, 12, 10, hour, minute))
    assert message.startswith("Ports happen Monday to Friday, 9:00 AM to 5:30 PM Eastern;")
    assert "Eastern is outside those hours." in message


def test_a_time_between_half_hours_is_refused():
    assert refusal(eastern(2026, 12, 10, 9, 15)) == (
        "Choose a time on the hour or the half hour, e.g. 10:00 or 10:30 AM Eastern."
    )


def test_a_weekend_is_refused_by_name():
    assert refusal(eastern(2026, 12, 12, 10, 0)) == (
        "Ports happen Monday to Friday, 9:00 AM to 5:30 PM Eastern; 2026-12-12 is a Saturday."
    )


def test_a_holiday_is_refused_by_name():
    assert refusal(eastern(2026, 12, 25, 10, 0)) == (
        "Ports happen Monday to Friday, 9:00 AM to 5:30 PM Eastern; "
        "2026-12-25 is a US federal holiday (Christmas Day)."
    )
    assert refusal(eastern(2026, 7, 3, 10, 0), now=eastern(2026, 6, 22, 10, 0)) == (
        "Ports happen Monday to Friday, 9:00 AM to 5:30 PM Eastern; "
        "2026-07-03 is a US federal holiday (Independence Day, observed)."
    )


def test_a_date_before_the_carriers_earliest_is_refused():
    assert refusal(eastern(2026, 12, 9, 10, 0)) == (
        "The earliest date the carrier accepts is Thu 2026-12-10."
    )


def test_a_date_more_than_thirty_days_ahead_is_refused():
    assert refusal(eastern(2027, 1, 7, 10, 0)) == (
        "Choose a date at most 30 days from today (Wed 2027-01-06 at the latest)."
    )


def test_the_hours_are_eastern_whatever_the_zone_given():
    # 9:00 AM in Denver is 11:00 AM Eastern: within the hours.
    when = datetime(2026, 12, 10, 9, 0, tzinfo=ZoneInfo("America/Denver"))
    assert calendar.check_slot(DOMESTIC, when, MONDAY) == datetime(2026, 12, 10, 16, 0, tzinfo=UTC)
    # 4:00 PM in Denver is 6:00 PM Eastern: after the cut-off.
    assert "6:00 PM Eastern" in refusal(when + timedelta(hours=7))


def first_group(user_zone):
    return calendar.slot_choices(DOMESTIC, MONDAY, ZoneInfo(user_zone))[0]


def test_choices_are_grouped_by_eastern_date_with_utc_values():
    choices = calendar.slot_choices(DOMESTIC, MONDAY, ZoneInfo("America/Denver"))
    assert [label for label, _ in choices[:3]] == [
        "Thu 2026-12-10",
        "Fri 2026-12-11",
        "Mon 2026-12-14",
    ]
    label, options = choices[0]
    assert options[0][0] == "2026-12-10T14:00:00+00:00"
    assert len(options) == 18


def test_labels_show_the_users_time_beside_the_eastern_time():
    _, options = first_group("America/Denver")
    assert options[0][1] == "7:00 AM MST (9:00 AM ET)"
    assert options[-1][1] == "3:30 PM MST (5:30 PM ET)"
    _, options = first_group("Europe/Berlin")
    assert options[0][1] == "3:00 PM CET (9:00 AM ET)"


def test_labels_show_the_users_date_where_it_is_another_day():
    _, options = first_group("Asia/Tokyo")
    assert options[2][1] == "Fri 2026-12-11, 12:00 AM JST (10:00 AM ET)"


def test_labels_for_a_user_on_eastern_time_show_it_alone():
    _, options = first_group("America/New_York")
    assert [label for _, label in options[:3]] == ["9:00 AM ET", "9:30 AM ET", "10:00 AM ET"]


def test_a_chosen_value_is_read_back_in_utc():
    assert calendar.parse_slot("2026-12-10T14:00:00+00:00") == datetime(
        2026, 12, 10, 14, 0, tzinfo=UTC
    )
    assert calendar.parse_slot("2026-12-10T09:00:00-05:00") == datetime(
        2026, 12, 10, 14, 0, tzinfo=UTC
    )


@pytest.mark.parametrize("value", ["", "tomorrow", "2026-12-10T14:00:00", None])
def test_junk_is_not_a_slot(value):
    with pytest.raises(ValidationError) as refused:
        calendar.parse_slot(value)
    assert refused.value.messages == ["Choose a port date and time from the list."]
