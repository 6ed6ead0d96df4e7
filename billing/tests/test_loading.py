"""Loading usage record files and rows, against PostgreSQL: what is stored, counted and told."""

import csv
import gzip
import io
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from billing import loading
from billing.columns import APP_COLUMNS, CALL_COLUMNS, MESSAGE_COLUMNS
from billing.models import (
    AppRecord,
    CallRecord,
    MessageRecord,
    RecordFile,
    RecordKind,
    UnmatchedRecord,
)
from core.partitions import partitions
from phone_numbers.models import PhoneNumber
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from trunks.models import Trunk

CALL_NAMES = [column.name for column in CALL_COLUMNS]
ACME_NUMBER = "+13035550100"
ROUTED_NUMBER = "+13035550101"  # routed to Acme's trunk
UNKNOWN_NUMBER = "+14155550199"


def call(call_id, **changes):
    """A call line's cells: an answered outbound call of Acme's first number."""
    line = {
        "call_id": call_id,
        "start_time": "2026-11-30T23:10:00Z",
        "answer_time": "2026-11-30T23:10:05Z",
        "end_time": "2026-11-30T23:13:05Z",
        "duration": "185",
        "billable_seconds": "180",
        "direction": "outbound",
        "from": ACME_NUMBER,
        "to": "+13125550111",
        "customer_number": ACME_NUMBER,
        "trunk": "",
        "destination_class": "long_distance",
        "destination_country": "",
        "disposition": "answered",
        "sip_code": "200",
        "q850_cause": "16",
        "post_dial_delay_ms": "1800",
    }
    line.update(changes)
    return line


def unanswered(call_id, **changes):
    line = call(
        call_id,
        answer_time="",
        end_time="2026-11-30T23:10:30Z",
        duration="30",
        billable_seconds="0",
        disposition="no_answer",
        sip_code="480",
        q850_cause="19",
    )
    line.update(changes)
    return line


def csv_bytes(lines, columns=CALL_NAMES, *, newline="\n", bom=False):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns, lineterminator=newline)
    writer.writeheader()
    writer.writerows(lines)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode()


def load(content, name="calls.csv", kind=RecordKind.CALL):
    return loading.load_file(kind, io.BytesIO(content), name=name)


@pytest.fixture
def acme(admin_user):
    """Acme's package with its trunk, its first number in the package, its second routed to
    the trunk."""
    package = package_of(admin_user, "Denver Usage")
    trunk = Trunk.objects.get(package=package)
    add_numbers(package, [ACME_NUMBER])
    add_numbers(package, [ROUTED_NUMBER], trunk=trunk)
    return package, trunk


def stored_calls():
    return {record.call_id: record for record in CallRecord.objects.all()}


def test_a_good_file_is_loaded_and_each_call_mapped_to_its_enterprise(enterprise, acme):
    package, _trunk = acme
    record_file = load(
        csv_bytes(
            [
                call("c1"),
                unanswered(
                    "c2", start_time="2026-12-01T08:00:00Z", end_time="2026-12-01T08:00:30Z"
                ),
            ]
        )
    )

    assert record_file.status == RecordFile.Status.LOADED
    assert (record_file.lines, record_file.loaded, record_file.duplicates) == (2, 2, 0)
    assert (record_file.unmatched, record_file.rejected, record_file.report) == (0, 0, [])
    assert record_file.finished_at is not None
    assert record_file.size == len(csv_bytes([call("c1"), unanswered("c2")]))
    first = stored_calls()["c1"]
    assert first.enterprise_id == enterprise.pk
    assert first.package_id == package.pk
    assert first.trunk_id is None
    assert first.started_at == datetime(2026, 11, 30, 23, 10, tzinfo=UTC)
    assert (first.duration, first.billable_seconds, first.sip_code) == (185, 180, 200)
    assert (first.q850_cause, first.post_dial_delay_ms, first.number) == (16, 1800, ACME_NUMBER)
    second = stored_calls()["c2"]
    assert second.answered_at is None
    assert second.disposition == "no_answer"


def test_the_partitions_of_the_rows_months_are_made(acme):
    load(
        csv_bytes(
            [
                call(
                    "c1",
                    start_time="2027-03-31T23:59:59Z",
                    answer_time="",
                    end_time="2027-04-01T00:00:10Z",
                    disposition="busy",
                    duration="11",
                    billable_seconds="0",
                )
            ]
        )
    )

    months = {month.isoformat() for month, _name in partitions(CallRecord)}
    assert "2027-03-01" in months
    assert CallRecord.objects.get().started_at.month == 3


def test_the_same_file_again_is_not_read_again(acme):
    content = csv_bytes([call("c1"), call("c2")])
    first = load(content)

    again = load(content, name="calls-resent.csv")

    assert again.pk == first.pk
    assert RecordFile.objects.count() == 1
    assert CallRecord.objects.count() == 2


def test_the_same_rows_in_another_file_are_counted_as_duplicates(acme):
    load(csv_bytes([call("c1"), call("c2")]))

    record_file = load(csv_bytes([call("c2"), call("c3"), call("c1"), call("c3")]), "more.csv")

    assert (record_file.lines, record_file.loaded, record_file.duplicates) == (4, 1, 3)
    assert sorted(stored_calls()) == ["c1", "c2", "c3"]


def test_a_gzipped_file_with_a_bom_and_crlf_is_read(acme):
    content = gzip.compress(csv_bytes([call("c1"), call("c2")], newline="\r\n", bom=True))

    record_file = load(content, "calls.csv.gz")

    assert (record_file.loaded, record_file.rejected) == (2, 0), record_file.report
    assert sorted(stored_calls()) == ["c1", "c2"]


def test_a_bom_and_crlf_uncompressed(acme):
    record_file = load(csv_bytes([call("c1")], newline="\r\n", bom=True))
    assert (record_file.loaded, record_file.rejected) == (1, 0), record_file.report


def test_a_truncated_gzip_keeps_the_lines_before_the_cut_and_says_so(acme):
    lines = [call(f"call-{n:05}", post_dial_delay_ms=str(1000 + n)) for n in range(3000)]
    content = gzip.compress(csv_bytes(lines))

    record_file = load(content[: len(content) // 2], "cut.csv.gz")

    assert record_file.status == RecordFile.Status.LOADED
    assert "The gzip file is truncated" in record_file.message
    assert "is cut short and was not loaded" in record_file.message
    stored = stored_calls()
    assert 0 < len(stored) < 3000
    assert record_file.loaded == len(stored) == record_file.lines
    # The lines kept are the first ones, each whole (its last column not cut short).
    assert sorted(stored) == [f"call-{n:05}" for n in range(len(stored))]
    assert all(record.post_dial_delay_ms >= 1000 for record in stored.values())
    assert {record.post_dial_delay_ms for record in stored.values()} == {
        1000 + n for n in range(len(stored))
    }


@pytest.mark.parametrize(
    ("columns", "named"),
    [
        ([name for name in CALL_NAMES if name != "sip_code"], "missing columns: sip_code"),
        ([*CALL_NAMES, "rate"], "unknown columns: rate"),
        (
            ["callid" if name == "call_id" else name for name in CALL_NAMES],
            "missing columns: call_id; unknown columns: callid",
        ),
    ],
)
def test_a_file_with_wrong_columns_is_refused_naming_them(acme, columns, named):
    lines = [{name: value for name, value in call("c1").items() if name in columns}]
    record_file = load(csv_bytes(lines, columns=columns))

    assert record_file.status == RecordFile.Status.FAILED
    assert named in record_file.message
    assert "Call (CDR)" in record_file.message
    assert not CallRecord.objects.exists()


def test_columns_in_another_order_are_read_by_their_names(acme):
    columns = list(reversed(CALL_NAMES))
    record_file = load(csv_bytes([call("c1")], columns=columns))
    assert record_file.loaded == 1
    assert stored_calls()["c1"].duration == 185


def test_an_empty_file_is_refused(acme):
    record_file = load(b"")
    assert record_file.status == RecordFile.Status.FAILED
    assert "The file is empty" in record_file.message


def test_bad_lines_are_reported_by_line_and_the_good_ones_stored(acme):
    lines = [
        call("good-1"),
        call("bad-date", start_time="2026-11-31T10:00:00Z"),
        call("no-zone", start_time="2026-11-30T10:00:00"),
        call("negative", duration="-5"),
        call("bad-number", to="3125550111"),
        call("backwards", end_time="2026-11-30T23:00:00Z"),
        call("bad-choice", disposition="hung_up"),
        call("", duration="5"),
        call("good-2"),
    ]
    content = csv_bytes(lines) + b"only,three,values\n"

    record_file = load(content)

    assert sorted(stored_calls()) == ["good-1", "good-2"]
    assert (record_file.lines, record_file.loaded, record_file.rejected) == (10, 2, 8)
    errors = {entry["line"]: entry["error"] for entry in record_file.report}
    assert errors[3].startswith("start_time: '2026-11-31T10:00:00Z' is not an ISO 8601 time")
    assert errors[4] == "start_time: '2026-11-30T10:00:00' is not in UTC: end it with Z"
    assert errors[5] == "duration: -5 is negative"
    assert errors[6] == "to: '3125550111' is not an E.164 number such as +13035551234"
    assert errors[7] == "end_time is before start_time"
    assert errors[8].startswith("disposition: 'hung_up' is not one of answered, busy")
    assert errors[9] == "call_id is missing"
    assert errors[11] == "3 values where the header has 17"


def test_a_line_that_is_not_utf8_or_holds_a_nul_is_reported(acme):
    content = csv_bytes([call("c1"), call("caf\u00e9"), call("c3"), call("c\x004")])
    content = content.replace("café".encode(), "caf\xe9".encode("latin-1"))

    record_file = load(content)

    assert sorted(stored_calls()) == ["c1", "c3"]
    assert record_file.report == [
        {"line": 3, "error": "not UTF-8 text"},
        {"line": 5, "error": "call_id: holds a NUL character"},
    ]


def test_the_report_keeps_the_first_thousand_bad_lines_and_counts_them_all(acme):
    lines = [call(f"c{n}", sip_code="abc") for n in range(1005)]
    record_file = load(csv_bytes(lines))
    assert record_file.rejected == 1005
    assert len(record_file.report) == 1000
    assert record_file.report[0] == {"line": 2, "error": "sip_code: 'abc' is not a whole number"}


def test_a_call_on_an_unknown_number_is_kept_for_staff_once(acme):
    content = csv_bytes([call("c1", customer_number=UNKNOWN_NUMBER, **{"from": UNKNOWN_NUMBER})])

    record_file = load(content)
    load(content + b"\n", "again.csv")

    assert (record_file.loaded, record_file.unmatched) == (0, 1)
    unmatched = UnmatchedRecord.objects.get()
    assert (unmatched.kind, unmatched.record_id) == (RecordKind.CALL, "c1")
    assert unmatched.number == UNKNOWN_NUMBER
    assert unmatched.line["customer_number"] == UNKNOWN_NUMBER
    assert unmatched.file == record_file
    assert not CallRecord.objects.exists()


def test_a_disconnected_number_maps_to_no_one(acme):
    PhoneNumber.objects.filter(e164=ACME_NUMBER).update(status=PhoneNumber.Status.DISCONNECTED)
    record_file = load(csv_bytes([call("c1")]))
    assert (record_file.loaded, record_file.unmatched) == (0, 1)


def test_a_call_is_mapped_by_its_trunk_first_then_by_its_number(enterprise, acme, outsider):
    package, trunk = acme
    globex_package = package_of(outsider, "Globex Usage")
    globex_trunk = Trunk.objects.get(package=globex_package)
    lines = [
        # Acme's trunk, on a number no one has.
        call("by-trunk", customer_number=UNKNOWN_NUMBER, trunk=str(trunk.public_id)),
        # The trunk wins over the number: Globex's trunk on Acme's number.
        call("trunk-first", trunk=str(globex_trunk.public_id)),
        # An unknown trunk: the number maps it, with the number's trunk.
        call(
            "by-number",
            customer_number=ROUTED_NUMBER,
            trunk="0" * 8 + "-0000-4000-8000-" + "0" * 12,
        ),
    ]

    record_file = load(csv_bytes(lines))

    assert record_file.loaded == 3
    calls = stored_calls()
    assert (calls["by-trunk"].enterprise_id, calls["by-trunk"].trunk_id) == (
        enterprise.pk,
        trunk.pk,
    )
    assert calls["by-trunk"].package_id == package.pk
    assert calls["trunk-first"].enterprise_id == outsider.enterprise_id
    assert calls["trunk-first"].package_id == globex_package.pk
    assert calls["by-number"].enterprise_id == enterprise.pk
    assert calls["by-number"].trunk_id == trunk.pk


def test_messages_and_application_events_are_loaded(enterprise, acme):
    message = {
        "message_id": "m1",
        "sent_time": "2026-12-01T09:00:00Z",
        "direction": "inbound",
        "kind": "sms",
        "from": UNKNOWN_NUMBER,
        "to": ACME_NUMBER,
        "customer_number": ACME_NUMBER,
        "segments": "2",
        "status": "delivered",
        "error_code": "",
    }
    event = {
        "event_id": "e1",
        "time": "2026-12-01T09:00:00Z",
        "application": "SmartFlows",
        "event": "flow_completed",
        "customer_number": ACME_NUMBER,
        "other_party": "",
        "channel": "voice",
        "result": "completed",
        "duration": "",
        "units": "",
    }

    messages = load(
        csv_bytes([message], [c.name for c in MESSAGE_COLUMNS]), kind=RecordKind.MESSAGE
    )
    events = load(csv_bytes([event], [c.name for c in APP_COLUMNS]), kind=RecordKind.APP)

    assert (messages.loaded, events.loaded) == (1, 1), (messages.report, events.report)
    stored_message = MessageRecord.objects.get()
    assert (stored_message.enterprise_id, stored_message.segments) == (enterprise.pk, 2)
    assert stored_message.error_code == ""
    stored_event = AppRecord.objects.get()
    assert (stored_event.enterprise_id, stored_event.units, stored_event.duration) == (
        enterprise.pk,
        1,
        None,
    )


def test_rows_from_the_api_go_the_same_way(acme):
    outcome = loading.load_rows(
        RecordKind.CALL, [call("c1"), call("c2", duration="x"), {**call("c3"), "rate": "1"}]
    )
    again = loading.load_rows(RecordKind.CALL, [call("c1")])

    assert (outcome.lines, outcome.loaded, outcome.rejected) == (3, 1, 2)
    assert outcome.report == [
        {"line": 2, "error": "duration: 'x' is not a whole number"},
        {"line": 3, "error": "unknown columns: rate"},
    ]
    assert (again.loaded, again.duplicates) == (0, 1)
    assert list(stored_calls()) == ["c1"]


def test_loads_span_chunks(acme, monkeypatch):
    monkeypatch.setattr(loading, "CHUNK_ROWS", 7)
    lines = [call(f"c{n:02}") for n in range(20)]
    record_file = load(csv_bytes(lines + lines[:5]))
    assert (record_file.lines, record_file.loaded, record_file.duplicates) == (25, 20, 5)
    assert CallRecord.objects.count() == 20


@pytest.fixture
def spool(settings, tmp_path):
    settings.USAGE_SPOOL_DIR = tmp_path / "spool"
    for folder in ("calls", "messages", "apps"):
        (tmp_path / "spool" / folder).mkdir(parents=True)
    return tmp_path / "spool"


def test_the_spool_loads_each_file_and_moves_it(acme, spool):
    (spool / "calls" / "day1.csv").write_bytes(csv_bytes([call("c1")]))
    (spool / "calls" / "bad.csv").write_bytes(b"nothing,useful\n")
    (spool / "calls" / "day2.csv.part").write_bytes(csv_bytes([call("c2")]))

    loaded = loading.load_spool()

    assert sorted(record_file.name for record_file in loaded) == ["bad.csv", "day1.csv"]
    assert (spool / "calls" / "done" / "day1.csv").exists()
    assert (spool / "calls" / "failed" / "bad.csv").exists()
    assert (spool / "calls" / "day2.csv.part").exists()
    assert not list((spool / "calls" / "loading").iterdir())
    assert list(stored_calls()) == ["c1"]

    # Run again: nothing new to do; the same file dropped again lands beside the first.
    assert loading.load_spool() == []
    (spool / "calls" / "day1.csv").write_bytes(csv_bytes([call("c1")]))
    assert len(loading.load_spool()) == 1
    assert len(list((spool / "calls" / "done").iterdir())) == 2
    assert CallRecord.objects.count() == 1


def test_a_file_claimed_by_another_run_is_left_to_it(acme, spool):
    path = spool / "calls" / "day1.csv"
    path.write_bytes(csv_bytes([call("c1")]))
    path.rename(spool / "calls" / "x")  # taken between the listing and the claim
    assert loading._load_spooled(RecordKind.CALL, path) is None


def test_the_command_loads_files(acme, tmp_path, capsys):
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_bytes([call("c1"), call("c2", duration="-1")]))

    call_command("load_records", "call", str(path))

    out = capsys.readouterr().out
    assert "calls.csv: loaded, 2 lines, 1 new, 0 duplicates, 0 unmatched, 1 rejected" in out
    assert "line 3: duration: -1 is negative" in out
    assert CallRecord.objects.count() == 1


def test_the_record_table_is_partitioned(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relkind FROM pg_class WHERE relname = %s", [CallRecord._meta.db_table]
        )
        assert cursor.fetchone()[0] == "p"


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_staff_upload_a_file_and_see_what_became_of_its_lines(staff_client, acme):

    changelist = staff_client.get(reverse("admin:billing_recordfile_changelist")).text
    assert reverse("admin:billing_recordfile_upload") in changelist
    content = gzip.compress(csv_bytes([call("c1"), call("c2", duration="-5")]))

    response = staff_client.post(
        reverse("admin:billing_recordfile_upload"),
        {"kind": "call", "file": SimpleUploadedFile("calls.csv.gz", content)},
        follow=True,
    )

    assert "Loaded calls.csv.gz: 2 lines, 1 new, 0 duplicates, 0 unmatched, 1 rejected." in (
        response.text
    )
    assert "Line 3: duration: -5 is negative" in response.text
    assert list(stored_calls()) == ["c1"]


def test_an_upload_with_wrong_columns_says_why(staff_client, acme):

    response = staff_client.post(
        reverse("admin:billing_recordfile_upload"),
        {"kind": "message", "file": SimpleUploadedFile("calls.csv", csv_bytes([call("c1")]))},
        follow=True,
    )

    assert "Not loaded: calls.csv. The header does not have the columns of a Message" in (
        response.text
    )
    assert not CallRecord.objects.exists()


@pytest.mark.parametrize(
    ("title", "columns"),
    [
        ("## Call records (CDR)", CALL_COLUMNS),
        ("## Message records (MDR)", MESSAGE_COLUMNS),
        ("## Application Data Records (ADR)", APP_COLUMNS),
    ],
)
def test_every_column_is_described_for_customers(title, columns):
    doc = (settings.BASE_DIR / "docs" / "usage-records.md").read_text()
    section = doc[doc.index(title) :].split("\n## ", 1)[0]
    described = [
        line.split("|")[1].strip(" `") for line in section.splitlines() if line.startswith("| `")
    ]
    assert described[: len(columns)] == [column.name for column in columns]
    example = section[section.index("```csv\n") + 7 :].splitlines()[0]
    assert example == ",".join(column.name for column in columns)
    for line in section[section.index("```csv\n") + 7 :].split("```")[0].splitlines()[1:]:
        kind = {"C": RecordKind.CALL, "M": RecordKind.MESSAGE, "A": RecordKind.APP}[title[3]]
        _columns, errors = loading._check_chunk(loading.KINDS[kind], [next(csv.reader([line]))])
        assert errors == {}, line


@pytest.mark.django_db(transaction=True)
def test_chunks_are_stored_beside_the_checking_outside_a_transaction(admin_user, monkeypatch):
    package = package_of(admin_user, "Denver Usage")
    add_numbers(package, [ACME_NUMBER])
    monkeypatch.setattr(loading, "CHUNK_ROWS", 3)
    lines = [call(f"c{n:02}") for n in range(10)]
    lines[4] = call("c04", duration="-1")

    record_file = load(csv_bytes(lines + lines[:2]))

    assert (record_file.lines, record_file.loaded, record_file.duplicates) == (12, 9, 2)
    assert record_file.report == [{"line": 6, "error": "duration: -1 is negative"}]
    assert RecordFile.objects.get().loaded == 9
    assert CallRecord.objects.count() == 9


def test_quoted_cells_with_commas_and_line_breaks_are_stored_as_they_came(acme, monkeypatch):
    # Chunks of 3 lines: the quoted line break of c2 carries its row past the first chunk.
    monkeypatch.setattr(loading, "CHUNK_ROWS", 3)
    lines = [call("c1"), call("c2,\nsecond line"), call('c3 "quoted"'), call("c4")]

    record_file = load(csv_bytes(lines))

    assert (record_file.lines, record_file.loaded, record_file.rejected) == (4, 4, 0)
    assert sorted(stored_calls()) == ["c1", "c2,\nsecond line", 'c3 "quoted"', "c4"]
    bad = load(csv_bytes([call("c5"), call("c6,\nx", duration="-1"), call("c7")]), "bad.csv")
    # A record over several lines is told by the line it ends on.
    assert bad.report == [{"line": 4, "error": "duration: -1 is negative"}]
    assert bad.loaded == 2


def test_times_written_otherwise_are_checked_one_call_at_a_time(acme):
    lines = [
        call(
            "offset",
            start_time="2026-11-30T23:10:00+00:00",
            answer_time="2026-11-30T23:10:05.5Z",
            end_time="2026-11-30T23:13:05.25+0000",
        ),
        call("backwards", start_time="2026-11-30T23:10:00.5Z", end_time="2026-11-30T23:10:00Z"),
        call(
            "leap-day",
            start_time="2028-02-29T10:00:00Z",
            answer_time="",
            end_time="2028-02-29T10:00:30Z",
            disposition="busy",
            billable_seconds="0",
        ),
        call("no-leap-day", start_time="2027-02-29T10:00:00Z"),
        call("late", start_time="2026-11-30T24:00:00Z"),
    ]

    record_file = load(csv_bytes(lines))

    assert sorted(stored_calls()) == ["leap-day", "offset"]
    assert stored_calls()["offset"].answered_at == datetime(
        2026, 11, 30, 23, 10, 5, 500000, tzinfo=UTC
    )
    errors = {entry["line"]: entry["error"] for entry in record_file.report}
    assert errors[3] == "end_time is before start_time"
    assert errors[5].startswith("start_time: '2027-02-29T10:00:00Z' is not an ISO 8601 time")
    assert errors[6].startswith("start_time: '2026-11-30T24:00:00Z' is not an ISO 8601 time")


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"answer_time": ""}, "answer_time is given if, and only if, the disposition is answered"),
        (
            {"answer_time": "2026-11-30T23:14:00Z"},
            "answer_time is not between start_time and end_time",
        ),
        (
            {"answer_time": "2026-11-30T23:09:00Z"},
            "answer_time is not between start_time and end_time",
        ),
        (
            {"destination_class": "international"},
            "destination_country is missing for an international call",
        ),
        ({"sip_code": "700"}, "sip_code: 700 is more than 699"),
        ({"direction": "sideways"}, "direction: 'sideways' is not one of inbound, outbound"),
    ],
)
def test_each_rule_across_columns_and_each_limit_is_told(acme, changes, error):
    record_file = load(csv_bytes([call("good"), call("bad", **changes)]))
    assert record_file.report == [{"line": 3, "error": error}]
    assert list(stored_calls()) == ["good"]


def test_a_record_twice_in_a_new_files_chunk_is_stored_once(acme):
    record_file = load(csv_bytes([call("c1"), call("c2"), call("c1")]))
    assert (record_file.loaded, record_file.duplicates) == (2, 1)
    assert sorted(stored_calls()) == ["c1", "c2"]


def test_matched_and_unmatched_records_in_chunks_look_each_number_up_once(acme, monkeypatch):
    monkeypatch.setattr(loading, "CHUNK_ROWS", 4)
    lines = [
        call(f"c{n}", **({"customer_number": UNKNOWN_NUMBER} if n % 3 == 0 else {}))
        for n in range(12)
    ]
    looked_up = []
    real_filter = PhoneNumber.objects.filter

    def filter_spy(**lookups):
        looked_up.append(sorted(lookups.get("e164__in", [])))
        return real_filter(**lookups)

    monkeypatch.setattr(PhoneNumber.objects, "filter", filter_spy)

    record_file = load(csv_bytes(lines))

    assert (record_file.loaded, record_file.unmatched) == (8, 4)
    assert looked_up == [[ACME_NUMBER, UNKNOWN_NUMBER]]
    assert UnmatchedRecord.objects.count() == 4


def test_a_whole_number_with_leading_zeros_is_read_as_its_value(acme):
    record_file = load(csv_bytes([call("c1", sip_code="0200", duration="0000000185")]))
    assert (record_file.loaded, record_file.rejected) == (1, 0), record_file.report
    assert (stored_calls()["c1"].sip_code, stored_calls()["c1"].duration) == (200, 185)
