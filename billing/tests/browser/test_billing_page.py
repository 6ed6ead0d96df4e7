"""The guide: click Billing in the left-side menu, download a month's invoice (PDF), read the
month's summary, and dispute a line of the invoice."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from billing.tests.test_billing_views import PDF, invoice_of, usage_line
from trunks.models import Package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alice_downloads_an_invoice_reads_the_summary_and_disputes_a_line(
    page, admin_user, enterprise, signed_in, screenshot, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    package = Package.objects.create(enterprise=enterprise, name="Denver Usage", type="usage")
    invoice = invoice_of(
        enterprise,
        date(2026, 11, 1),
        issued_on=timezone.localdate() - timedelta(days=5),
        total=Decimal("12.34"),
        pdf=PDF,
    )
    usage_line(invoice, 1, package, "long_distance", calls=42, minutes="61.2", amount="12.34")

    signed_in(page, admin_user, reverse("dashboard"))
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Billing").click()
    expect(page.get_by_role("heading", name="Billing", level=1)).to_be_visible()
    row = page.get_by_role("row", name="November 2026")
    expect(row).to_contain_text(invoice.number)
    expect(row).to_contain_text("$12.34")
    screenshot(page, "billing")

    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Invoice {invoice.number} (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"invoice-{invoice.number}.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    row.get_by_role("link", name="Summary of November 2026").click()
    expect(page.get_by_role("heading", name="Summary of November 2026")).to_be_visible()
    summary = page.locator("#summary-table tbody tr")
    expect(summary).to_have_count(1)
    cells = summary.first.locator("td")
    expect(cells).to_have_text(["Denver Usage", "Long distance", "42", "61.2", "$12.34"])
    screenshot(page, "billing-summary")

    # The invoice's page, and a line of it disputed in the pop-up.
    page.get_by_role("link", name=invoice.number).click()
    page.get_by_role("link", name="Dispute Denver Usage: long_distance calls").click()
    dialog = page.get_by_role("dialog", name="Dispute a line")
    dialog.get_by_role("button", name="Dispute the line").click()
    expect(dialog.get_by_text("Say why this line is wrong.")).to_be_visible()
    dialog.get_by_label("Why is this line wrong?").fill("We made no calls from Denver.")
    dialog.get_by_role("button", name="Dispute the line").click()
    expect(page.get_by_text("is recorded: we e-mail you our answer")).to_be_visible()
    disputes = page.get_by_role("region", name="Disputes")
    expect(disputes).to_contain_text("We made no calls from Denver.")
    expect(disputes).to_contain_text("Being looked into")
    screenshot(page, "billing-invoice")
