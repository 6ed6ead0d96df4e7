"""The Traffic Analytics page: its numbers are those of the records loaded, filtered as asked."""

import io
import os
import re
import signal
from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from billing import loading, simulator
from billing.columns import CALL_COLUMNS
from billing.models import CallRecord, RecordKind, UsageMinute
from billing.tables import CallRecordTable
from core.models import Job
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.downloads import body, csv_rows
from tests.workers import start_worker
from trunks.models import Trunk

from .test_loading import ACME_NUMBER, ROUTED_NUMBER, call, unanswered

GLOBEX_NUMBER = "+12125550100"
DECEMBER = {"date_from": "2026-12-01", "date_to": "2026-12-03"}
URL = reverse("billing:analytics")
RECORDS_URL = reverse("billing:records")


@pytest.fixture
def acme(admin_user, outsider):
    """Acme's package and trunk (its second number routed to the trunk), and Globex's number."""
    package = package_of(admin_user, "Denver Usage")
    trunk = Trunk.objects.get(package=package)
    add_numbers(package, [ACME_NUMBER])
    add_numbers(package, [ROUTED_NUMBER], trunk=trunk)
    add_numbers(package_of(outsider, "Globex Usage"), [GLOBEX_NUMBER])
    return package, trunk


def load(*lines):
    outcome = loading.load_rows(RecordKind.CALL, lines)
    assert outcome.rejected == 0, outcome


@pytest.fixture
def traffic(acme):
    """Dec 1 (UTC): two answered calls (185 s and 65 s), one busy, one failed; and Globex's."""
    load(
        call(
            "a1",
            start_time="2026-12-01T10:00:00Z",
            answer_time="2026-12-01T10:00:05Z",
            end_time="2026-12-01T10:03:05Z",
        ),
        call(
            "a2",
            start_time="2026-12-01T11:00:00Z",
            answer_time="2026-12-01T11:00:05Z",
            end_time="2026-12-01T11:01:05Z",
            duration="65",
            billable_seconds="60",
            direction="inbound",
            customer_number=ROUTED_NUMBER,
            to=ROUTED_NUMBER,
            **{"from": "+13125550111"},
        ),
        unanswered(
            "b1",
            start_time="2026-12-01T12:00:00Z",
            end_time="2026-12-01T12:00:30Z",
            disposition="busy",
            sip_code="486",
            q850_cause="17",
        ),
        unanswered(
            "f1",
            start_time="2026-12-01T13:00:00Z",
            end_time="2026-12-01T13:00:30Z",
            disposition="failed",
            sip_code="503",
            q850_cause="34",
            destination_class="international",
            destination_country="GB",
            to="+442071234567",
        ),
        call(
            "g1",
            start_time="2026-12-01T10:00:00Z",
            answer_time="2026-12-01T10:00:05Z",
            end_time="2026-12-01T10:03:05Z",
            customer_number=GLOBEX_NUMBER,
            **{"from": GLOBEX_NUMBER},
        ),
    )


def kpis(response):
    html = response.content.decode()
    found = re.findall(r'data-kpi="([^"]+)">.*?<dd class="kpi__value">(.*?)</dd>', html, re.S)
    return dict(found)


def test_the_key_figures_are_those_of_the_enterprises_records(admin_client, traffic):
    response = admin_client.get(URL, DECEMBER)

    assert response.status_code == 200
    # Globex's call is not Acme's: 4 calls, 250 seconds answered.
    assert kpis(response) == {
        "Calls": "4",
        "Minutes": "4",
        "ASR": "50.0 %",
        "ACD": "2:05",
        "NER": "75.0 %",  # answered, and busy: 3 of 4
        "PDD": "1.80 s",
        "Peak concurrent calls": "1",
    }


def test_the_chart_draws_a_bar_per_day_with_its_numbers(admin_client, traffic):
    response = admin_client.get(URL, {"date_from": "2026-11-25", "date_to": "2026-12-03"})

    html = response.content.decode()
    assert html.count('<g class="chart__bar">') == 9
    assert "<title>2026-12-01: 4 calls, 2 answered, 2 not answered</title>" in html
    assert "<title>2026-11-30: 0 calls, 0 answered, 0 not answered</title>" in html
    assert "style=" not in html


def test_a_range_of_two_days_is_charted_by_hour(admin_client, traffic):
    response = admin_client.get(URL, {"date_from": "2026-12-01", "date_to": "2026-12-02"})

    html = response.content.decode()
    assert html.count('<g class="chart__bar">') == 48
    # Acme's users read New York's hours: 12:00 UTC is 07:00 there.
    assert "<title>2026-12-01 07:00: 1 calls, 0 answered, 1 not answered</title>" in html


def test_days_are_the_readers_days(admin_client, admin_user, acme):
    admin_user.time_zone = "America/Denver"
    admin_user.save()
    # 05:30 UTC on Dec 2 is 22:30 on Dec 1 in Denver.
    load(
        call(
            "late",
            start_time="2026-12-02T05:30:00Z",
            end_time="2026-12-02T05:33:05Z",
            answer_time="2026-12-02T05:30:05Z",
        )
    )

    rows = csv_rows(admin_client.get(URL, {**DECEMBER, "format": "csv", "table": "calls"}))

    assert rows[0] == [
        "Day",
        "Calls",
        "Answered",
        "Not answered",
        "Minutes",
        "ASR %",
        "Peak concurrent calls",
    ]
    assert rows[1:] == [
        ["2026-12-01", "1", "1", "0", "3.1", "100.0", "1"],
        ["2026-12-02", "0", "0", "0", "0.0", "", "0"],
        ["2026-12-03", "0", "0", "0", "0.0", "", "0"],
    ]


def test_filters_narrow_the_numbers(admin_client, traffic, acme):
    _package, trunk = acme

    inbound = admin_client.get(URL, {**DECEMBER, "direction": "inbound"})
    assert kpis(inbound)["Calls"] == "1"
    on_trunk = admin_client.get(URL, {**DECEMBER, "trunk": trunk.pk})
    assert kpis(on_trunk)["Calls"] == "1"
    international = admin_client.get(URL, {**DECEMBER, "destination_class": "international"})
    assert kpis(international) | {"ASR": "0.0 %", "Calls": "1"} == kpis(international)


def test_another_enterprises_trunk_is_refused(admin_client, traffic, outsider):
    globex_trunk = Trunk.objects.get(package__enterprise=outsider.enterprise)

    response = admin_client.get(URL, {**DECEMBER, "trunk": globex_trunk.pk})

    assert response.status_code == 200
    assert response.context["form"].errors == {"trunk": ["Choose the trunk from the list."]}
    assert "kpi__value" not in response.content.decode()


def test_a_number_narrows_every_figure_to_its_calls(admin_client, traffic):
    # The number routed to the trunk had one call: answered, 65 s.
    response = admin_client.get(URL, {**DECEMBER, "number": ROUTED_NUMBER})

    figures = kpis(response)
    assert (figures["Calls"], figures["ASR"], figures["ACD"]) == ("1", "100.0 %", "1:05")
    by_day = {"number": ROUTED_NUMBER, "format": "csv", "table": "calls"}
    rows = csv_rows(admin_client.get(URL, {**DECEMBER, **by_day}))
    assert rows[1] == ["2026-12-01", "1", "1", "0", "1.1", "100.0", "1"]


def test_another_enterprises_number_is_refused(admin_client, traffic):
    response = admin_client.get(URL, {**DECEMBER, "number": GLOBEX_NUMBER})

    assert response.context["form"].errors == {"number": ["Enter one of your own numbers."]}
    assert "kpi__value" not in response.content.decode()


@pytest.mark.parametrize(
    ("dates", "error"),
    [
        (
            {"date_from": "2016-01-01", "date_to": "2026-01-01"},
            "Choose at most 366 days: this range has 3654.",
        ),
        ({"date_from": "2026-12-03", "date_to": "2026-12-01"}, "To must be on or after From."),
    ],
)
def test_a_bad_range_is_refused_at_its_field(admin_client, traffic, dates, error):
    response = admin_client.get(URL, dates)

    assert response.context["form"].errors == {"date_to": [error]}
    assert error in response.content.decode()
    assert "kpi__value" not in response.content.decode()


def test_the_page_opens_on_the_last_30_days(admin_client, traffic):
    form = admin_client.get(URL).context["form"]

    assert (form.cleaned_data["date_to"] - form.cleaned_data["date_from"]).days == 29


def test_failures_by_sip_code_and_cause(admin_client, traffic):
    rows = csv_rows(admin_client.get(URL, {**DECEMBER, "format": "csv", "table": "failures"}))

    assert rows == [
        ["SIP code", "SIP reason", "Q.850 cause", "Cause", "Calls", "Share %"],
        ["486", "Busy Here", "17", "User busy", "1", "50.0"],
        ["503", "Service Unavailable", "34", "No circuit/channel available", "1", "50.0"],
    ]


def test_top_destinations_and_numbers(admin_client, traffic):
    destinations = csv_rows(
        admin_client.get(URL, {**DECEMBER, "format": "csv", "table": "destinations"})
    )
    numbers = csv_rows(admin_client.get(URL, {**DECEMBER, "format": "csv", "table": "numbers"}))

    assert destinations == [
        ["Destination", "Calls", "Answered", "Minutes", "ASR %"],
        ["Long distance", "3", "2", "4.2", "66.7"],
        ["International: GB", "1", "0", "0.0", "0.0"],
    ]
    assert numbers == [
        ["Number", "Calls", "Answered", "Minutes", "ASR %"],
        [ACME_NUMBER, "3", "1", "3.1", "33.3"],
        [ROUTED_NUMBER, "1", "1", "1.1", "100.0"],
    ]


def test_the_records_download_is_a_call_record_file_of_the_filtered_records(
    admin_client, traffic, acme
):
    _package, trunk = acme

    response = admin_client.get(RECORDS_URL, {**DECEMBER, "direction": "inbound"})

    assert response.streaming
    assert response["Content-Disposition"] == (
        'attachment; filename="call-records-2026-12-01-2026-12-03.csv"'
    )
    rows = csv_rows(response)
    assert rows[0] == [column.name for column in CALL_COLUMNS]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record == {
        "call_id": "a2",
        "start_time": "2026-12-01T11:00:00Z",
        "answer_time": "2026-12-01T11:00:05Z",
        "end_time": "2026-12-01T11:01:05Z",
        "duration": "65",
        "billable_seconds": "60",
        "direction": "inbound",
        "from": "+13125550111",
        "to": ROUTED_NUMBER,
        "customer_number": ROUTED_NUMBER,
        "trunk": str(trunk.public_id),
        "destination_class": "long_distance",
        "destination_country": "",
        "disposition": "answered",
        "sip_code": "200",
        "q850_cause": "16",
        "post_dial_delay_ms": "1800",
    }


def test_a_downloaded_file_loads_back_as_the_same_records(admin_client, traffic):
    content = body(admin_client.get(RECORDS_URL, DECEMBER))

    again = loading.load_file(RecordKind.CALL, io.BytesIO(content), name="downloaded.csv")

    assert (again.lines, again.loaded, again.duplicates, again.rejected) == (4, 0, 4, 0)


@pytest.fixture
def many_calls(acme, monkeypatch):
    """Seven calls on Dec 2, over a stream limit of three records; m2, m3 and m4 start in the
    same second, across the edge of a page of three: their ids keep them in order."""
    monkeypatch.setattr(CallRecordTable, "stream_limit", 3)
    minutes = [0, 1, 2, 2, 2, 5, 6]
    load(
        *(
            call(
                f"m{n}",
                start_time=f"2026-12-02T10:{minute:02}:00Z",
                answer_time=f"2026-12-02T10:{minute:02}:05Z",
                end_time=f"2026-12-02T10:{minute:02}:45Z",
                duration="45",
                billable_seconds="42",
            )
            for n, minute in enumerate(minutes)
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_long_download_is_written_by_the_worker(admin_client, many_calls, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "worker_settings.py").write_text(
        "from portal.settings_test import *  # noqa\n"
        f"MEDIA_ROOT = {str(settings.MEDIA_ROOT)!r}\n"
        "EXPORT_PROGRESS_ROWS = 2\n"
    )

    response = admin_client.get(RECORDS_URL, DECEMBER)

    job = Job.objects.get()
    assert response.url == reverse("job_status", args=[job.public_id])
    worker = start_worker(
        DJANGO_SETTINGS_MODULE="worker_settings",
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(settings.BASE_DIR)]),
    )
    try:
        assert worker.wait(timeout=60) == 0
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.progress_done == job.progress_total == 7
    rows = csv_rows(admin_client.get(job.result_url))
    assert rows[0] == [column.name for column in CALL_COLUMNS]
    assert [row[0] for row in rows[1:]] == [f"m{n}" for n in range(7)]
    assert rows[1][1:4] == ["2026-12-02T10:00:00Z", "2026-12-02T10:00:05Z", "2026-12-02T10:00:45Z"]


def test_the_call_records_table_pages_through_the_filtered_records(
    admin_client, many_calls, monkeypatch
):
    monkeypatch.setattr(CallRecordTable, "page_size", 3)

    def call_ids(response):
        table = response.context["records"]
        return [row["object"].call_id for row in table["rows"]], table

    first, table = call_ids(admin_client.get(URL, DECEMBER))
    second, table = call_ids(admin_client.get(URL + table["next_url"]))
    third, last = call_ids(admin_client.get(URL + table["next_url"]))
    back, _table = call_ids(admin_client.get(URL + last["previous_url"]))

    assert (first, second, third) == (["m0", "m1", "m2"], ["m3", "m4", "m5"], ["m6"])
    assert last["next_url"] is None
    assert back == ["m3", "m4", "m5"]
    newest, table = call_ids(admin_client.get(URL, {**DECEMBER, "sort": "-started_at"}))
    older, _table = call_ids(admin_client.get(URL + table["next_url"]))
    assert (newest, older) == (["m6", "m5", "m4"], ["m3", "m2", "m1"])
    html = admin_client.get(URL, DECEMBER).content.decode()
    assert "Call records" in html
    assert f'href="{RECORDS_URL}?' in html


def test_all_of_the_records_without_a_filter_but_the_range(admin_client, traffic):
    rows = csv_rows(admin_client.get(RECORDS_URL, DECEMBER))

    assert sorted(row[0] for row in rows[1:]) == ["a1", "a2", "b1", "f1"]


def test_general_users_see_the_page_but_not_the_records(general_client, traffic):
    page = general_client.get(URL, DECEMBER)

    assert kpis(page)["Calls"] == "4"
    assert "Download records (CSV)" not in page.content.decode()
    assert general_client.get(reverse("billing:records"), DECEMBER).status_code == 403


def test_read_only_users_download_the_records(client, read_only_user, traffic):
    client.force_login(read_only_user)

    page = client.get(URL, DECEMBER)

    assert "Download records (CSV)" in page.content.decode()
    assert len(csv_rows(client.get(reverse("billing:records"), DECEMBER))) == 5


def test_the_menu_links_the_page(admin_client, traffic):
    html = admin_client.get(reverse("dashboard")).content.decode()

    assert f'href="{URL}"' in html
    assert "billing/icons.svg#analytics" in html


def test_the_records_download_refuses_another_enterprises_trunk(admin_client, traffic, outsider):
    globex_trunk = Trunk.objects.get(package__enterprise=outsider.enterprise)

    response = admin_client.get(reverse("billing:records"), {**DECEMBER, "trunk": globex_trunk.pk})

    assert response.status_code == 400
    assert "Choose the trunk from the list." in response.content.decode()


def test_a_week_of_simulated_traffic_adds_up(admin_client, admin_user, acme):
    """The figures from the hourly totals are those of the records themselves."""
    start, end = date(2026, 11, 23), date(2026, 11, 30)
    enterprise = admin_user.enterprise
    loading.load_rows(
        RecordKind.CALL, simulator.calls(enterprise, start, end, seed=3, calls_per_day=200)
    )
    records = CallRecord.objects.filter(enterprise=enterprise)
    answered = records.filter(disposition="answered")
    seconds = sum(answered.values_list("duration", flat=True))

    response = admin_client.get(URL, {"date_from": "2026-11-23", "date_to": "2026-11-29"})

    assert kpis(response)["Calls"] == f"{records.count():,}"
    assert kpis(response)["ASR"] == f"{answered.count() / records.count() * 100:.1f} %"
    assert kpis(response)["Minutes"] == f"{seconds / 60:,.0f}"
    days = csv_rows(
        admin_client.get(
            URL,
            {"date_from": "2026-11-23", "date_to": "2026-11-29", "format": "csv"},
        )
    )
    assert sum(int(row[1]) for row in days[1:]) == records.count()
    numbers = csv_rows(
        admin_client.get(
            URL,
            {
                "date_from": "2026-11-23",
                "date_to": "2026-11-29",
                "format": "csv",
                "table": "numbers",
            },
        )
    )
    top = records.filter(number=numbers[1][0]).count()
    assert int(numbers[1][1]) == top


def test_failures_and_top_lists_follow_the_filters(admin_client, traffic):
    international = {**DECEMBER, "destination_class": "international", "format": "csv"}
    inbound = {**DECEMBER, "direction": "inbound", "format": "csv"}

    failures = csv_rows(admin_client.get(URL, {**international, "table": "failures"}))
    destinations = csv_rows(admin_client.get(URL, {**inbound, "table": "destinations"}))
    numbers = csv_rows(admin_client.get(URL, {**inbound, "table": "numbers"}))

    assert failures[1:] == [
        ["503", "Service Unavailable", "34", "No circuit/channel available", "1", "100.0"]
    ]
    assert destinations[1:] == [["Long distance", "1", "1", "1.1", "100.0"]]
    assert numbers[1:] == [[ROUTED_NUMBER, "1", "1", "1.1", "100.0"]]


@pytest.mark.parametrize(
    ("zone", "first_day_calls"),
    # 05:30 UTC on Dec 2 is 00:30 on Dec 2 in New York (Acme's zone), 22:30 on Dec 1 in Denver.
    [("", []), ("America/Denver", [[ACME_NUMBER, "1", "1", "3.1", "100.0"]])],
    ids=["enterprise's zone", "another zone"],
)
def test_top_numbers_count_the_readers_days(admin_client, admin_user, acme, zone, first_day_calls):
    assert admin_user.enterprise.time_zone == "America/New_York"
    admin_user.time_zone = zone
    admin_user.save()
    load(
        call(
            "late",
            start_time="2026-12-02T05:30:00Z",
            end_time="2026-12-02T05:33:05Z",
            answer_time="2026-12-02T05:30:05Z",
        )
    )
    first_day = {"date_from": "2026-12-01", "date_to": "2026-12-01", "format": "csv"}

    rows = csv_rows(admin_client.get(URL, {**first_day, "table": "numbers"}))

    assert rows[1:] == first_day_calls


def test_top_numbers_of_another_zone_are_those_of_its_days(admin_client, admin_user, acme):
    # Denver's Dec 1 to Dec 3 runs from 07:00 UTC on Dec 1 to 07:00 UTC on Dec 4; New York's
    # (Acme's) Dec 1 starts two hours before it, its Dec 4 ends 22 hours after it: their
    # numbers' days are read, less the calls of their first two hours, plus those of Dec 4's.
    admin_user.time_zone = "America/Denver"
    admin_user.save()
    acme_calls = {
        "first_hours": "2026-12-01T08:00:00Z",
        "whole_day": "2026-12-03T12:00:00Z",
        "last_hours": "2026-12-04T06:00:00Z",
        "after": "2026-12-04T07:30:00Z",
    }
    load(
        *(
            unanswered(call_id, start_time=start, end_time=start.replace(":00Z", ":20Z"))
            for call_id, start in acme_calls.items()
        ),
        unanswered(
            "routed_before",
            start_time="2026-12-01T06:30:00Z",
            end_time="2026-12-01T06:30:20Z",
            customer_number=ROUTED_NUMBER,
            **{"from": ROUTED_NUMBER},
        ),
        unanswered(
            "routed_inbound",
            start_time="2026-12-02T12:00:00Z",
            end_time="2026-12-02T12:00:20Z",
            direction="inbound",
            customer_number=ROUTED_NUMBER,
            to=ROUTED_NUMBER,
            **{"from": "+13125550111"},
        ),
    )
    range_ = {"date_from": "2026-12-01", "date_to": "2026-12-03", "format": "csv"}

    numbers = csv_rows(admin_client.get(URL, {**range_, "table": "numbers"}))
    outbound = csv_rows(
        admin_client.get(URL, {**range_, "table": "numbers", "direction": "outbound"})
    )

    assert numbers[1:] == [
        [ACME_NUMBER, "3", "0", "0.0", "0.0"],
        [ROUTED_NUMBER, "1", "0", "0.0", "0.0"],
    ]
    # The routed number's outbound call is before the range: no row.
    assert outbound[1:] == [[ACME_NUMBER, "3", "0", "0.0", "0.0"]]


@pytest.fixture
def overlapping(acme):
    """Dec 1 (UTC): Acme's calls in progress at once, three of them at 10:05; Globex's too."""
    load(
        call(
            "o1",
            start_time="2026-12-01T10:00:10Z",
            answer_time="2026-12-01T10:00:15Z",
            end_time="2026-12-01T10:05:10Z",
            duration="300",
            billable_seconds="300",
        ),
        call(
            "o2",
            start_time="2026-12-01T10:04:00Z",
            answer_time="2026-12-01T10:04:05Z",
            end_time="2026-12-01T10:10:00Z",
            duration="360",
            billable_seconds="360",
            direction="inbound",
            customer_number=ROUTED_NUMBER,
            to=ROUTED_NUMBER,
            **{"from": "+13125550111"},
        ),
        unanswered(
            "o3",
            start_time="2026-12-01T10:05:30Z",
            end_time="2026-12-01T10:05:40Z",
            destination_class="international",
            destination_country="GB",
            to="+442071234567",
        ),
        unanswered(
            "later",
            start_time="2026-12-02T16:00:00Z",
            end_time="2026-12-02T16:00:20Z",
        ),
        *(
            call(
                f"g{n}",
                start_time="2026-12-01T10:05:00Z",
                answer_time="2026-12-01T10:05:05Z",
                end_time="2026-12-01T10:06:00Z",
                customer_number=GLOBEX_NUMBER,
                **{"from": GLOBEX_NUMBER},
            )
            for n in range(5)
        ),
    )


def peak_tile(response):
    return kpis(response)["Peak concurrent calls"]


def test_the_peak_is_the_most_calls_in_progress_in_one_minute(
    admin_client, admin_user, overlapping
):
    response = admin_client.get(URL, DECEMBER)

    # o1, o2 and o3 at 10:05; Globex's five calls then are not Acme's.
    assert peak_tile(response) == "3"
    minute = datetime(2026, 12, 1, 10, 5, tzinfo=UTC)
    acme_minute = UsageMinute.objects.filter(enterprise=admin_user.enterprise, minute=minute)
    assert sum(row.inbound + row.outbound for row in acme_minute) == 3
    rows = csv_rows(admin_client.get(URL, {**DECEMBER, "format": "csv", "table": "calls"}))
    assert rows[0][-1] == "Peak concurrent calls"
    assert [(row[0], row[-1]) for row in rows[1:]] == [
        ("2026-12-01", "3"),
        ("2026-12-02", "1"),
        ("2026-12-03", "0"),
    ]
    html = response.content.decode()
    assert "The most calls in progress at once, in any minute of the range" in html


def test_the_peak_counts_the_calls_the_filters_keep(admin_client, overlapping, acme):
    package, trunk = acme

    assert peak_tile(admin_client.get(URL, {**DECEMBER, "direction": "outbound"})) == "2"
    assert peak_tile(admin_client.get(URL, {**DECEMBER, "direction": "inbound"})) == "1"
    assert peak_tile(admin_client.get(URL, {**DECEMBER, "package": package.pk})) == "3"
    inbound_of_package = {**DECEMBER, "package": package.pk, "direction": "inbound"}
    assert peak_tile(admin_client.get(URL, inbound_of_package)) == "1"
    assert peak_tile(admin_client.get(URL, {**DECEMBER, "trunk": trunk.pk})) == "1"
    outbound_on_trunk = {**DECEMBER, "trunk": trunk.pk, "direction": "outbound"}
    assert peak_tile(admin_client.get(URL, outbound_on_trunk)) == "0"
    # A number's peak is counted from its own records.
    assert peak_tile(admin_client.get(URL, {**DECEMBER, "number": ACME_NUMBER})) == "2"
    number_and_class = {**DECEMBER, "number": ACME_NUMBER, "destination_class": "international"}
    assert peak_tile(admin_client.get(URL, number_and_class)) == "1"


def test_the_peak_says_it_counts_every_destination_under_a_destination_filter(
    admin_client, overlapping
):
    response = admin_client.get(URL, {**DECEMBER, "destination_class": "international"})

    assert kpis(response)["Calls"] == "1"
    assert peak_tile(response) == "3"
    assert "to every destination: the Destination filter does not narrow it" in (
        response.content.decode()
    )


def test_the_peak_by_hour_in_the_readers_zone(admin_client, overlapping):
    rows = csv_rows(
        admin_client.get(
            URL,
            {"date_from": "2026-12-01", "date_to": "2026-12-01", "format": "csv", "table": "calls"},
        )
    )

    # 10:00 UTC is 05:00 in New York.
    assert rows[0][0] == "Hour"
    peaks = {row[0]: row[-1] for row in rows[1:]}
    assert peaks["2026-12-01 05:00"] == "3"
    assert set(peaks.values()) == {"0", "3"}


def test_show_by_month_gives_the_months_of_the_readers_zone(admin_client, overlapping):
    query = {"date_from": "2026-11-15", "date_to": "2026-12-20", "show_by": "month"}

    page = admin_client.get(URL, query)
    rows = csv_rows(admin_client.get(URL, {**query, "format": "csv", "table": "calls"}))

    assert "Calls by month" in page.content.decode()
    assert page.content.decode().count('<g class="chart__bar">') == 2
    assert rows[0][0] == "Month"
    assert [(row[0], row[1], row[-1]) for row in rows[1:]] == [
        ("2026-11", "0", "0"),
        ("2026-12", "4", "3"),
    ]


def test_a_long_range_is_shown_by_month_and_a_short_one_by_hour(admin_client, overlapping):
    long_range = admin_client.get(URL, {"date_from": "2026-09-01", "date_to": "2026-12-31"})
    short_range = admin_client.get(URL, {"date_from": "2026-12-01", "date_to": "2026-12-02"})
    by_day = admin_client.get(
        URL, {"date_from": "2026-12-01", "date_to": "2026-12-02", "show_by": "day"}
    )

    assert "Calls by month" in long_range.content.decode()
    assert "Calls by hour" in short_range.content.decode()
    assert by_day.content.decode().count('<g class="chart__bar">') == 2


def test_an_hourly_view_of_more_than_31_days_is_refused_at_its_field(admin_client, overlapping):
    response = admin_client.get(
        URL, {"date_from": "2026-11-01", "date_to": "2026-12-02", "show_by": "hour"}
    )

    error = "Show by hour a range of at most 31 days, or choose Day or Month."
    assert response.context["form"].errors == {"show_by": [error]}
    assert error in response.content.decode()
    assert "kpi__value" not in response.content.decode()
