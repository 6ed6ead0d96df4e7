"""The pages of paying: Pay invoice and the round trip through the sandbox's hosted page, the
payment history, payment methods and AutoPay."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from billing import paying
from billing.gateway import gateway
from billing.models import BillingProfile, Invoice, Payment, PaymentMethod
from billing.tests.test_payments import (
    BILLING_EMAIL,
    DECLINED,
    card_token,
    count_charges,
    make_invoice,
)
from trunks.tests.test_double_submit import run_together

PAY_URL = reverse("billing:pay_invoice", kwargs={"number": "ACC000001-202611"})
CARD = {"name": "Alice Admin", "number": "4242 4242 4242 4242", "expiry": "12/39", "cvc": "123"}


@pytest.fixture
def invoice(enterprise):
    BillingProfile.objects.create(enterprise=enterprise, billing_email=BILLING_EMAIL)
    return make_invoice(enterprise)


@pytest.fixture
def saved_card(admin_user):
    return PaymentMethod.objects.create(
        enterprise=admin_user.enterprise,
        kind="card",
        token=gateway().save_method(card_token()).token,
        label="Visa ending 4242",
        created_by=admin_user,
    )


def form_key(response):
    return re.search(r'name="key" value="([0-9a-f]{32})"', response.content.decode()).group(1)


def said(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_the_pay_page_offers_the_balance_and_a_key(admin_client, invoice, saved_card):
    response = admin_client.get(PAY_URL)
    page = response.content.decode()
    assert 'name="amount" value="120.00"' in page
    assert form_key(response)
    assert "Visa ending 4242" in page
    assert "A new card" in page
    assert "A new bank account (ACH)" in page
    # The portal's own form never asks for a card number.
    assert 'name="number"' not in page


def test_a_double_post_pays_once(admin_client, invoice, saved_card):
    data = {
        "amount": "50.00",
        "method": str(saved_card.pk),
        "key": form_key(admin_client.get(PAY_URL)),
    }
    first = admin_client.post(PAY_URL, data)
    second = admin_client.post(PAY_URL, data)

    assert first.url == second.url == reverse("billing:payments")
    assert Payment.objects.count() == 1
    invoice.refresh_from_db()
    assert invoice.paid == Decimal("50.00")
    assert "Paid $50.00 on invoice ACC000001-202611" in said(second)[0]


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "Enter an amount of at least $0.01."),
        ("-5", "Enter an amount of at least $0.01."),
        ("120.01", "That is more than the $120.00 still due on this invoice."),
    ],
)
def test_a_wrong_amount_is_shown_at_the_field(admin_client, invoice, saved_card, amount, message):
    data = {"amount": amount, "method": str(saved_card.pk), "key": "a" * 32}
    response = admin_client.post(PAY_URL, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {"amount": [message]}
    assert not Payment.objects.exists()


def test_another_enterprises_invoice_is_not_found(client, outsider, invoice):
    client.force_login(outsider)
    assert client.get(PAY_URL).status_code == 404
    data = {"amount": "1.00", "method": "new_card", "key": "b" * 32}
    assert client.post(PAY_URL, data).status_code == 404
    return_url = reverse("billing:pay_return", kwargs={"number": invoice.number})
    assert client.get(f"{return_url}?key={'b' * 32}&token=tok_x").status_code == 404
    with scopes_disabled():
        assert not Payment.objects.exists()


def through_hosted_page(client, data, card=CARD):
    """Post the Pay form for a new method, fill in the sandbox's page; the way back's URL."""
    to_gateway = client.post(PAY_URL, data)
    assert to_gateway.status_code == 302
    assert to_gateway.url.startswith("/billing/sandbox-gateway/")
    page = client.get(to_gateway.url)
    assert "Card number" in page.content.decode()
    back = client.post(to_gateway.url, card)
    assert back.status_code == 302
    return back.url


def test_a_new_card_through_the_hosted_page(admin_client, invoice):
    key = form_key(admin_client.get(PAY_URL))
    data = {"amount": "40.00", "method": "new_card", "key": key}
    back = through_hosted_page(admin_client, data)

    # Back to the portal with a token only: the card number stayed on the gateway's page.
    query = parse_qs(urlsplit(back).query)
    assert set(query) == {"key", "token"}
    assert query["key"] == [key]
    assert "4242" not in back
    done = admin_client.get(back)
    assert done.url == reverse("billing:payments")
    assert admin_client.get(back).url == reverse("billing:payments")  # a reload pays nothing more

    payment = Payment.objects.get()
    assert (payment.status, payment.amount, payment.method_label, payment.method) == (
        Payment.Status.SUCCEEDED,
        Decimal("40.00"),
        "Visa ending 4242",
        None,
    )
    assert "4242424242424242" not in str(Payment.objects.values().get())
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("80.00")
    history = admin_client.get(reverse("billing:payments")).content.decode()
    assert "$40.00" in history
    assert payment.gateway_reference in history


def test_a_new_bank_account_saved_for_later(admin_client, invoice):
    data = {"amount": "120.00", "method": "new_bank", "key": "c" * 32, "save_method": "on"}
    account = {"name": "Acme Telecom", "routing": "110000000", "account": "000123456789"}
    to_gateway = admin_client.post(PAY_URL, data)
    back = admin_client.post(to_gateway.url, account)
    admin_client.get(back.url)

    method = PaymentMethod.objects.get()
    assert (method.kind, method.label) == ("bank", "Bank account ending 6789")
    assert method.token.startswith("pm_")
    payment = Payment.objects.get()
    assert (payment.method, payment.status) == (method, Payment.Status.SUCCEEDED)
    invoice.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID


def test_a_declined_card_is_told_on_the_pay_page(admin_client, invoice):
    data = {"amount": "40.00", "method": "new_card", "key": "d" * 32}
    back = through_hosted_page(admin_client, data, {**CARD, "number": DECLINED})
    response = admin_client.get(back, follow=True)
    assert response.redirect_chain[-1][0] == PAY_URL
    assert "Your payment of $40.00 was declined: Card declined. Nothing was charged." in (
        response.content.decode()
    )


def test_the_hosted_page_refuses_bad_card_details(admin_client, invoice):
    to_gateway = admin_client.post(
        PAY_URL, {"amount": "1.00", "method": "new_card", "key": "e" * 32}
    )
    response = admin_client.post(
        to_gateway.url, {**CARD, "number": "4242 4242 4242 4241", "expiry": "01/20"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "number": ["Enter a valid card number."],
        "expiry": ["The card has expired."],
    }


def test_cancelling_on_the_hosted_page_charges_nothing(admin_client, invoice):
    to_gateway = admin_client.post(
        PAY_URL, {"amount": "1.00", "method": "new_card", "key": "f" * 32}
    )
    cancel_url = admin_client.get(to_gateway.url).context["cancel_url"]
    response = admin_client.get(cancel_url, follow=True)
    assert "Payment cancelled. Nothing was charged." in response.content.decode()
    assert not Payment.objects.exists()


def test_the_history_shows_the_enterprises_payments_only(
    admin_client, admin_user, invoice, saved_card, outsider, acme_scope
):
    with scopes_disabled():
        theirs = make_invoice(outsider.enterprise)
        theirs_method = PaymentMethod.objects.create(
            enterprise=outsider.enterprise, kind="card", token="pm_theirs", label="Visa ending 1881"
        )
        Payment.objects.create(
            enterprise=outsider.enterprise,
            invoice=theirs,
            amount=Decimal("7.00"),
            kind="card",
            method=theirs_method,
            method_label=theirs_method.label,
            idempotency_key="theirs",
        )
    paying.pay(
        admin_user,
        invoice,
        Decimal("12.34"),
        kind="card",
        method=saved_card,
        idempotency_key="history",
    )
    page = admin_client.get(reverse("billing:payments")).content.decode()
    assert "$12.34" in page
    assert "ACC000001-202611" in page
    assert "Visa ending 1881" not in page

    csv = b"".join(admin_client.get(reverse("billing:payments") + "?format=csv").streaming_content)
    lines = csv.decode().splitlines()
    assert lines[0].startswith("Date,Invoice,Amount,Paid with,Status")
    assert len(lines) == 2
    assert ",ACC000001-202611,12.34,Visa ending 4242,Paid," in lines[1]


def test_add_a_card_then_remove_it(admin_client, enterprise):
    to_gateway = admin_client.post(reverse("billing:add_payment_method"), {"kind": "card"})
    back = admin_client.post(to_gateway.url, CARD)
    response = admin_client.get(back.url, follow=True)
    assert "Visa ending 4242 was added." in response.content.decode()
    method = PaymentMethod.objects.get()

    remove_url = reverse("billing:remove_payment_method", args=[method.pk])
    assert "Remove Visa ending 4242?" in admin_client.get(remove_url).content.decode()
    response = admin_client.post(remove_url, follow=True)
    assert "Visa ending 4242 was removed." in response.content.decode()
    assert "No saved payment methods yet." in response.content.decode()
    assert admin_client.get(remove_url).status_code == 404


def test_autopay_on_and_off(admin_client, enterprise, saved_card):
    autopay_url = reverse("billing:autopay")
    response = admin_client.post(autopay_url, {"autopay": "on"})
    assert response.status_code == 400
    assert "Choose the card or bank account AutoPay pays with." in response.content.decode()

    response = admin_client.post(
        autopay_url, {"autopay": "on", "autopay_method": saved_card.pk}, follow=True
    )
    assert "AutoPay is on: each invoice is paid with Visa ending 4242" in (
        response.content.decode()
    )
    profile = BillingProfile.objects.get(enterprise=enterprise)
    assert (profile.autopay, profile.autopay_method) == (True, saved_card)

    admin_client.post(autopay_url, {})
    profile.refresh_from_db()
    assert profile.autopay is False


@pytest.mark.django_db(transaction=True)
def test_two_posts_at_the_same_instant_pay_once(admin_user, invoice, saved_card, monkeypatch):
    data = {"amount": "50.00", "method": str(saved_card.pk), "key": "9" * 32}
    charges = count_charges(monkeypatch)

    def post():
        client = Client()
        client.force_login(admin_user)
        return client.post(PAY_URL, data)

    first, second = run_together(post, post)

    assert first.url == second.url == reverse("billing:payments")
    assert charges == ["9" * 32]
    payment = Payment.objects.get()
    assert payment.status == Payment.Status.SUCCEEDED
    invoice.refresh_from_db()
    assert invoice.paid == Decimal("50.00")


def test_the_history_reads_a_page_in_queries_that_do_not_grow(
    admin_client, admin_user, invoice, saved_card, acme_scope
):
    def queries_of_the_page():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(reverse("billing:payments")).status_code == 200
        return len(queries)

    paying.pay(
        admin_user, invoice, Decimal("1.00"), kind="card", method=saved_card, idempotency_key="q0"
    )
    queries_of_the_page()  # the session's first request reads and writes more
    one = queries_of_the_page()
    for number in range(5):
        paying.pay(
            admin_user,
            invoice,
            Decimal("1.00"),
            kind="card",
            method=saved_card,
            idempotency_key=f"q{number + 1}",
        )
    assert queries_of_the_page() == one
