"""The Traffic Analytics page: its numbers are those of the records loaded, filtered as asked."""

import re
from datetime import date

import pytest
from django.urls import reverse

from billing import loading, simulator
from billing.models import CallRecord, RecordKind
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.downloads import csv_rows
from trunks.models import Trunk

from .test_loading import ACME_NUMBER, ROUTED_NUMBER, call, unanswered

GLOBEX_NUMBER = "+12125550100"
DECEMBER = {"date_from": "2026-12-01", "date_to": "2026-12-03"}
URL = reverse("billing:analytics")


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
    found = re.findall(r'data-kpi="(\w+)">.*?<dd class="kpi__value">(.*?)</dd>', html, re.S)
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

    assert rows[0] == ["Day", "Calls", "Answered", "Not answered", "Minutes", "ASR %"]
    assert rows[1:] == [
        ["2026-12-01", "1", "1", "0", "3.1", "100.0"],
        ["2026-12-02", "0", "0", "0", "0.0", ""],
        ["2026-12-03", "0", "0", "0", "0.0", ""],
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
    assert rows[1] == ["2026-12-01", "1", "1", "0", "1.1", "100.0"]


def test_another_enterprises_number_is_refused(admin_client, traffic):
    response = admin_client.get(URL, {**DECEMBER, "number": GLOBEX_NUMBER})

    assert response.context["form"].errors == {"number": ["Enter one of your own numbers."]}
    assert "kpi__value" not in response.content.decode()


@pytest.mark.parametrize(
    ("dates", "error"),
    [
        (
            {"date_from": "2016-01-01", "date_to": "2026-01-01"},
            "Choose at most 92 days: this range has 3654.",
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


def test_the_records_download_has_every_filtered_record(admin_client, traffic, acme):
    package, trunk = acme
    package.name = "=HYPERLINK(1)"
    package.save()

    response = admin_client.get(reverse("billing:records"), {**DECEMBER, "direction": "inbound"})

    assert response["Content-Disposition"] == (
        'attachment; filename="call-records-2026-12-01-2026-12-03.csv"'
    )
    rows = csv_rows(response)
    assert rows[0][:4] == ["call_id", "start_time", "answer_time", "end_time"]
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["call_id"] == "a2"
    assert record["start_time"] == "2026-12-01T11:00:00Z"
    assert record["customer_number"] == ROUTED_NUMBER
    assert record["package"] == "'=HYPERLINK(1)"
    assert record["trunk"] == trunk.name
    assert record["q850_cause"] == "16"


def test_all_of_the_records_without_a_filter_but_the_range(admin_client, traffic):
    rows = csv_rows(admin_client.get(reverse("billing:records"), DECEMBER))

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
