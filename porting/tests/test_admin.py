"""The porting back office: port orders with their batches and documents, the moves staff make
for a carrier worked by hand, and the statistics per losing carrier."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from core.models import Job
from orders.models import Order
from porting.carriers import REJECTION_REASONS
from porting.models import CarrierExchange, PortBatch

from .factories import submitted_order, with_documents

Status = Order.Status
SENDING_FAILED = "Sending failed — send again"


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def batch_of(order):
    return PortBatch.objects.select_related("submit_job").get(port_order__order=order)


def batch_url(batch):
    return reverse("admin:porting_portbatch_change", args=[batch.pk])


def move_url(batch, move):
    return reverse("admin:porting_portbatch_move", args=[batch.pk, move])


def buttons(page):
    """The words of the move buttons on a batch's page."""
    return [
        label
        for label in ("Send to carrier", "Set FOC date", "Complete", "Reject", "Cancel order")
        if f">{label}</a>" in page
    ]


@pytest.fixture
def sent_order(admin_user):
    """A port order whose one batch the carrier has: Submitted, version 0 sent."""
    order = with_documents(submitted_order(admin_user), admin_user)
    PortBatch.objects.filter(port_order__order=order).update(
        sent_version=0, sent_at=timezone.now(), carrier_reference="SBX-1"
    )
    return order


def test_a_port_order_shows_its_batches_and_documents(staff_client, admin_user):
    order = with_documents(submitted_order(admin_user), admin_user)
    batch = batch_of(order)
    page = staff_client.get(reverse("admin:porting_portorder_change", args=[order.port.pk])).text
    assert f'<a href="{batch_url(batch)}">{batch.reference}</a>' in page
    assert "Lakeshore Telephone Co." in page
    assert "Signed LOA" in page
    assert "loa.pdf" in page
    assert "invoice.pdf" in page
    assert "ACM-55210" in page  # the account number staff check with the carrier

    document = order.port.documents.get(kind="invoice")
    url = reverse("admin:porting_portorder_document", args=[order.port.pk, document.pk])
    assert f'href="{url}"' in page
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="invoice.pdf"'
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"


def test_the_port_order_list_shows_the_order_status(staff_client, admin_user):
    order = submitted_order(admin_user)
    page = staff_client.get(reverse("admin:porting_portorder_changelist")).text
    assert order.reference in page
    assert "Pending Documents" in page


def test_customers_cannot_download_documents_from_the_back_office(admin_client, admin_user):
    order = with_documents(submitted_order(admin_user), admin_user)
    document = order.port.documents.first()
    url = reverse("admin:porting_portorder_document", args=[order.port.pk, document.pk])
    response = admin_client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_batch_shows_its_exchanges_with_the_carrier(staff_client, sent_order):
    batch = batch_of(sent_order)
    CarrierExchange.objects.create(
        enterprise_id=batch.enterprise_id,
        batch=batch,
        call=CarrierExchange.Call.SUBMIT,
        summary="received (SBX-1)",
    )
    page = staff_client.get(batch_url(batch)).text
    assert "received (SBX-1)" in page
    assert sent_order.reference in page
    assert reverse("admin:core_job_change", args=[batch.submit_job_id]) in page


def test_a_batch_with_the_carrier_offers_the_carriers_moves(staff_client, sent_order):
    page = staff_client.get(batch_url(batch_of(sent_order))).text
    assert buttons(page) == ["Set FOC date", "Complete", "Reject", "Cancel order"]


def test_a_batch_being_sent_is_not_sent_again(staff_client, admin_user):
    order = with_documents(submitted_order(admin_user), admin_user)
    batch = batch_of(order)
    assert batch.submit_job.status == Job.Status.QUEUED
    page = staff_client.get(batch_url(batch)).text
    assert "Send to carrier" not in buttons(page)
    assert SENDING_FAILED not in page


def test_a_batch_whose_sending_failed_is_flagged_and_sent_again(staff_client, admin_user):
    order = with_documents(submitted_order(admin_user), admin_user)
    batch = batch_of(order)
    failed_job = batch.submit_job
    Job.objects.filter(pk=failed_job.pk).update(status=Job.Status.FAILED)

    listing = staff_client.get(reverse("admin:porting_portbatch_changelist")).text
    assert SENDING_FAILED in listing
    page = staff_client.get(batch_url(batch)).text
    assert SENDING_FAILED in page
    assert "Send to carrier" in buttons(page)

    response = staff_client.post(move_url(batch, "send"), follow=True)
    assert f"{batch.reference} is being sent to Lakeshore Telephone Co." in response.text
    batch.refresh_from_db()
    assert batch.submit_job != failed_job
    assert batch.submit_job.status == Job.Status.QUEUED
    assert batch.submit_job.created_by.email == "staff@carrier.test"


def test_staff_send_a_batch_whose_documents_came_another_way(staff_client, admin_user):
    order = submitted_order(admin_user)
    batch = batch_of(order)
    assert buttons(staff_client.get(batch_url(batch)).text) == ["Send to carrier", "Cancel order"]

    staff_client.post(move_url(batch, "send"))
    batch.refresh_from_db()
    order.refresh_from_db()
    assert batch.status == Status.SUBMITTED
    assert batch.submit_job is not None
    assert order.status == Status.SUBMITTED


def test_setting_the_foc_date_confirms_the_batch_and_its_order(staff_client, sent_order):
    batch = batch_of(sent_order)
    page = staff_client.get(move_url(batch, "foc")).text
    assert 'name="foc_date"' in page

    foc = date.today() + timedelta(days=10)
    response = staff_client.post(move_url(batch, "foc"), {"foc_date": foc.isoformat()}, follow=True)
    assert f"{batch.reference} is now FOC Confirmed." in response.text
    batch.refresh_from_db()
    sent_order.refresh_from_db()
    assert batch.status == Status.FOC_CONFIRMED
    assert batch.foc_date == foc
    assert batch.foc_confirmed_at is not None
    assert sent_order.status == Status.FOC_CONFIRMED
    assert sent_order.events.filter(event_type="batch_foc", actor__is_staff=True).exists()


def test_the_foc_date_is_required(staff_client, sent_order):
    batch = batch_of(sent_order)
    response = staff_client.post(move_url(batch, "foc"), {"foc_date": ""})
    assert response.status_code == 200
    assert 'id="id_foc_date_error"' in response.text
    batch.refresh_from_db()
    assert batch.status == Status.SUBMITTED


def test_rejecting_gives_the_customer_the_reasons(staff_client, sent_order):
    batch = batch_of(sent_order)
    page = staff_client.get(move_url(batch, "reject")).text
    for message, _fields in REJECTION_REASONS.values():
        if message != REJECTION_REASONS["other"][0]:
            assert escape(message) in page

    response = staff_client.post(
        move_url(batch, "reject"),
        {"reasons": ["btn_mismatch", "other"], "note": "The account was closed last month."},
        follow=True,
    )
    assert f"{batch.reference} is now Rejected." in response.text
    batch.refresh_from_db()
    sent_order.refresh_from_db()
    assert batch.status == Status.REJECTED
    assert batch.rejection == [
        {"code": "btn_mismatch", "message": REJECTION_REASONS["btn_mismatch"][0]},
        {"code": "other", "message": "The account was closed last month."},
    ]
    assert batch.rejection_count == 1
    assert sent_order.status == Status.REJECTED
    page = staff_client.get(batch_url(batch)).text
    assert "The account was closed last month." in page
    # The customer corrects and resubmits it; staff may still cancel the order.
    assert buttons(page) == ["Cancel order"]


@pytest.mark.parametrize(
    "data, error",
    [
        ({}, 'id="id_reasons_error"'),
        ({"reasons": ["other"]}, "Say what the carrier gave as the reason."),
        ({"reasons": ["btn_mismatch"], "note": "Closed."}, "go with Other: tick it too."),
    ],
)
def test_a_rejection_needs_reasons_and_words_for_other(staff_client, sent_order, data, error):
    batch = batch_of(sent_order)
    response = staff_client.post(move_url(batch, "reject"), data)
    assert response.status_code == 200
    assert error in response.text
    batch.refresh_from_db()
    assert batch.status == Status.SUBMITTED
    assert batch.rejection == []


def test_completing_ports_the_numbers(staff_client, sent_order):
    batch = batch_of(sent_order)
    staff_client.post(move_url(batch, "foc"), {"foc_date": date.today().isoformat()})

    response = staff_client.post(move_url(batch, "complete"), follow=True)
    assert f"{batch.reference} is now Completed." in response.text
    batch.refresh_from_db()
    sent_order.refresh_from_db()
    assert batch.status == Status.COMPLETED
    assert batch.completed_at is not None
    assert sent_order.status == Status.COMPLETED
    assert buttons(staff_client.get(batch_url(batch)).text) == []


def test_cancelling_cancels_the_order_and_its_batches(staff_client, sent_order):
    batch = batch_of(sent_order)
    response = staff_client.post(move_url(batch, "cancel"), follow=True)
    assert f"Order {sent_order.reference} is cancelled." in response.text
    batch.refresh_from_db()
    sent_order.refresh_from_db()
    assert sent_order.status == Status.CANCELLED
    assert batch.status == Status.CANCELLED


def test_a_refused_move_says_why_and_changes_nothing(staff_client, admin_user):
    order = submitted_order(admin_user)
    batch = batch_of(order)
    response = staff_client.post(move_url(batch, "complete"), follow=True)
    assert (
        f"Batch {batch.reference} is Pending Documents: it cannot be moved to Completed."
        in response.text
    )
    batch.refresh_from_db()
    order.refresh_from_db()
    assert batch.status == Status.PENDING_DOCUMENTS
    assert order.status == Status.PENDING_DOCUMENTS
    assert not order.events.filter(event_type="batch_completed").exists()


def test_cancelling_is_refused_once_a_batch_is_ported(staff_client, sent_order):
    batch = batch_of(sent_order)
    PortBatch.objects.filter(pk=batch.pk).update(status=Status.COMPLETED)
    response = staff_client.post(move_url(batch, "cancel"), follow=True)
    assert "has batches ported already" in response.text
    sent_order.refresh_from_db()
    assert sent_order.status != Status.CANCELLED


def test_customers_cannot_move_batches(admin_client, sent_order):
    batch = batch_of(sent_order)
    response = admin_client.post(move_url(batch, "complete"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    batch.refresh_from_db()
    assert batch.status == Status.SUBMITTED


def test_an_unknown_move_is_refused(staff_client, sent_order):
    assert staff_client.post(move_url(batch_of(sent_order), "teleport")).status_code == 403


STATISTICS_URL = reverse("admin:porting_portbatch_statistics")


def sent_batch(user, entries, *, carrier, days_to_foc=None, status=Status.SUBMITTED, **fields):
    order = submitted_order(user, entries=entries, package_name=f"Port {entries[0]}")
    sent_at = timezone.now() - timedelta(days=20)
    foc_confirmed_at = sent_at + timedelta(days=days_to_foc) if days_to_foc else None
    PortBatch.objects.filter(port_order__order=order).update(
        carrier=carrier,
        status=status,
        sent_version=0,
        sent_at=sent_at,
        foc_confirmed_at=foc_confirmed_at,
        **fields,
    )


def test_the_statistics_per_losing_carrier(staff_client, admin_user):
    sent_batch(admin_user, ["+13037474200"], carrier="Lakeshore", days_to_foc=2, status="completed")
    sent_batch(
        admin_user,
        ["+13037474300"],
        carrier="Lakeshore",
        days_to_foc=3,
        status="foc_confirmed",
        rejection_count=1,
    )
    sent_batch(admin_user, ["+13037474400"], carrier="Lakeshore", days_to_foc=7, status="submitted")
    sent_batch(
        admin_user, ["+13037474500"], carrier="Lakeshore", status="rejected", rejection_count=2
    )
    sent_batch(admin_user, ["+13037474600"], carrier="Summit", status="cancelled")
    # Not sent: not counted.
    submitted_order(admin_user, entries=["+13037474700"], package_name="Port waiting")

    assert (
        f'href="{STATISTICS_URL}"'
        in staff_client.get(reverse("admin:porting_portbatch_changelist")).text
    )
    response = staff_client.get(STATISTICS_URL)
    assert response.status_code == 200
    rows = {row["carrier"]: row for row in response.context["rows"]}
    assert set(rows) == {"Lakeshore", "Summit"}
    lakeshore = rows["Lakeshore"]
    assert (lakeshore["sent"], lakeshore["foc_confirmed"], lakeshore["completed"]) == (4, 3, 1)
    assert lakeshore["average_days"] == "4.0"
    assert lakeshore["median_days"] == "3.0"
    assert lakeshore["rejection_rate"] == "50%"
    assert lakeshore["open"] == 3
    summit = rows["Summit"]
    assert (summit["sent"], summit["open"], summit["average_days"]) == (1, 0, "—")
    assert summit["rejection_rate"] == "0%"
    assert "<td>4.0</td>" in response.text


def test_customers_cannot_see_the_statistics(admin_client):
    response = admin_client.get(STATISTICS_URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
