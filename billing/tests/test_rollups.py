"""The rollups of calls, against PostgreSQL: the hours, failures and numbers' days always what
a GROUP BY of the calls says; the calls in progress each minute (by group, by package, in all)
always what counting each call's minutes says; a rebuild gives the rows the loads gave."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from billing import loading, rollups
from billing.models import (
    CallRecord,
    RecordKind,
    UsageFailureHour,
    UsageHour,
    UsageMinute,
    UsageMinutePackage,
    UsageMinuteTotal,
    UsageNumberDay,
    UsageNumberGroupDay,
)
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
        tuple(getattr(minute, name) for name in rollups.MINUTE_GROUPS): {
            "inbound": minute.inbound,
            "outbound": minute.outbound,
        }
        for minute in UsageMinute.objects.all()
    }


def recounted_minutes():
    return rollups.minute_groups(rollups.minutes_from_records(CallRecord.objects.all()))


def stored_rollups():
    """Every rollup's rows, each by its groups."""
    return {
        "hours": stored_hours(),
        "failures": {
            tuple(getattr(row, name) for name in rollups.FAILURE_GROUPS): row.calls
            for row in UsageFailureHour.objects.all()
        },
        "number days": {
            tuple(getattr(row, name) for name in rollups.NUMBER_DAY_GROUPS): {
                name: getattr(row, name) for name in rollups.NUMBER_DAY_TOTALS
            }
            for row in UsageNumberDay.objects.all()
        },
        "number group days": {
            tuple(getattr(row, name) for name in rollups.NUMBER_GROUP_DAY_GROUPS): {
                name: getattr(row, name) for name in rollups.NUMBER_DAY_TOTALS
            }
            for row in UsageNumberGroupDay.objects.all()
        },
        "minutes": stored_minutes(),
        "minute packages": {
            tuple(getattr(row, name) for name in rollups.MINUTE_PACKAGE_GROUPS): {
                "inbound": row.inbound,
                "outbound": row.outbound,
            }
            for row in UsageMinutePackage.objects.all()
        },
        "minute totals": {
            (row.enterprise_id, row.minute): {
                "calls": row.calls,
                "inbound": row.inbound,
                "outbound": row.outbound,
            }
            for row in UsageMinuteTotal.objects.all()
        },
    }


def recounted_rollups():
    """Every rollup counted again from the records, in Python."""
    calls = CallRecord.objects.all()
    minutes = rollups.minutes_from_records(calls)
    return {
        "hours": rollups.hours_from_records(calls),
        "failures": rollups.failures_from_records(calls),
        "number days": rollups.number_days_from_records(calls),
        "number group days": rollups.number_days_from_records(
            calls, rollups.NUMBER_GROUP_DAY_GROUPS
        ),
        "minutes": rollups.minute_groups(minutes),
        "minute packages": rollups.minute_packages(minutes),
        "minute totals": rollups.minute_totals(minutes),
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
    assert minutes == recounted_minutes()
    # Each of these calls lasts under a minute and ends in the minute it started in.
    assert sum(counts["outbound"] for counts in minutes.values()) == 167
    assert stored_rollups() == recounted_rollups()
    # Globex's calls have no trunk: the package's minutes and the totals hold them all.
    package_minutes = UsageMinutePackage.objects.all()
    assert sum(row.inbound + row.outbound for row in package_minutes) == 167
    assert sum(UsageMinuteTotal.objects.values_list("outbound", flat=True)) == 167
    assert sum(UsageNumberGroupDay.objects.values_list("calls", flat=True)) == 167
    assert sum(UsageFailureHour.objects.values_list("calls", flat=True)) == (
        CallRecord.objects.exclude(disposition="answered").count()
    )
    assert sum(UsageNumberDay.objects.values_list("calls", flat=True)) == 167
    # International calls by their country, the others' country left out.
    assert {(key[5], key[6]) for key in hours} == {
        ("local", ""),
        ("long_distance", ""),
        ("international", "GB"),
    }


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
        UsageMinute.objects.filter(enterprise=enterprise).values_list("minute", "outbound")
    )
    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    assert in_progress == {
        at + timedelta(minutes=minute): calls
        for minute, calls in [(0, 1), (1, 1), (2, 1), (3, 1), (4, 2), (5, 3)]
        + [(minute, 1) for minute in range(6, 11)]
    }
    assert {(row.package_id, row.trunk_id, row.inbound) for row in UsageMinute.objects.all()} == {
        (numbers.package_id, None, 0)
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
    assert stored_minutes() == recounted_minutes()


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
    UsageMinute.objects.filter(enterprise=enterprise).update(inbound=99)
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


def test_a_numbers_days_are_those_of_its_enterprises_zone(enterprise, numbers):
    enterprise.time_zone = "Asia/Kolkata"  # UTC+5:30: its midnight is at 18:30 UTC
    enterprise.save()
    load(
        csv_bytes(
            [
                call(
                    "before",
                    start_time="2026-12-01T18:29:00Z",
                    answer_time="2026-12-01T18:29:05Z",
                    end_time="2026-12-01T18:32:05Z",
                ),
                call(
                    "after",
                    start_time="2026-12-01T18:30:00Z",
                    answer_time="2026-12-01T18:30:05Z",
                    end_time="2026-12-01T18:33:05Z",
                ),
                unanswered(
                    "busy",
                    start_time="2026-12-01T18:45:00Z",
                    end_time="2026-12-01T18:45:30Z",
                    disposition="busy",
                ),
            ]
        )
    )

    days = {
        row.day: (row.number, row.calls, row.answered, row.seconds)
        for row in UsageNumberDay.objects.filter(enterprise=enterprise)
    }
    assert days == {
        datetime(2026, 12, 1).date(): (ACME_NUMBER, 1, 1, 185),
        datetime(2026, 12, 2).date(): (ACME_NUMBER, 2, 1, 185),
    }
    assert stored_rollups() == recounted_rollups()


def test_the_failures_are_the_unanswered_calls_by_sip_code_and_cause(enterprise, numbers):
    load(
        csv_bytes(
            [
                call("a1"),
                unanswered("u1"),
                unanswered("u2"),
                unanswered("u3", disposition="busy", sip_code="486", q850_cause="17"),
                unanswered("u4", disposition="failed", sip_code="503", q850_cause=""),
            ]
        )
    )

    failures = {
        (row.sip_code, row.q850_cause): row.calls
        for row in UsageFailureHour.objects.filter(enterprise=enterprise)
    }
    no_answer = unanswered("u")
    assert failures == {
        (int(no_answer["sip_code"]), int(no_answer["q850_cause"])): 2,
        (486, 17): 1,
        (503, None): 1,
    }
    # All five started at 23:10.
    minute = datetime(2026, 11, 30, 23, 10, tzinfo=UTC)
    assert UsageMinuteTotal.objects.get(enterprise=enterprise, minute=minute).calls == 5


def spread_traffic():
    """Calls of Acme over three days (UTC), some lasting over midnight and over the hour."""
    lines = []
    for n in range(48):
        start = datetime(2026, 12, 1, tzinfo=UTC) + n * timedelta(minutes=83)
        end = start + timedelta(minutes=5 + n % 4 * 40, seconds=n)
        changes = {
            "start_time": start.isoformat().replace("+00:00", "Z"),
            "end_time": end.isoformat().replace("+00:00", "Z"),
            "customer_number": [ACME_NUMBER, ROUTED_NUMBER][n % 2],
            "from": [ACME_NUMBER, ROUTED_NUMBER][n % 2],
        }
        if n % 3:
            lines.append(
                call(
                    f"s{n}",
                    **changes,
                    answer_time=(start + timedelta(seconds=4)).isoformat().replace("+00:00", "Z"),
                    duration=str(int((end - start).total_seconds())),
                )
            )
        else:
            lines.append(unanswered(f"s{n}", **changes, disposition="no_answer"))
    return lines


@pytest.fixture
def spread(enterprise, numbers):
    """spread_traffic loaded, the enterprise's days those of UTC+5:30."""
    enterprise.time_zone = "Asia/Kolkata"
    enterprise.save()
    assert load(csv_bytes(spread_traffic())).loaded == 48
    return stored_rollups()


def clear_rollups():
    for model in rollups.ROLLUPS:
        model.objects.all().delete()


def test_rebuild_gives_the_rows_the_loads_gave(enterprise, spread):
    assert spread == recounted_rollups()
    clear_rollups()

    rollups.rebuild_stored(enterprise.pk)

    assert stored_rollups() == spread


def test_rebuild_in_python_gives_the_same_rows(enterprise, spread, monkeypatch):
    clear_rollups()
    # The path of the databases other than PostgreSQL (SQLite under `make run`).
    monkeypatch.setattr(connection, "vendor", "sqlite")

    rollups.rebuild_stored(enterprise.pk)

    assert stored_rollups() == spread


@pytest.mark.parametrize("python", [False, True], ids=["sql", "python"])
def test_a_rebuilt_span_counts_each_call_once(enterprise, spread, python, monkeypatch):
    if python:
        monkeypatch.setattr(connection, "vendor", "sqlite")
    span = rollups.Span.of(
        enterprise.pk,
        datetime(2026, 12, 2, 17, 40, tzinfo=UTC),
        datetime(2026, 12, 2, 19, 10, tzinfo=UTC),
    )
    # The span's rows spoiled, and those outside it.
    inside = {"hour__gte": span.first_hour, "hour__lt": span.hours_end}
    UsageHour.objects.filter(**inside).update(calls=999)
    UsageFailureHour.objects.filter(**inside).delete()
    UsageNumberDay.objects.filter(day__gte=span.first_day, day__lte=span.last_day).delete()
    UsageNumberGroupDay.objects.filter(day__gte=span.first_day).update(calls=99)
    UsageMinute.objects.filter(minute__gte=span.first_minute).update(inbound=99)
    UsageMinutePackage.objects.filter(minute__gte=span.first_minute).update(inbound=99)
    UsageMinuteTotal.objects.filter(minute__gte=span.first_minute).delete()
    UsageHour.objects.filter(hour__lt=span.first_hour).update(seconds=7)

    rollups.rebuild(
        enterprise.pk,
        datetime(2026, 12, 2, 17, 40, tzinfo=UTC),
        datetime(2026, 12, 2, 19, 10, tzinfo=UTC),
    )

    rebuilt, first_hour = stored_rollups(), span.first_hour
    assert {name: rows for name, rows in rebuilt.items() if name != "hours"} == {
        name: rows for name, rows in spread.items() if name != "hours"
    }
    assert {key: hour for key, hour in rebuilt["hours"].items() if key[1] >= first_hour} == {
        key: hour for key, hour in spread["hours"].items() if key[1] >= first_hour
    }
    # The hours before the span left as they were.
    before = [hour for key, hour in rebuilt["hours"].items() if key[1] < first_hour]
    assert before
    assert {hour["seconds"] for hour in before} == {7}


def test_the_command_counts_the_rollups_again_from_the_records(
    enterprise, other_enterprise, spread
):
    clear_rollups()
    acme, every = io.StringIO(), io.StringIO()

    call_command("rebuild_rollups", "--enterprise", enterprise.account_number, stdout=acme)

    assert stored_rollups() == recounted_rollups() == spread
    counted = (
        f"{enterprise}: rollups counted again from the calls started"
        " 2026-12-01 00:00 to 2026-12-03 17:01 UTC."
    )
    assert acme.getvalue().splitlines() == [counted]
    call_command("rebuild_rollups", stdout=every)
    assert stored_rollups() == spread
    assert every.getvalue().splitlines() == [
        counted,
        f"{other_enterprise}: no call records, rollups left as they are.",
    ]
    with pytest.raises(CommandError, match="No enterprise has the account number 404"):
        call_command("rebuild_rollups", "--enterprise", "404")


def test_the_minutes_of_a_package_a_trunk_and_the_enterprise_keep_each_direction(
    enterprise, numbers
):
    load(
        csv_bytes(
            [
                call(
                    "out",
                    start_time="2026-12-01T10:00:10Z",
                    answer_time="2026-12-01T10:00:15Z",
                    end_time="2026-12-01T10:01:30Z",
                ),
                call(
                    "in",
                    start_time="2026-12-01T10:01:00Z",
                    answer_time="2026-12-01T10:01:05Z",
                    end_time="2026-12-01T10:01:50Z",
                    direction="inbound",
                    customer_number=ROUTED_NUMBER,
                    to=ROUTED_NUMBER,
                    **{"from": "+13125550111"},
                ),
            ]
        )
    )

    at = datetime(2026, 12, 1, 10, tzinfo=UTC)
    totals = {
        row.minute: (row.calls, row.inbound, row.outbound)
        for row in UsageMinuteTotal.objects.filter(enterprise=enterprise)
    }
    assert totals == {at: (1, 0, 1), at + timedelta(minutes=1): (2, 1, 1)}
    packages = {
        (row.package_id, row.minute): (row.inbound, row.outbound)
        for row in UsageMinutePackage.objects.filter(enterprise=enterprise)
    }
    package_id = numbers.package_id
    assert packages == {
        (package_id, at): (0, 1),
        (package_id, at + timedelta(minutes=1)): (1, 1),
    }
    # Only the inbound call is on the trunk.
    trunks = {
        (row.trunk_id, row.package_id, row.minute): (row.inbound, row.outbound)
        for row in UsageMinute.objects.filter(enterprise=enterprise, trunk__isnull=False)
    }
    assert trunks == {(numbers.pk, package_id, at + timedelta(minutes=1)): (1, 0)}
    assert stored_rollups() == recounted_rollups()
