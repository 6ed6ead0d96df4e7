"""The guide: My Account > Enterprise Settings, turn Application Data Record File Delivery on,
let a public key sign in to the secure FTP site, then download a day's file from ADR files."""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from billing.tests.test_adr_views import (
    CONTENT,
    delivered_on_the_site,
    fingerprint,
    public_key,
)
from tests.sftp import sftp_server, shared_sftp_server  # noqa: F401 - its fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(request):
    return request.getfixturevalue("sftp_server")


def test_an_administrator_sets_up_delivery_and_downloads_a_file(
    page, admin_user, enterprise, signed_in, screenshot, site
):
    signed_in(page, admin_user, reverse("dashboard"))
    page.locator("summary", has_text="My Account").click()
    page.get_by_role("navigation", name="My Account").get_by_role(
        "link", name="Enterprise Settings"
    ).click()

    adr = page.get_by_role("region", name="Application Data Record File Delivery")
    adr.get_by_role("checkbox").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Enterprise Settings were saved.")).to_be_visible()

    card = page.get_by_role("region", name="Secure FTP site")
    expect(card).to_contain_text("No login yet")
    card.get_by_label("Public key", exact=True).fill(public_key())
    card.get_by_role("button", name="Add the key").click()

    key = fingerprint(public_key())
    expect(page.get_by_text(f"The public key {key} can now sign in.")).to_be_visible()
    expect(card.get_by_role("cell", name=key, exact=True)).to_be_visible()
    expect(card).to_contain_text(f"sftp -P {site.port} adr-acc000001@{site.host}")
    screenshot(page, "adr-secure-ftp-site")

    day = date(2026, 12, 6)
    delivered = delivered_on_the_site(enterprise, day)
    card.get_by_role("link", name="ADR files").first.click()
    expect(page.get_by_role("heading", name="ADR files", level=1)).to_be_visible()
    row = page.get_by_role("row", name=re.compile(delivered.name))
    expect(row).to_contain_text("Sunday, December 6, 2026")
    expect(row).to_contain_text("Delivered")
    screenshot(page, "adr-files")
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Download {delivered.name}").click()
    download = download_info.value
    assert download.suggested_filename == delivered.name
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == CONTENT


def test_an_administrator_revokes_a_key_in_the_pop_up(page, admin_user, signed_in):
    signed_in(page, admin_user, reverse("accounts:enterprise_settings"))
    card = page.get_by_role("region", name="Secure FTP site")
    card.get_by_label("Public key", exact=True).fill(public_key())
    card.get_by_role("button", name="Add the key").click()
    key = fingerprint(public_key())

    card.get_by_role("link", name=f"Revoke the public key {key}").click()
    dialog = page.get_by_role("dialog", name="Revoke this public key?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Revoke").click()

    expect(page.get_by_text(f"The public key {key} can no longer sign in.")).to_be_visible()
    expect(card).to_contain_text("No public key or password can sign in yet.")
