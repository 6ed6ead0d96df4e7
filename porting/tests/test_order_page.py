"""A port order's page after submission: its batches with the carriers, a rejection to correct
and resubmit, and the temporary numbers it asked for."""

from django.urls import reverse
from django.utils import timezone

from core.actors import PORTAL
from orders.models import Order
from phone_numbers.models import PhoneNumber
from porting import submission
from porting.models import PortBatch

from .factories import submitted_order, with_documents

Status = Order.Status


def rejected_order(user):
    order = submitted_order(user, account_number="ACM-00000", record_differences_confirmed=True)
    order = with_documents(order, user)
    batch = PortBatch.objects.get(port_order__order=order)
    submission.reject(
        batch,
        [("account_number_mismatch", ""), ("address_mismatch", "The postal code is 10272.")],
        by=PORTAL,
    )
    order.refresh_from_db()
    return order


def page(client, order):
    return client.get(reverse("orders:order_detail", args=[order.public_id])).content.decode()


def test_the_order_page_shows_each_batch_with_its_carrier_and_foc_date(
    admin_client, admin_user, acme_scope
):
    order = with_documents(submitted_order(admin_user), admin_user)
    batch = PortBatch.objects.get(port_order__order=order)
    assert "Being sent" in page(admin_client, order)  # the carrier has not acknowledged it yet
    batch = submission.set_foc(batch, timezone.now().date().replace(year=2027), by=PORTAL)
    html = page(admin_client, order)
    assert batch.reference in html
    assert f"{batch.foc_date:%Y-%m-%d}" in html
    assert "FOC Confirmed" in html


def test_a_rejected_order_shows_the_reasons_and_correct_and_resubmit(
    admin_client, admin_user, read_only_user, client, acme_scope
):
    order = rejected_order(admin_user)
    html = page(admin_client, order)
    assert "Action required" in html
    assert "The account number does not match the current carrier&#x27;s record." in html
    assert "The postal code is 10272." in html
    assert reverse("porting:resubmit", args=[order.public_id]) in html

    client.force_login(read_only_user)
    assert reverse("porting:resubmit", args=[order.public_id]) not in page(client, order)


def test_resubmitting_without_correcting_what_was_rejected_is_refused_at_the_field(
    admin_client, admin_user, acme_scope
):
    order = rejected_order(admin_user)
    url = reverse("porting:resubmit", args=[order.public_id])
    form = admin_client.get(url).content.decode()
    assert "Rejected: The account number does not match" in form
    data = {
        **{name: getattr(order.port, name) for name in submission.CORRECTABLE},
        "address_country": "United States",
        "partial": "on",
    }
    response = admin_client.post(url, {**data, "account_holder": "Acme Telecom Inc."})
    assert response.status_code == 200
    assert "The current carrier rejected this: correct it before you resubmit." in (
        response.content.decode()
    )
    order.port.refresh_from_db()
    assert order.port.account_holder == "Acme Telecom"
    assert PortBatch.objects.get(port_order__order=order).status == Status.REJECTED

    response = admin_client.post(url, {**data, "account_number": "ACM-55210"})
    assert response.status_code == 302, response.context["form"].errors
    batch = PortBatch.objects.get(port_order__order=order)
    assert (batch.status, batch.version) == (Status.SUBMITTED, 1)
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
    assert order.port.account_number == "ACM-55210"


def test_resubmit_of_an_order_not_rejected_goes_back_to_the_order(
    admin_client, admin_user, acme_scope
):
    order = submitted_order(admin_user)
    response = admin_client.get(reverse("porting:resubmit", args=[order.public_id]))
    assert response.status_code == 302


def test_temporary_numbers_serve_while_the_port_is_pending_and_go_when_it_completes(
    admin_client, admin_user, acme_scope
):
    order = submitted_order(admin_user, temporary_numbers=2)
    temporary = PhoneNumber.objects.filter(order=order, kind="temporary")
    assert list(temporary.values_list("status", flat=True)) == ["active", "active"]
    assert {number.package_id for number in temporary} == {order.port.package_id}
    assert all(number.e164.startswith("+1303") for number in temporary)
    assert order.events.filter(event_type="temporary_numbers").exists()
    inventory = admin_client.get(reverse("phone_numbers:temporary"))
    assert temporary[0].display in inventory.content.decode()

    with_documents(order, admin_user)
    batch = PortBatch.objects.get(port_order__order=order)
    PortBatch.objects.filter(pk=batch.pk).update(sent_version=0)
    submission.complete(batch, by=PORTAL)
    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    assert set(temporary.values_list("status", flat=True)) == {"disconnected"}


def test_temporary_numbers_may_be_kept(admin_user, acme_scope):
    order = submitted_order(admin_user, temporary_numbers=1, keep_temporary_numbers=True)
    order = with_documents(order, admin_user)
    batch = PortBatch.objects.get(port_order__order=order)
    submission.complete(batch, by=PORTAL)
    assert list(
        PhoneNumber.objects.filter(order=order, kind="temporary").values_list("status", flat=True)
    ) == ["active"]
