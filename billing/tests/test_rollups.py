"""The hourly rollups of calls, against PostgreSQL: always what a GROUP BY of the calls says;
and the calls in progress each minute: always what counting each call's minutes says."""

from datetime import UTC, datetime, timedelta

import pytest

from billing import loading, rollups
from billing.models import CallRecord, RecordKind, UsageHour, UsageMinute
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from trunks.models import Trunk

from .test_loading import ACME_NUMBER, ROUTED_NUMBER, call, csv_bytes, load, unanswered

GLOBEX_NUMBER = "+12125550100"


@pytest.fixture
def numbers(admin_user, outsider):
    package = package_of(admin_user, "Denver Usage")
    trunk = Trunk.objects.get(package=package)
    add_numbers(package, [ACME_NUMBER])
    add_numbers(package, [ROUTED_NUMBER], trunk=trunk)
    add_numbers(package_of(outsider, "Globex Usage"), [GLOBEX_NUMBER])
    return trunk


def stored_hours():
    return {
        tuple(getattr(hour, name) for name in rollups.GROUPS): {
            name: getattr(hour, name) for name in rollups.TOTALS
        }
        for hour in UsageHour.objects.all()
    }


def at(hour):
    """An hour of Dec 1 in UTC (a lookup such as hour__hour would read the current zone's)."""
    return datetime(2026, 12, 1, hour, tzinfo=UTC)


def stored_minutes():
    return {
        tuple(getattr(minute, name) for name in rollups.MINUTE_GROUPS): minute.calls
        for minute in UsageMinute.objects.all()
    }


def traffic(first, count):
    """count calls of Acme's and Globex's numbers over a few hours, of every disposition."""
    lines = []
    for n in range(first, first + count):
        hour = 8 + n % 3
        start = f"2026-12-01T{hour:02}:{n % 60:02}:00Z"
        number = [ACME_NUMBER, ROUTED_NUMBER, GLOBEX_NUMBER][n % 3]
        changes = {
            "start_time": start,
            "customer_number": number,
            "from": number,
            "destination_class": ["local", "long_distance", "international"][n % 4 % 3],
            "destination_country": "GB" if n % 4 % 3 == 2 else "",
            "post_dial_delay_ms": "" if n % 5 == 0 else str(1000 + n),
        }
        if n % 4 == 0:
            line = unanswered(
                f"c{n}",
                **changes,
                end_time=f"2026-12-01T{hour:02}:{n % 60:02}:30Z",
                disposition=["busy", "no_answer", "failed", "cancelled"][n % 16 // 4],
            )
        else:
            line = call(
                f"c{n}",
                **changes,
                answer_time=f"2026-12-01T{hour:02}:{n % 60:02}:04Z",
                end_time=f"2026-12-01T{hour:02}:{n % 60:02}:{10 + n % 40:02}Z",
                duration=str(10 + n % 40),
                billable_seconds=str(6 + n % 40),
            )
        lines.append(line)
    return lines


def test_the_rollups_equal_a_group_by_of_the_calls_after_loads_with_duplicates(
    numbers, monkeypatch
):
    monkeypatch.setattr(loading, "CHUNK_ROWS", 40)
    load(csv_bytes(traffic(0, 100)), "first.csv")
    # Overlapping the first file, with duplicates inside itself.
    second = load(csv_bytes(traffic(60, 100) + traffic(150, 5)), "second.csv")
    loading.load_rows(RecordKind.CALL, traffic(0, 10) + traffic(300, 7))

    assert (second.loaded, second.duplicates) == (60, 45)
    assert CallRecord.objects.count() == 167
    hours = stored_hours()
    assert hours == rollups.hours_from_records(CallRecord.objects.all())
    assert sum(totals["calls"] for totals in hours.values()) == 167
    assert {key[0] for key in hours} == set(
        CallRecord.objects.values_list("enterprise_id", flat=True)
    )
    # The calls mapped to a trunk and those without one are apart.
    assert {key[3] for key in hours} == {None, numbers.pk}
    minutes = stored_minutes()
    assert minutes == rollups.minutes_from_records(CallRecord.objects.all())
    # Each of these calls lasts under a minute and ends in the minute it started in.
    assert sum(minutes.values()) == 167


def test_a_minute_counts_the_calls_in_progress_in_it(enterprise, numbers):
    load(
        csv_bytes(
            [
                call(
                    "a1",
                    start_time="2026-12-01T10:00:10Z",
                    answer_time="2026-12-01T10:00:15Z",
                    end_time="2026-12-01T10:05:00Z",
                ),
                call(
                    "a2",
                    start_time="2026-12-01T10:04:00Z",
                    answer_time="2026-12-01T10:04:05Z",
                    end_time="2026-12-01T10:10:00Z",
                ),
                unanswered(
                    "u1", start_time="2026-12-01T10:05:30Z", end_time="2026-12-01T10:05:40Z"
                ),
            ]
        )
    )

    in_progress = dict(
        UsageMinute.objects.filter(enterprise=enterprise).values_list("minute", "calls")
    )
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert in_progress == {
        at + timedelta(minutes=minute): calls
        for minute, calls in [(0, 1), (1, 1), (2, 1), (3, 1), (4, 2), (5, 3)]
        + [(minute, 1) for minute in range(6, 11)]
    }
    assert {(row.package_id, row.trunk_id, row.direction) for row in UsageMinute.objects.all()} == {
        (numbers.package_id, None, "outbound")
    }


def test_a_call_of_two_days_counts_in_its_first_day_only(enterprise, numbers):
    load(
        csv_bytes(
            [
                call(
                    "stuck",
                    start_time="2026-12-01T10:00:00Z",
                    answer_time="2026-12-01T10:00:05Z",
                    end_time="2026-12-03T10:00:00Z",
                    duration=str(2 * 86400),
                    billable_seconds=str(2 * 86400 - 5),
                )
            ]
        )
    )

    minutes = UsageMinute.objects.filter(enterprise=enterprise)
    assert minutes.count() == rollups.MAX_CALL_MINUTES + 1
    assert minutes.latest("minute").minute == datetime(2026, 12, 2, 10, tzinfo=UTC)
    assert stored_minutes() == rollups.minutes_from_records(CallRecord.objects.all())


def test_an_hour_holds_what_its_calls_say(enterprise, numbers):
    package_id = numbers.package_id
    load(
        csv_bytes(
            [
                call("a1", duration="100", billable_seconds="96", post_dial_delay_ms="1000"),
                call("a2", duration="60", billable_seconds="60", post_dial_delay_ms="3000"),
                unanswered("u1", post_dial_delay_ms=""),
                unanswered("u2", disposition="busy", sip_code="486", q850_cause="17"),
            ]
        )
    )

    hour = UsageHour.objects.get()
    assert (hour.enterprise_id, hour.package_id, hour.trunk_id) == (enterprise.pk, package_id, None)
    assert hour.hour == datetime(2026, 11, 30, 23, tzinfo=UTC)
    assert (hour.direction, hour.destination_class) == ("outbound", "long_distance")
    assert (hour.calls, hour.answered, hour.busy, hour.no_answer) == (4, 2, 1, 1)
    assert (hour.seconds, hour.billable_seconds) == (160, 156)
    assert (hour.post_dial_delay_ms, hour.post_dial_delay_calls) == (1000 + 3000 + 1800, 3)


def test_rebuild_repairs_an_enterprises_hours(enterprise, numbers):
    load(csv_bytes(traffic(0, 60)))
    expected, expected_minutes = stored_hours(), stored_minutes()
    UsageHour.objects.filter(enterprise=enterprise).update(calls=0, seconds=999)
    UsageHour.objects.filter(enterprise=enterprise, hour=at(9)).delete()
    UsageMinute.objects.filter(enterprise=enterprise).update(calls=99)
    UsageMinute.objects.filter(enterprise=enterprise, minute__gte=at(10)).delete()

    rollups.rebuild(
        enterprise.pk,
        datetime(2026, 12, 1, 8, 30, tzinfo=UTC),
        datetime(2026, 12, 1, 10, 5, tzinfo=UTC),
    )

    assert stored_hours() == expected
    assert stored_minutes() == expected_minutes


def test_rebuild_leaves_the_hours_outside_its_span(enterprise, numbers):
    load(csv_bytes(traffic(0, 60)))
    UsageHour.objects.filter(enterprise=enterprise, hour=at(8)).update(calls=0)

    rollups.rebuild(
        enterprise.pk,
        datetime(2026, 12, 1, 9, tzinfo=UTC),
        datetime(2026, 12, 1, 10, tzinfo=UTC),
    )

    assert set(
        UsageHour.objects.filter(enterprise=enterprise, hour=at(8)).values_list("calls", flat=True)
    ) == {0}
