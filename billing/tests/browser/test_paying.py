"""The guide: pay part of an open invoice with a new card on the payment service's page, then
find the payment in the payment history and the invoice's balance lowered."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from billing.models import BillingProfile
from billing.tests.test_payments import BILLING_EMAIL, make_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_administrator_pays_part_of_an_invoice_by_card(
    page, admin_user, enterprise, signed_in, screenshot
):
    BillingProfile.objects.create(enterprise=enterprise, billing_email=BILLING_EMAIL)
    invoice = make_invoice(enterprise)
    signed_in(page, admin_user, reverse("billing:pay_invoice", kwargs={"number": invoice.number}))

    expect(page.get_by_role("heading", name=f"Pay invoice {invoice.number}")).to_be_visible()
    amount = page.get_by_label("Amount (USD)")
    expect(amount).to_have_value("120.00")
    amount.fill("45.50")
    page.get_by_label("A new card").check()
    screenshot(page, "pay-invoice")
    page.get_by_role("button", name="Pay", exact=True).click()

    # The payment service's page: the card is typed there, not in the portal.
    expect(page.get_by_role("heading", name="Sandbox payment page")).to_be_visible()
    expect(page.get_by_text(f"Pay $45.50 on invoice {invoice.number} by card.")).to_be_visible()
    page.get_by_label("Name on the card").fill("Alice Admin")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_label("Expiry (MM/YY)").fill("12/39")
    page.get_by_label("CVC").fill("123")
    screenshot(page, "sandbox-payment-page")
    page.get_by_role("button", name="Pay $45.50").click()

    expect(page.get_by_role("heading", name="Payment history", level=1)).to_be_visible()
    expect(page.get_by_text(f"Paid $45.50 on invoice {invoice.number}")).to_be_visible()
    row = page.get_by_role("row", name=re.compile(invoice.number))
    expect(row).to_contain_text("$45.50")
    expect(row).to_contain_text("Visa ending 4242")
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text("SBX-")
    screenshot(page, "payment-history")

    page.goto(reverse("billing:pay_invoice", kwargs={"number": invoice.number}))
    expect(page.locator("[data-balance]")).to_have_text("$74.50")
    expect(page.get_by_label("Amount (USD)")).to_have_value("74.50")
