"""The traffic simulator: deterministic, realistic, on the enterprise's own numbers and trunks,
and loadable as it comes (against PostgreSQL)."""

import csv
import gzip
import io
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core.management import CommandError, call_command

from accounts.models import Application
from billing import demo, simulator
from billing.columns import APP_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS
from billing.loading import load_file, load_rows
from billing.models import (
    AppRecord,
    CallRecord,
    DestinationClass,
    Direction,
    Disposition,
    Invoice,
    MessageRecord,
    RecordKind,
    UnmatchedRecord,
)
from core.demo import DemoPassword, DemoRun
from phone_numbers.models import Kind, PhoneNumber
from phone_numbers.tests.inventory_factories import add_numbers
from trunks.models import Package, Trunk
from trunks.tests.factories import active_trunk

START = date(2026, 11, 2)  # a Monday
WEEK = (START, START + timedelta(days=7))
DENVER = [f"+1303555{n:04d}" for n in range(100, 120)]
TOLL_FREE = "+18885550100"
LONDON = "+442079460100"
DISCONNECTED = "+13035550199"
GLOBEX = "+12125550100"
SIP_CODES = {
    Disposition.ANSWERED: {(200, 16)},
    Disposition.NO_ANSWER: {(480, 19), (408, 18)},
    Disposition.BUSY: {(486, 17)},
    Disposition.CANCELLED: {(487, 16), (487, 127)},
    Disposition.FAILED: {(404, 1), (503, 41), (500, 38), (403, 21)},
}


@pytest.fixture
def acme(enterprise, admin_user, staff_user, outsider):
    """Acme in Los Angeles: a Bundle with an active trunk, 20 Denver numbers, a toll-free one and a
    London one (and one disconnected), and SmartFlows and Engage; Globex has a number of its own."""
    enterprise.time_zone = "America/Los_Angeles"
    enterprise.save()
    trunk = active_trunk(admin_user, staff_user)
    add_numbers(trunk.package, DENVER)
    add_numbers(trunk.package, [TOLL_FREE], kind=Kind.TOLL_FREE)
    add_numbers(trunk.package, [DISCONNECTED], status=PhoneNumber.Status.DISCONNECTED)
    PhoneNumber.objects.create(
        enterprise=enterprise,
        package=trunk.package,
        e164=LONDON,
        kind=Kind.INTERNATIONAL,
        country="GB",
        status=PhoneNumber.Status.ACTIVE,
    )
    globex_package = Package.objects.create(
        enterprise=outsider.enterprise, name="Globex Usage", type=Package.Type.USAGE
    )
    add_numbers(globex_package, [GLOBEX])
    for name in ("SmartFlows", "Engage"):
        application = Application.objects.create(name=name, launch_url="https://apps.test/")
        enterprise.applications.add(application)
    return enterprise


def week_of_calls(enterprise, seed=1, calls_per_day=1000):
    return list(simulator.calls(enterprise, *WEEK, seed=seed, calls_per_day=calls_per_day))


def all_kinds(enterprise, seed=1):
    return {
        RecordKind.CALL: week_of_calls(enterprise, seed, calls_per_day=300),
        RecordKind.MESSAGE: list(simulator.messages(enterprise, *WEEK, seed=seed)),
        RecordKind.APP: list(simulator.app_events(enterprise, *WEEK, seed=seed)),
    }


def utc(text):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def valid_phone(e164):
    return phonenumbers.is_valid_number(phonenumbers.parse(e164)) and e164 == (
        phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.E164)
    )


def test_the_same_seed_gives_the_same_records(acme):
    first, again = all_kinds(acme, seed=7), all_kinds(acme, seed=7)

    assert first == again
    assert all(first.values())


def test_another_seed_gives_other_records(acme):
    first, other = all_kinds(acme, seed=7), all_kinds(acme, seed=8)

    for kind in RecordKind.values:
        assert first[kind] != other[kind]
    assert first[RecordKind.CALL][0]["call_id"].startswith("SIM7-ACC000001-20261102-")
    assert other[RecordKind.CALL][0]["call_id"].startswith("SIM8-ACC000001-20261102-")


def test_a_day_is_the_same_whatever_the_range_asked(acme):
    """Last month's run and this month's overlap in identical records: loading both stores
    each once."""
    day = START + timedelta(days=3)
    earlier = simulator.calls(acme, START, day + timedelta(days=1), seed=1, calls_per_day=100)
    later = simulator.calls(acme, day, day + timedelta(days=5), seed=1, calls_per_day=100)
    prefix = "SIM1-ACC000001-20261105-"

    overlap = [row for row in earlier if row["call_id"].startswith(prefix)]

    assert overlap
    assert overlap == [row for row in later if row["call_id"].startswith(prefix)]


def test_calls_answer_about_55_percent_and_last_about_3_minutes(acme):
    rows = week_of_calls(acme)
    answered = [row for row in rows if row["disposition"] == Disposition.ANSWERED]
    delays = [int(row["post_dial_delay_ms"]) for row in rows if row["post_dial_delay_ms"]]

    assert 4000 < len(rows) < 7000  # five weekdays of about 1,000 and a lighter weekend
    assert 0.50 <= len(answered) / len(rows) <= 0.60
    assert 150 <= sum(int(row["billable_seconds"]) for row in answered) / len(answered) <= 210
    assert sum(1000 <= delay <= 6000 for delay in delays) / len(delays) > 0.85
    dispositions = Counter(row["disposition"] for row in rows)
    assert set(dispositions) == set(Disposition.values)
    assert dispositions[Disposition.NO_ANSWER] > dispositions[Disposition.BUSY]
    directions = Counter(row["direction"] for row in rows)
    assert 0.35 < directions[Direction.INBOUND] / len(rows) < 0.55
    classes = Counter(row["destination_class"] for row in rows)
    assert classes[DestinationClass.LOCAL] > classes[DestinationClass.TOLL_FREE]
    assert classes[DestinationClass.LONG_DISTANCE] > classes[DestinationClass.INTERNATIONAL] > 0


def test_the_busy_hours_are_the_enterprises_local_ones(acme):
    rows = week_of_calls(acme)
    zone = ZoneInfo("America/Los_Angeles")
    local_hours = Counter(utc(row["start_time"]).astimezone(zone).hour for row in rows)
    utc_hours = Counter(utc(row["start_time"]).hour for row in rows)
    weekdays = Counter(utc(row["start_time"]).astimezone(zone).weekday() for row in rows)

    assert local_hours[10] > 10 * local_hours[3]
    assert local_hours[14] > local_hours[12] > local_hours[20]
    # 10:00 UTC is 02:00 in Los Angeles: a quiet hour there.
    assert utc_hours[10] < local_hours[10] / 10
    assert weekdays[2] > 2 * weekdays[5] > 2 * weekdays[6] > 0


def test_the_records_are_on_the_enterprises_active_numbers_and_trunks(acme):
    records = all_kinds(acme)
    trunk = str(Trunk.objects.get(enterprise=acme).public_id)
    active = set(DENVER) | {TOLL_FREE, LONDON}

    calls = records[RecordKind.CALL]
    assert {row["customer_number"] for row in calls} == active
    assert {row["trunk"] for row in calls} == {trunk}
    for row in calls:
        inbound = row["direction"] == Direction.INBOUND
        assert row["customer_number"] == (row["to"] if inbound else row["from"])
        if row["customer_number"] == TOLL_FREE:
            assert inbound and row["destination_class"] == DestinationClass.TOLL_FREE
        if row["customer_number"] == LONDON:
            assert inbound and row["destination_class"] == DestinationClass.INTERNATIONAL
            assert row["destination_country"] == "GB" and row["from"].startswith("+44")
    messages, events = records[RecordKind.MESSAGE], records[RecordKind.APP]
    # Without numbers with SMS enabled, messages are on the US ones.
    assert {row["customer_number"] for row in messages} == active - {LONDON}
    assert {row["customer_number"] for row in events} <= active
    assert {row["application"] for row in events} == {"SmartFlows", "Engage"}


def test_messages_use_the_numbers_with_sms_enabled_when_there_are(acme):
    PhoneNumber.objects.filter(e164=DENVER[0]).update(sms_enabled=True)

    rows = list(simulator.messages(acme, *WEEK, seed=1))

    assert {row["customer_number"] for row in rows} == {DENVER[0]}
    statuses = Counter(row["status"] for row in rows)
    assert 0.94 < statuses[MessageRecord.Status.DELIVERED] / len(rows) < 0.995
    assert Counter(row["kind"] for row in rows).most_common(1)[0][0] == MessageRecord.Kind.SMS


@pytest.mark.parametrize(
    ("kind", "columns"),
    [
        (RecordKind.CALL, CALL_COLUMNS),
        (RecordKind.MESSAGE, MESSAGE_COLUMNS),
        (RecordKind.APP, APP_COLUMNS),
    ],
)
def test_every_record_has_exactly_the_kinds_columns_as_text(acme, kind, columns):
    rows = all_kinds(acme)[kind]

    for row in rows:
        assert list(row) == [column.name for column in columns]
        assert all(type(value) is str for value in row.values())
        assert all(row[column.name] for column in columns if column.required)


def test_call_records_hold_valid_values(acme):
    for row in week_of_calls(acme, calls_per_day=500):
        start, end = utc(row["start_time"]), utc(row["end_time"])
        assert int(row["duration"]) == (end - start).total_seconds()
        assert row["direction"] in Direction.values
        assert row["destination_class"] in DestinationClass.values
        assert row["disposition"] in Disposition.values
        assert (int(row["sip_code"]), int(row["q850_cause"])) in SIP_CODES[row["disposition"]]
        assert valid_phone(row["from"]) and valid_phone(row["to"])
        if row["disposition"] == Disposition.ANSWERED:
            answer = utc(row["answer_time"])
            assert start < answer < end
            assert int(row["billable_seconds"]) == (end - answer).total_seconds() >= 1
        else:
            assert row["answer_time"] == "" and row["billable_seconds"] == "0"
        rang = row["disposition"] not in (Disposition.BUSY, Disposition.FAILED)
        assert bool(row["post_dial_delay_ms"]) == rang
        international = row["destination_class"] == DestinationClass.INTERNATIONAL
        assert bool(row["destination_country"]) == international
        if international:
            number = phonenumbers.parse(
                row["to"] if row["direction"] == "outbound" else row["from"]
            )
            assert phonenumbers.region_code_for_number(number) == row["destination_country"]


def test_message_and_event_records_hold_valid_values(acme):
    records = all_kinds(acme)
    for row in records[RecordKind.MESSAGE]:
        utc(row["sent_time"])
        assert row["kind"] in MessageRecord.Kind.values
        assert row["status"] in MessageRecord.Status.values
        assert bool(row["error_code"]) == (row["status"] != MessageRecord.Status.DELIVERED)
        assert valid_phone(row["from"]) and valid_phone(row["to"])
        assert int(row["segments"]) >= 1
    flows = Counter()
    for row in records[RecordKind.APP]:
        utc(row["time"])
        assert valid_phone(row["customer_number"])
        assert row["other_party"] == "" or valid_phone(row["other_party"])
        assert int(row["units"]) >= 1
        flows[row["event"]] += 1
    ends = flows["flow_completed"] + flows["flow_abandoned"] + flows["flow_failed"]
    assert flows["flow_started"] == ends > 0
    assert flows["message_sent"] > 0


def test_an_enterprise_without_numbers_has_no_calls_to_simulate(other_enterprise):
    with pytest.raises(ValueError, match="has no active numbers"):
        simulator.calls(other_enterprise, *WEEK, seed=1)
    assert list(simulator.app_events(other_enterprise, *WEEK, seed=1)) == []


def test_the_records_load_with_no_line_rejected_and_twice_store_once(acme):
    records = all_kinds(acme)
    models = {
        RecordKind.CALL: CallRecord,
        RecordKind.MESSAGE: MessageRecord,
        RecordKind.APP: AppRecord,
    }

    for kind, rows in records.items():
        first = load_rows(kind, rows)
        again = load_rows(kind, rows)

        assert (first.lines, first.loaded, first.rejected, first.unmatched) == (
            len(rows),
            len(rows),
            0,
            0,
        ), first.report[:3]
        assert (again.loaded, again.duplicates, again.rejected) == (0, len(rows), 0)
        assert models[kind].objects.filter(enterprise=acme).count() == len(rows)
    assert not UnmatchedRecord.objects.exists()
    first_call = records[RecordKind.CALL][0]
    stored = CallRecord.objects.get(call_id=first_call["call_id"])
    assert stored.trunk.public_id == Trunk.objects.get(enterprise=acme).public_id
    assert stored.number == first_call["customer_number"]


@pytest.mark.parametrize("gzipped", [False, True])
def test_the_csv_file_has_the_header_and_rows_and_loads(acme, gzipped):
    rows = week_of_calls(acme, calls_per_day=100)
    fileobj = io.BytesIO()

    written = simulator.write_csv(RecordKind.CALL, iter(rows), fileobj, gzip=gzipped)

    content = fileobj.getvalue()
    text = (gzip.decompress(content) if gzipped else content).decode()
    assert written == len(rows)
    assert text.splitlines()[0] == ",".join(column.name for column in CALL_COLUMNS)
    assert list(csv.DictReader(io.StringIO(text))) == rows
    record_file = load_file(RecordKind.CALL, io.BytesIO(content), name="calls.csv.gz")
    assert (record_file.loaded, record_file.rejected, record_file.unmatched) == (len(rows), 0, 0)


def test_simulate_traffic_loads_each_kind_or_writes_a_file(acme, tmp_path):
    out = io.StringIO()
    options = {"enterprise": "ACC000001", "days": 2, "calls_per_day": 50, "stdout": out}

    call_command("simulate_traffic", **options)
    call_command("simulate_traffic", **options)

    lines = out.getvalue().splitlines()
    assert len(lines) == 6
    assert lines[0].startswith("Call (CDR), ") and " 0 duplicates" in lines[0]
    assert " 0 new" in lines[3] and " 0 rejected" in lines[3]
    assert CallRecord.objects.filter(enterprise=acme).count() > 0
    assert MessageRecord.objects.filter(enterprise=acme).count() > 0
    assert AppRecord.objects.filter(enterprise=acme).count() > 0

    path = tmp_path / "calls.csv.gz"
    call_command("simulate_traffic", **options, out=str(path))
    with gzip.open(path, "rt") as written:
        assert len(list(csv.DictReader(written))) == CallRecord.objects.count()


def test_simulate_traffic_refuses_an_unknown_enterprise_and_two_kinds_in_one_file(acme):
    with pytest.raises(CommandError, match="No enterprise has the account number NOPE"):
        call_command("simulate_traffic", enterprise="NOPE")
    with pytest.raises(CommandError, match="--out writes one kind"):
        call_command("simulate_traffic", enterprise="ACC000001", kind=["call", "app"], out="x.csv")


def test_the_demo_loads_its_months_once_with_their_invoices(acme, admin_user, settings):
    acme.account_number = "DEMO-0001"
    acme.save()
    settings.DEMO_CALLS_PER_DAY = 50
    run = DemoRun(password=DemoPassword("x"))

    demo.load(run)
    counts = [model.objects.count() for model in (CallRecord, MessageRecord, AppRecord)]
    demo.load(run)

    assert [model.objects.count() for model in (CallRecord, MessageRecord, AppRecord)] == counts
    assert min(counts) > 0
    zone = ZoneInfo("America/Los_Angeles")
    days = {c.started_at.astimezone(zone).date() for c in CallRecord.objects.all()}
    today = datetime.now(zone).date()
    first_closed = demo._first_closed_month(today)
    assert min(days) == first_closed
    assert max(days) == today - timedelta(days=1)
    invoices = list(Invoice.objects.order_by("period_start"))
    assert [invoice.period_start for invoice in invoices][0] == first_closed
    assert len(invoices) == demo.CLOSED_MONTHS
    assert all(invoice.pdf for invoice in invoices)
    # The calls of the first month's last day came after its close: the next invoice bills them.
    late = invoices[1].lines.filter(usage_month=first_closed)
    assert late.exists()
    assert all(line.description.startswith(f"Late usage, {first_closed:%B %Y}") for line in late)
