"""Paying invoices: the Pay invoice page and the way back from the gateway's hosted page, the
payment history, the saved payment methods and AutoPay. billing.paying holds the rules."""

import html
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import TextField, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache

from core.exports import DATETIME_SQL_FORMAT, ToChar, choice_label_sql
from core.htmx import redirect_after_post
from core.tables import Column, DataTable, choice_label, table_rows
from core.tenancy import enterprise_permission_required, get_for_member

from . import paying
from .forms_payments import AddMethodForm, AutoPayForm, PayForm, new_payment_key
from .gateway import GatewayUnavailable, gateway
from .gateway.sandbox import hosted_page
from .models import BillingProfile, Invoice, MethodKind, Payment, PaymentMethod
from .permissions import PAY_INVOICES, VIEW_BILLING

# The payments started on the hosted page, by idempotency key, until the browser comes back.
STARTED = "payments_started"
STARTED_KEPT = 10

STATUS_TONES = {
    Payment.Status.PENDING: "warn",
    Payment.Status.SUCCEEDED: "ok",
    Payment.Status.DECLINED: "danger",
    Payment.Status.FAILED: "danger",
}


def _methods():
    return PaymentMethod.objects.filter(removed_at__isnull=True).order_by("-created_at")


def _invoice(request, number):
    return get_for_member(request, Invoice.objects.all(), number=number)


# Paying -----------------------------------------------------------------------------------------


@never_cache
@enterprise_permission_required(PAY_INVOICES)
def pay_invoice(request, number):
    """Pay an invoice in full or in part, with a saved method or through the hosted page."""
    invoice = _invoice(request, number)
    methods = list(_methods())
    due = paying.still_due(invoice)
    form = PayForm(
        request.POST if request.method == "POST" else None,
        methods=methods,
        initial={
            "amount": max(due, Decimal(0)),
            "method": str(methods[0].pk) if methods else "new_card",
            "key": new_payment_key(),
        },
    )
    if request.method == "POST" and form.is_valid():
        amount, method, key = (form.cleaned_data[name] for name in ("amount", "method", "key"))
        try:
            if isinstance(method, PaymentMethod):
                payment = paying.pay(
                    request.user,
                    invoice,
                    amount,
                    kind=method.kind,
                    method=method,
                    idempotency_key=key,
                )
                return _outcome(request, payment)
            paying.check_amount(invoice, amount)
            return _to_hosted_page(request, invoice, amount, method, key, form)
        except ValidationError as refusal:
            form.add_error(None, refusal)
    return render(
        request,
        "billing/payments/pay.html",
        {"invoice": invoice, "form": form, "due": due, "payable": due > 0},
    )


def _to_hosted_page(request, invoice, amount, kind, key, form):
    started = request.session.get(STARTED, {})
    started[key] = {
        "invoice": invoice.number,
        "amount": str(amount),
        "kind": kind,
        "save": form.cleaned_data["save_method"],
    }
    request.session[STARTED] = dict(list(started.items())[-STARTED_KEPT:])
    return_url = reverse("billing:pay_return", kwargs={"number": invoice.number})
    url = gateway().start_session(
        kind=kind,
        amount=amount,
        invoice_number=invoice.number,
        idempotency_key=key,
        return_url=f"{return_url}?{urlencode({'key': key})}",
    )
    return redirect(url)


@never_cache
@enterprise_permission_required(PAY_INVOICES)
def pay_return(request, number):
    """Where the hosted page sends the browser back, with a token: pay with it (once)."""
    invoice = _invoice(request, number)
    key = request.GET.get("key", "")
    started = request.session.get(STARTED, {})
    intent = started.get(key)
    if intent is None or intent["invoice"] != invoice.number:
        # Back here again (a reload): show what became of the payment.
        payment = Payment.objects.filter(invoice=invoice, idempotency_key=key).first()
        if payment is not None:
            return _outcome(request, payment)
        messages.error(
            request, "That payment was not started, or has expired. Nothing was charged."
        )
        return redirect("billing:pay_invoice", number=invoice.number)
    if request.GET.get("cancelled") or not request.GET.get("token"):
        started.pop(key)
        request.session[STARTED] = started
        messages.info(request, "Payment cancelled. Nothing was charged.")
        return redirect("billing:pay_invoice", number=invoice.number)
    token = request.GET["token"]
    try:
        method = paying.add_method(request.user, token) if intent["save"] else None
        payment = paying.pay(
            request.user,
            invoice,
            Decimal(intent["amount"]),
            kind=intent["kind"],
            method=method,
            token=None if method else token,
            idempotency_key=key,
        )
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
        return redirect("billing:pay_invoice", number=invoice.number)
    except GatewayUnavailable:
        messages.error(request, paying.UNAVAILABLE)
        return redirect("billing:pay_invoice", number=invoice.number)
    started.pop(key)
    request.session[STARTED] = started
    return _outcome(request, payment)


def _outcome(request, payment):
    """Say what became of the payment: paid or pending, to the history; refused, back to pay."""
    amount = paying.dollars(payment.amount)
    number = payment.invoice.number
    if payment.status == Payment.Status.SUCCEEDED:
        messages.success(
            request,
            f"Paid {amount} on invoice {number} (reference {payment.gateway_reference}). "
            "The receipt is on its way by e-mail.",
        )
        return redirect("billing:payments")
    if payment.status == Payment.Status.PENDING:
        messages.warning(
            request,
            f"Your payment of {amount} on invoice {number} is Pending: the payment service has "
            "not confirmed it yet. It is settled within minutes; do not pay again.",
        )
        return redirect("billing:payments")
    if payment.status == Payment.Status.DECLINED:
        messages.error(
            request,
            f"Your payment of {amount} was declined: {payment.failure}. Nothing was charged.",
        )
    else:
        messages.error(request, payment.failure)
    return redirect("billing:pay_invoice", number=number)


# Payment history --------------------------------------------------------------------------------


class PaymentTable(DataTable):
    name = "payments"
    permission = VIEW_BILLING
    default_sort = "-created_at"
    # Sorted by the (enterprise, -created_at) index.
    columns = [
        Column("created_at", "Date", sort_by="created_at", always=True),
        Column("invoice", "Invoice", value=lambda p: p.invoice.number, export="invoice__number"),
        Column("amount", "Amount", value=lambda p: paying.dollars(p.amount), export="amount"),
        Column("method_label", "Paid with"),
        Column(
            "status",
            "Status",
            value=choice_label("status", Payment.Status.choices),
            badge=lambda p: STATUS_TONES[p.status],
            export=choice_label_sql("status", Payment.Status.choices),
        ),
        Column("failure", "Reason"),
        Column("gateway_reference", "Reference"),
        Column(
            "receipt_sent_at",
            "Receipt e-mailed",
            value=lambda p: p.receipt_sent_at or "—",
            export=Coalesce(
                ToChar("receipt_sent_at", DATETIME_SQL_FORMAT),
                Value("—"),
                output_field=TextField(),
            ),
        ),
        Column("autopay", "AutoPay", default=False),
    ]

    def get_queryset(self):
        return Payment.objects.filter(enterprise=self.user.enterprise).select_related("invoice")


@enterprise_permission_required(VIEW_BILLING)
def payments(request):
    table = PaymentTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response("payments.csv")
    return render(
        request,
        "billing/payments/history.html",
        {"table": table.context(), "can_pay": request.user.has_perm(PAY_INVOICES)},
    )


# Payment methods and AutoPay ------------------------------------------------------------------


def _remove_button(method, user):
    url = html.escape(reverse("billing:remove_payment_method", args=[method.pk]))
    return mark_safe(  # noqa: S308 - escaped parts
        f'<a class="button button--danger button--small" href="{url}" hx-get="{url}" '
        f'hx-target="#modal" aria-label="Remove {html.escape(method.label)}">Remove</a>'
    )


METHOD_COLUMNS = [
    Column("label", "Payment method"),
    Column("kind", "Kind", value=choice_label("kind", MethodKind.choices)),
    Column("expires", "Expires", value=lambda m: m.expires.strftime("%m/%Y") if m.expires else ""),
    Column("created_at", "Added"),
    Column("actions", "Actions", html=_remove_button),
]


@enterprise_permission_required(PAY_INVOICES)
def payment_methods(request):
    """The saved cards and bank accounts (tokens of the gateway), and AutoPay."""
    methods = _methods()
    profile = BillingProfile.objects.filter(enterprise=request.enterprise).first()
    autopay_form = AutoPayForm(
        methods=methods,
        initial={
            "autopay": profile.autopay if profile else False,
            "autopay_method": profile.autopay_method_id if profile else None,
        },
    )
    return _methods_page(request, methods, profile, autopay_form)


def _methods_page(request, methods, profile, autopay_form, status=200):
    return render(
        request,
        "billing/payments/methods.html",
        {
            "columns": METHOD_COLUMNS,
            "rows": table_rows(METHOD_COLUMNS, methods, request.user),
            "profile": profile,
            "autopay_form": autopay_form,
            "add_form": AddMethodForm(),
        },
        status=status,
    )


@enterprise_permission_required(PAY_INVOICES)
def autopay(request):
    """Turn AutoPay on with a saved method, or off."""
    if request.method != "POST":
        return redirect("billing:payment_methods")
    methods = _methods()
    form = AutoPayForm(request.POST, methods=methods)
    if form.is_valid():
        try:
            profile = paying.set_autopay(
                request.user,
                enabled=form.cleaned_data["autopay"],
                method=form.cleaned_data["autopay_method"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            if profile.autopay:
                messages.success(
                    request,
                    f"AutoPay is on: each invoice is paid with {profile.autopay_method} "
                    "on its due date.",
                )
            else:
                messages.success(request, "AutoPay is off.")
            return redirect("billing:payment_methods")
    profile = BillingProfile.objects.filter(enterprise=request.enterprise).first()
    return _methods_page(request, methods, profile, form, status=400)


@never_cache
@enterprise_permission_required(PAY_INVOICES)
def add_payment_method(request):
    """Choose card or bank account, then enter it on the gateway's hosted page."""
    form = AddMethodForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        url = gateway().start_session(
            kind=form.cleaned_data["kind"],
            amount=None,
            invoice_number="",
            idempotency_key=new_payment_key(),
            return_url=reverse("billing:payment_method_return"),
        )
        return redirect(url)
    return render(request, "billing/payments/add_method.html", {"form": form})


@never_cache
@enterprise_permission_required(PAY_INVOICES)
def payment_method_return(request):
    """Where the hosted page sends the browser back: save the method its token stands for."""
    token = request.GET.get("token")
    if request.GET.get("cancelled") or not token:
        messages.info(request, "No payment method was added.")
        return redirect("billing:payment_methods")
    try:
        method = paying.add_method(request.user, token)
    except ValidationError as refusal:
        messages.error(request, " ".join(refusal.messages))
    except GatewayUnavailable:
        messages.error(request, paying.UNAVAILABLE)
    else:
        messages.success(request, f"{method.label} was added.")
    return redirect("billing:payment_methods")


@enterprise_permission_required(PAY_INVOICES)
def remove_payment_method(request, pk):
    """Ask to confirm on GET; on POST stop offering the method (and AutoPay with it)."""
    method = get_for_member(request, _methods(), pk=pk)
    if request.method == "POST":
        autopay_off = paying.remove_method(request.user, method)
        text = f"{method.label} was removed."
        if autopay_off:
            text += " AutoPay, which paid with it, is off: choose another method to turn it on."
        messages.success(request, text)
        return redirect_after_post(request, "billing:payment_methods")
    return render(request, "billing/payments/remove_method.html", {"method": method})


urlpatterns = [
    path("billing/invoices/<str:number>/pay/", pay_invoice, name="pay_invoice"),
    path("billing/invoices/<str:number>/pay/return/", pay_return, name="pay_return"),
    path("billing/payments/", payments, name="payments"),
    path("billing/payment-methods/", payment_methods, name="payment_methods"),
    path("billing/payment-methods/add/", add_payment_method, name="add_payment_method"),
    path("billing/payment-methods/return/", payment_method_return, name="payment_method_return"),
    path(
        "billing/payment-methods/<int:pk>/remove/",
        remove_payment_method,
        name="remove_payment_method",
    ),
    path("billing/payment-methods/autopay/", autopay, name="autopay"),
    path("billing/sandbox-gateway/<str:session_id>/", hosted_page, name="sandbox_gateway"),
]
