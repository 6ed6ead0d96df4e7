"""The payments' URLs for the URL x persona test, and their back-office lists: merged into
url_cases.py and admin_cases.py.

Paying, payment methods and AutoPay are for Administrators and Billing users (PAY_INVOICES);
the payment history for those who see billing (VIEW_BILLING): the same roles today.
"""

from datetime import date
from decimal import Decimal

from django.urls import resolve

from billing.gateway import gateway
from billing.models import Invoice, MethodKind, Payment, PaymentMethod
from tests.admin_cases import Changelist
from tests.url_cases import ADMIN_ONLY, Case

# A month no other case's invoice takes: one invoice a month per enterprise.
PAY_INVOICE_NUMBER = "ACC000001-202501"


def open_invoice_and_card(enterprise, admin_user):
    """Acme's open invoice of PAY_INVOICE_NUMBER and a saved card to pay it with."""
    invoice = Invoice.objects.create(
        enterprise=enterprise,
        number=PAY_INVOICE_NUMBER,
        period_start=date(2025, 1, 1),
        period_end=date(2025, 1, 31),
        issued_on=date(2025, 2, 1),
        due_on=date(2025, 3, 3),
        status=Invoice.Status.OPEN,
        total=Decimal("120.00"),
    )
    method = PaymentMethod.objects.create(
        enterprise=enterprise,
        kind=MethodKind.CARD,
        token="pm_acme_card",
        label="Visa ending 4242",
        created_by=admin_user,
    )
    return invoice, method


def objects(enterprise, admin_user, general_user):
    invoice, method = open_invoice_and_card(enterprise, admin_user)
    hosted_page = gateway().start_session(
        kind=MethodKind.CARD,
        amount=Decimal("10.00"),
        invoice_number=invoice.number,
        idempotency_key="url-cases",
        return_url="/billing/payments/",
    )
    return {
        "pay_invoice": {"number": invoice.number},
        "payment_method": {"pk": method.pk},
        # The sandbox's page is the gateway's: its link is all it knows, no enterprise's object.
        "sandbox_session": resolve(hosted_page).kwargs,
    }


CASES = {
    "billing:pay_invoice": Case(kwargs="pay_invoice", allowed=ADMIN_ONLY),
    # Without a token from the hosted page: back to the Pay invoice page.
    "billing:pay_return": Case(kwargs="pay_invoice", allowed=ADMIN_ONLY, default=302),
    "billing:payments": Case(allowed=ADMIN_ONLY),
    "billing:payment_methods": Case(allowed=ADMIN_ONLY),
    "billing:add_payment_method": Case(allowed=ADMIN_ONLY),
    "billing:payment_method_return": Case(allowed=ADMIN_ONLY, default=302),
    "billing:remove_payment_method": Case(kwargs="payment_method", allowed=ADMIN_ONLY),
    # AutoPay is set with a POST from the payment methods page; a GET goes back there.
    "billing:autopay": Case(allowed=ADMIN_ONLY, default=302),
    "billing:sandbox_gateway": Case(kwargs="sandbox_session", names_object=False),
}


CHANGELISTS = {
    "billing.payment": Changelist(
        "ACC000001-202501", "status__exact=declined&attention=failing", "Card declined"
    ),
    "billing.paymentmethod": Changelist("4242", "kind__exact=card", "Visa ending 4242"),
}


def records(enterprise, admin_user, general_user):
    invoice, method = open_invoice_and_card(enterprise, admin_user)
    Payment.objects.create(
        enterprise=enterprise,
        invoice=invoice,
        amount=Decimal("50.00"),
        kind=MethodKind.CARD,
        method=method,
        method_label=method.label,
        idempotency_key="admin-cases",
        status=Payment.Status.DECLINED,
        failure="Card declined",
        created_by=admin_user,
    )
    return {}
