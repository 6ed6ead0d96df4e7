"""Add/Port Numbers, Order Type Move/Port Current Numbers: the Port Numbers pop-up and its
checks, Review Numbers, Remove numbers with errors, the date, Save Draft and Submit Order."""

import html
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from orders.models import Order
from phone_numbers.tests.inventory_factories import add_numbers
from porting.models import PortBatch, PortList, PortOrder
from tests.downloads import body
from trunks.tests.factories import new_package

from .factories import ACME_ACCOUNT, first_slot

ADD = reverse("porting:add")
GOOD = [f"+1303747{4100 + n}" for n in range(4)]


@pytest.fixture
def package(admin_user):
    return new_package(admin_user, name="Denver Bundle").trunk_order.trunk.package


def form_url(package):
    return f"{ADD}?package={package.public_id}&kind=us_domestic"


def form_data(into, numbers=(), **changes):
    """What a filled-in port form posts."""
    data = {
        "order_type": "port",
        "package": str(into.public_id),
        "kind": "us_domestic",
        "customer_reference": "",
        **{key: value for key, value in ACME_ACCOUNT.items() if key != "partial"},
        "address_country": "United States",
        "account_pin": "",
        "port_numbers": "\n".join(numbers),
        "port_list": "",
        "requested_at": first_slot().isoformat(),
        "partial": "on",
        "new_btn": "",
        "cnam": "",
        "e911_address": "",
        "e911_street": "",
        "e911_unit": "",
        "e911_city": "",
        "e911_state": "",
        "e911_zip": "",
        "notes": "",
        "submission_key": str(uuid.uuid4()),
        "action": "submit",
    }
    data.update(changes)
    return data


def text_of(response):
    return re.sub(r"\s+", " ", html.unescape(response.content.decode()))


def lists():
    with scopes_disabled():
        return PortList.objects.count()


def test_the_form_speaks_the_guides_words(admin_client, package):
    response = admin_client.get(form_url(package))
    page = text_of(response)
    for words in (
        "Move/Port Current Numbers",
        "Important:</strong> The addresses must match the current carrier's information.",
        "Provide Port Information",
        "Current Carrier/Provider",
        "Billing Telephone Number (BTN)",
        "Port Numbers From Another Carrier",
        "Requested Port Date/Time",
        "Standing porting hours are Monday through Friday, 9:00 AM to 5:30 PM ET",
        "Partial Port",
        "Add Optional Services",
        "Notes or Special Instructions",
        "Submit Order",
        "Save Draft",
    ):
        assert words in page, words
    assert "selected>Move/Port Current Numbers" in page


def test_order_type_leads_between_the_two_forms(admin_client, package):
    query = f"package={package.public_id}&kind=toll_free"
    response = admin_client.get(f"{reverse('phone_numbers:add')}?{query}&order_type=port")
    assert response.status_code == 302
    assert response["Location"] == f"{ADD}?{query}"
    response = admin_client.get(f"{ADD}?{query}&order_type=new")
    assert response["Location"] == f"{reverse('phone_numbers:add')}?{query}"


def test_save_in_the_pop_up_checks_the_numbers_and_shows_the_errors(admin_client, package):
    numbers = [*GOOD, "(303) 747-4120", "+13037474113", "+18005550199", GOOD[0]]
    response = admin_client.post(form_url(package), form_data(package, numbers, action="check"))
    page = text_of(response)
    assert "4 of 8 numbers have errors" in page
    assert "Review Numbers" in page
    assert "Remove numbers with errors" in page
    with scopes_disabled():
        port_list = PortList.objects.get()
        assert (port_list.total, port_list.error_count) == (8, 4)
    assert f'value="{port_list.public_id}"' in page
    # Posted again unchanged, the list is not checked again.
    data = form_data(package, numbers, action="check", port_list=str(port_list.public_id))
    admin_client.post(form_url(package), data)
    assert lists() == 1
    # Nothing is placed until Submit Order.
    assert not Order.objects.filter(kind="port").exists()


def test_remove_numbers_with_errors_keeps_the_others(admin_client, package):
    numbers = [*GOOD, "+13037474113", "garbage"]
    admin_client.post(form_url(package), form_data(package, numbers, action="check"))
    with scopes_disabled():
        port_list = PortList.objects.get()
    data = form_data(package, numbers, action="remove_errors", port_list=str(port_list.public_id))
    response = admin_client.post(form_url(package), data)
    page = text_of(response)
    assert "Removed 2 numbers with errors; the other 4 remain." in page
    assert "All 4 numbers can be ported." in page
    with scopes_disabled():
        assert list(port_list.numbers.values_list("e164", flat=True)) == GOOD


def test_the_form_never_changes_a_submitted_orders_numbers(admin_client, admin_user, package):
    from .factories import submitted_order

    wireless = "+13037474171"
    with scopes_disabled():
        order = submitted_order(admin_user, entries=[*GOOD, wireless], account_pin="4321")
        placed = order.port.port_list
    # Its list posted from a form without the PIN, with Remove numbers with errors.
    data = form_data(
        package,
        [*GOOD, wireless],
        action="remove_errors",
        port_list=str(placed.public_id),
    )
    admin_client.post(form_url(package), data)
    with scopes_disabled():
        assert placed.numbers.count() == 5
        placed.refresh_from_db()
        assert placed.total == 5


def test_bad_input_is_refused_and_saves_nothing(admin_client, package):
    response = admin_client.post(form_url(package), form_data(package, [], action="check"))
    assert "field--invalid" in response.content.decode()
    assert "at least one number" in text_of(response)
    data = form_data(package, [], action="check")
    data["port_file"] = SimpleUploadedFile("numbers.txt", b"\x00\x01\x02binary", "text/plain")
    response = admin_client.post(form_url(package), data)
    assert "numbers.txt is not a text file: save it as plain text (UTF-8)" in text_of(response)
    assert lists() == 0


def test_a_dropped_csv_file_is_read(admin_client, package):
    data = form_data(package, [], action="check")
    data["port_file"] = SimpleUploadedFile(
        "numbers.csv", ("number\n" + "\n".join(GOOD)).encode(), "text/csv"
    )
    response = admin_client.post(form_url(package), data)
    assert "All 4 numbers can be ported." in text_of(response)


def test_submit_order_places_a_port_with_batches_and_emails_them(
    admin_client, package, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    numbers = [*GOOD, "+13122630150", "+13122630151"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(form_url(package), form_data(package, numbers))
    order = Order.objects.get(kind="port")
    assert response["Location"] == reverse("orders:order_detail", args=[order.public_id])
    assert order.status == Order.Status.PENDING_DOCUMENTS
    assert order.reference.startswith("PO-")
    with scopes_disabled():
        batches = list(
            PortBatch.objects.order_by("sequence").values_list("reference", "number_count")
        )
        port = PortOrder.objects.get()
        assert port.btn == "+12122671400" and port.partial
    assert batches == [(f"{order.reference}-1", 4), (f"{order.reference}-2", 2)]
    run_jobs()
    (message,) = mailoutbox
    assert order.reference in message.subject
    assert f"{order.reference}-1" in message.body and f"{order.reference}-2" in message.body
    page = text_of(admin_client.get(response["Location"]))
    assert "Pending Documents" in page and f"{order.reference}-2" in page
    tab = text_of(admin_client.get(reverse("orders:orders_tab", args=["port"])))
    assert order.reference in tab


def test_a_second_submit_of_the_same_form_places_one_order(admin_client, package):
    data = form_data(package, GOOD)
    first = admin_client.post(form_url(package), data)
    with scopes_disabled():
        data["port_list"] = str(PortList.objects.get().public_id)
    second = admin_client.post(form_url(package), data)
    assert Order.objects.filter(kind="port").count() == 1
    assert first["Location"] == second["Location"]


def test_submit_names_what_is_missing_beside_each_field(admin_client, package):
    data = form_data(package, [], account_number="", requested_at="")
    response = admin_client.post(form_url(package), data)
    page = text_of(response)
    assert "Enter the account number with the current carrier." in page
    assert "Add the numbers to port: click Port Numbers." in page
    assert not Order.objects.filter(kind="port").exists()


def test_numbers_with_errors_keep_the_order_from_being_submitted(admin_client, package):
    response = admin_client.post(form_url(package), form_data(package, [*GOOD, "+13037474113"]))
    assert "1 number has errors: open Review Numbers" in text_of(response)
    assert not Order.objects.filter(kind="port").exists()


def test_wireless_numbers_need_the_pin(admin_client, package):
    wireless = "+13037474171"  # the sandbox: 7 before the last digit
    response = admin_client.post(form_url(package), form_data(package, [*GOOD, wireless]))
    assert "1 of the numbers is wireless: enter the account number and PIN" in text_of(response)
    response = admin_client.post(
        form_url(package), form_data(package, [*GOOD, wireless], account_pin="4321")
    )
    assert response.status_code == 302


def test_a_partial_port_of_the_btn_needs_a_new_btn(admin_client, package):
    numbers = [*GOOD, ACME_ACCOUNT["btn"]]
    response = admin_client.post(form_url(package), form_data(package, numbers))
    assert "enter the new BTN for the services that stay" in text_of(response)
    response = admin_client.post(
        form_url(package), form_data(package, numbers, new_btn="+12122671401")
    )
    assert response.status_code == 302


def test_differences_from_the_carriers_record_are_shown_before_submission(admin_client, package):
    data = form_data(package, GOOD, account_number="ACM-99999", address_street="Broad St")
    response = admin_client.post(form_url(package), data)
    page = text_of(response)
    assert "The current carrier's record has the account number ACM-55210." in page
    assert "The current carrier's record has the street as “Broadway”." in page
    assert not Order.objects.filter(kind="port").exists()
    data["record_differences_confirmed"] = "on"
    assert admin_client.post(form_url(package), data).status_code == 302


def test_a_date_outside_porting_hours_is_refused(admin_client, package):
    saturday_noon_eastern = "2030-01-05T17:00:00+00:00"
    response = admin_client.post(
        form_url(package), form_data(package, GOOD, requested_at=saturday_noon_eastern)
    )
    assert "Saturday" in text_of(response)
    assert not Order.objects.filter(kind="port").exists()


def test_another_enterprises_open_port_is_an_error(admin_client, package, outsider):
    from .factories import submitted_order

    with scopes_disabled():
        submitted_order(outsider, entries=[GOOD[0]])
    response = admin_client.post(form_url(package), form_data(package, GOOD, action="check"))
    assert "1 of 4 numbers has errors" in text_of(response)


def test_numbers_already_in_inventory_are_errors(admin_client, package):
    add_numbers(package, [GOOD[1]])
    response = admin_client.post(form_url(package), form_data(package, GOOD, action="check"))
    assert "1 of 4 numbers has errors" in text_of(response)


def test_save_draft_and_resume_it(admin_client, package):
    data = form_data(package, GOOD, action="draft", account_number="", requested_at="")
    response = admin_client.post(form_url(package), data)
    order = Order.objects.get(kind="port")
    assert order.status == Order.Status.DRAFT
    edit = reverse("porting:edit", args=[order.public_id])
    assert response["Location"] == edit
    page = text_of(admin_client.get(edit))
    assert f"You are editing draft {order.reference}" in page
    assert GOOD[3] in page and 'value="Broadway"' in page
    with scopes_disabled():
        data = form_data(package, GOOD, port_list=str(PortOrder.objects.get().port_list.public_id))
    response = admin_client.post(edit, data)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING_DOCUMENTS
    assert [event.title for event in order.events.all()] == ["Draft", "Pending Documents"]
    with scopes_disabled():
        assert PortBatch.objects.filter(port_order__order=order).count() == 1
    # Submitted, the draft's page leads to the order.
    assert admin_client.get(edit)["Location"] == reverse(
        "orders:order_detail", args=[order.public_id]
    )


def test_review_numbers_pages_through_the_errors_and_downloads_them(admin_client, package):
    bad = [f"+1303747{4213 + 100 * n}" for n in range(55)]  # ...13: disconnected
    admin_client.post(form_url(package), form_data(package, [*GOOD, *bad], action="check"))
    with scopes_disabled():
        port_list = PortList.objects.get()
    review = reverse("porting:review", args=[port_list.public_id])
    page = text_of(admin_client.get(review))
    assert "55 of 59 numbers have errors" in page
    assert page.count("number disconnected") == 50
    next_url = re.search(r'href="(\?after=\d+)"', page).group(1)
    page = text_of(admin_client.get(review + next_url))
    assert page.count("number disconnected") == 5
    download = admin_client.get(reverse("porting:review_download", args=[port_list.public_id]))
    lines = body(download).decode().splitlines()
    assert len(lines) == 55
    assert lines[0].startswith(bad[0]) and "disconnected" in lines[0]
