"""A support case in a browser: Open a Case with a call picked from the call records and a
packet capture attached, then a staff reply arriving on the case's page."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from phone_numbers.tests.inventory_factories import add_numbers, package_of
from support import cases, notify
from support.models import Case
from support.tests.factories import call_record
from support.tests.files import PCAP_HEADER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_opens_a_case_with_a_picked_call_and_a_capture_then_shows_the_staff_reply(
    page,
    general_user,
    admin_user,
    staff_user,
    signed_in,
    screenshot,
    settings,
    tmp_path,
    monkeypatch,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for name in ("case_opened", "message_added", "status_changed"):
        monkeypatch.setattr(notify, name, lambda *args: None)
    (number,) = add_numbers(package_of(admin_user, "Denver Usage"), ["+13035550100"])
    started = timezone.now().replace(microsecond=0)
    call_record(general_user.enterprise, number.e164, started, "acme-call-7")
    day = timezone.localtime(started, general_user.zone).date()
    signed_in(page, general_user, "/help/cases/")

    page.get_by_role("link", name="Open a Case").click()
    page.get_by_label("Category").select_option(label="Calls not completing")
    page.get_by_label("P2 - Degraded service").check()
    page.get_by_label("Subject").fill("Calls to 720 numbers fail")
    page.get_by_label("Description").fill("Every call to Aurora gets a 503 since this morning.")
    page.get_by_label("Affected numbers").fill("303-555-0100")
    page.get_by_label("Your number").fill("3035550100")
    page.get_by_label("Day of the calls").fill(day.isoformat())
    page.get_by_role("button", name="Find calls").click()
    page.get_by_label(re.compile("call ID acme-call-7")).check()
    page.get_by_label("Attachments").set_input_files(
        {"name": "aurora.pcap", "mimeType": "application/octet-stream", "buffer": PCAP_HEADER}
    )
    page.get_by_label("Contact phone").fill("+1 303 555 0199")
    screenshot(page, "open-case")
    page.get_by_role("button", name="Open the case").click()

    expect(page).to_have_url(re.compile(r"/help/cases/[0-9a-f-]{36}/$"))
    case = Case.objects.get()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Case {case.reference}: Calls to 720 numbers fail"
    )
    expect(page.get_by_text("(call ID acme-call-7)")).to_be_visible()
    expect(page.get_by_role("link", name="aurora.pcap")).to_be_visible()
    assert case.call_examples.get().call_id == "acme-call-7"

    cases.add_message(case, author=staff_user, body="We found the route: fixed.", from_staff=True)
    page.reload()

    conversation = page.locator("#conversation").locator("..")
    expect(conversation).to_contain_text("We found the route: fixed.")
    expect(conversation).to_contain_text("Carrier staff")
    expect(page.get_by_role("main")).to_contain_text("Open")
    screenshot(page, "case")
