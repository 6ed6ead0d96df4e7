"""Managing Bulk Actions in a browser: a file dropped on the page, its preview, the confirmation."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from phone_numbers.models import PhoneNumber
from trunks.models import Package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FILE = "number,action,cnam\n+13035550100,cnam,Acme Denver\n+13125550100,cnam,Not Ours\n"


@pytest.fixture
def numbers(enterprise, other_enterprise, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with scopes_disabled():
        for owner, e164 in [(enterprise, "+13035550100"), (other_enterprise, "+13125550100")]:
            package = Package.objects.create(enterprise=owner, name="Denver Usage", type="usage")
            PhoneNumber.objects.create(
                enterprise=owner,
                e164=e164,
                kind="us_domestic",
                country="US",
                package=package,
                status=PhoneNumber.Status.ACTIVE,
            )


def test_a_dropped_file_is_previewed_then_applied(
    page, general_user, numbers, signed_in, screenshot
):
    signed_in(page, general_user, "/numbers/bulk/")
    dropped = page.evaluate_handle(
        """(text) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], "numbers.csv", {type: "text/csv"}));
            return transfer;
        }""",
        FILE,
    )
    page.dispatch_event("[data-file-drop]", "drop", {"dataTransfer": dropped})
    expect(page.get_by_text("Chosen: numbers.csv")).to_be_visible()
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Preview: numbers.csv")).to_be_visible()
    lines = page.locator("#bulk-lines tbody tr")
    expect(lines.nth(0)).to_contain_text("Caller ID “Acme Denver”")
    expect(lines.nth(1)).to_contain_text("+13125550100 is not one of your numbers.")
    screenshot(page, "bulk-preview")
    with scopes_disabled():
        assert PhoneNumber.objects.get(e164="+13035550100").cnam == ""

    page.get_by_role("button", name="Confirm and apply").click()
    expect(page.get_by_text("Applied to 1 number")).to_be_visible()
    with scopes_disabled():
        assert PhoneNumber.objects.get(e164="+13035550100").cnam == "Acme Denver"
        assert PhoneNumber.objects.get(e164="+13125550100").cnam == ""


def test_the_plain_file_input_works_too(page, general_user, numbers, signed_in, tmp_path):
    path = tmp_path / "numbers.txt"
    path.write_text(FILE)
    signed_in(page, general_user, "/numbers/bulk/")
    page.get_by_label("File of numbers and actions").set_input_files(str(path))
    expect(page.get_by_text("Chosen: numbers.txt")).to_be_visible()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("1 OK", exact=True)).to_be_visible()
    expect(page.get_by_text("1 with errors", exact=True)).to_be_visible()
