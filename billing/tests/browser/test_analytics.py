"""The guide: click Traffic Analytics in the left-side menu, read the figures and the chart,
filter them, show them by month, and download a table as CSV."""

import csv

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from billing import loading
from billing.models import RecordKind
from billing.tests.test_loading import ACME_NUMBER, ROUTED_NUMBER, call, unanswered
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from trunks.models import Trunk

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def traffic(admin_user):
    package = package_of(admin_user, "Denver Usage")
    add_numbers(package, [ACME_NUMBER])
    add_numbers(package, [ROUTED_NUMBER], trunk=Trunk.objects.get(package=package))
    loading.load_rows(
        RecordKind.CALL,
        [
            call(
                "a1",
                start_time="2026-12-01T15:00:00Z",
                answer_time="2026-12-01T15:00:05Z",
                end_time="2026-12-01T15:03:05Z",
            ),
            unanswered(
                "n1",
                start_time="2026-12-02T15:00:00Z",
                end_time="2026-12-02T15:00:30Z",
                direction="inbound",
                customer_number=ROUTED_NUMBER,
                to=ROUTED_NUMBER,
                **{"from": "+13125550111"},
            ),
        ],
    )


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as downloaded:
        return list(csv.reader(downloaded))


def test_read_the_chart_filter_it_and_download_the_table(
    page, admin_user, signed_in, screenshot, traffic
):
    signed_in(page, admin_user, reverse("dashboard"))
    page.get_by_role("link", name="Traffic Analytics").click()
    page.get_by_label("From:", exact=True).fill("2026-11-28")
    page.get_by_label("To:", exact=True).fill("2026-12-04")
    page.get_by_role("button", name="Apply").click()

    calls = page.locator('[data-kpi="Calls"] .kpi__value')
    expect(calls).to_have_text("2")
    expect(page.locator('[data-kpi="Peak concurrent calls"] .kpi__value')).to_have_text("1")
    chart = page.get_by_role("img", name="Calls by day, answered and not answered")
    expect(chart.locator("g.chart__bar")).to_have_count(7)
    # The day with the answered call has a bar of some height.
    answered_bar = chart.locator("g.chart__bar").nth(3).locator("rect.chart__answered")
    assert float(answered_bar.get_attribute("height")) > 0
    screenshot(page, "traffic-analytics")

    page.get_by_label("Direction:").select_option("inbound")
    page.get_by_role("button", name="Apply").click()
    expect(calls).to_have_text("1")
    expect(page.locator('[data-kpi="ASR"] .kpi__value')).to_have_text("0.0 %")

    with page.expect_download() as download_info:
        page.get_by_role("region", name="Calls by day").get_by_role(
            "link", name="Download CSV"
        ).click()
    download = download_info.value
    assert download.suggested_filename == "traffic-calls-2026-11-28-2026-12-04.csv"
    rows = read_csv(download.path())
    assert rows[0][:2] == ["Day", "Calls"]
    assert ["2026-12-02", "1", "0", "1", "0.0", "0.0", "1"] in rows

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download records (CSV)").click()
    records = read_csv(download_info.value.path())
    assert [row[0] for row in records[1:]] == ["n1"]

    page.get_by_label("Show by:").select_option("month")
    page.get_by_label("Direction:").select_option("")
    page.get_by_role("button", name="Apply").click()
    by_month = page.get_by_role("img", name="Calls by month, answered and not answered")
    expect(by_month.locator("g.chart__bar")).to_have_count(2)
    months = page.get_by_role("region", name="Calls by month").locator("#calls-table tbody tr")
    expect(months.nth(0)).to_contain_text("2026-11")
    expect(months.nth(1)).to_contain_text("2026-12")
    expect(calls).to_have_text("2")
