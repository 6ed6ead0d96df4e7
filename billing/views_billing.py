"""The Billing page: the balance, this month's usage so far, and per month the four downloads
customers take (the invoice PDF, the call records, the message records and a summary); each
invoice's page with its lines, payments, credits and disputes; the spend alert thresholds.

The page reads totals, never records: the month so far from the hourly rollups (UsageHour, whose
charges rating keeps), a closed month from its invoice's lines. The record files are streamed
by PostgreSQL's COPY, or written by a job when long (core.exports).
"""

from datetime import UTC, date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import F, Min, Q, Sum
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.badges import badge
from core.htmx import redirect_after_post
from core.tables import Column, DataTable, table_rows
from core.tenancy import enterprise_permission_required, get_for_member
from trunks.models import Package

from . import disputes, spend
from .forms_billing import DisputeForm, SpendAlertForm
from .invoicing import cents, month_bounds
from .models import (
    BillingProfile,
    CallRecord,
    DestinationClass,
    Dispute,
    Invoice,
    InvoiceLine,
    MessageRecord,
)
from .permissions import MANAGE_SPEND_ALERTS, PAY_INVOICES, VIEW_BILLING
from .tables import FILE_COLUMNS, FILE_TIME_FORMAT, CallRecordTable, FileTime

MONTHS_A_PAGE = 12
USAGE_CACHE_SECONDS = 60
DESTINATIONS = dict(DestinationClass.choices)
SECONDS_A_MINUTE = Decimal(60)


def _month_in_url(text):
    """The first day of the month "YYYY-MM" names; 404 for anything else."""
    try:
        return date.fromisoformat(f"{text}-01")
    except (TypeError, ValueError):
        raise Http404("No such month.") from None


def _month_url(name, month):
    return reverse(name, kwargs={"month": f"{month:%Y-%m}"})


def _minutes(seconds):
    return (Decimal(seconds) / SECONDS_A_MINUTE).quantize(Decimal("0.1"))


# What the enterprise owes ----------------------------------------------------------------------


def account_status(enterprise):
    """The balance of the enterprise's invoices and the next date one of them is due."""
    owing = Q(total__gt=F("paid") + F("credited"))
    figures = Invoice.objects.filter(enterprise=enterprise).aggregate(
        balance=Sum(F("total") - F("paid") - F("credited"), default=Decimal(0)),
        next_due=Min("due_on", filter=owing),
    )
    today = timezone.localdate(timezone=ZoneInfo(enterprise.time_zone))
    figures["overdue"] = figures["next_due"] is not None and figures["next_due"] < today
    return figures


def dashboard_tile(request):
    """The Billing card of the dashboard: the balance and when it is due."""
    return account_status(request.enterprise)


# The month's usage, from the hourly totals -----------------------------------------------------


def _usage_hours(enterprise, month):
    return spend.usage_hours(enterprise, *month_bounds(enterprise, month))


USAGE_SUMS = {
    "answered": Sum("answered", default=0),
    "unrated": Sum("unrated", default=0),
    "rated_seconds": Sum("rated_seconds", default=0),
    "charge": Sum("charge", default=Decimal(0)),
}


def _usage_figures(sums):
    """Calls rated, their billed minutes and charge; a call no rate covered yet is left out
    (and counted as being rated) rather than shown as free."""
    return {
        "calls": sums["answered"] - sums["unrated"],
        "minutes": _minutes(sums["rated_seconds"]),
        "amount": cents(sums["charge"]),
        "being_rated": sums["unrated"],
    }


def usage_so_far(enterprise, month):
    """The month's figures so far, kept USAGE_CACHE_SECONDS: they change only as records load
    (every minute), and a busy enterprise's month is tens of thousands of hourly rows to add."""
    key = f"billing:usage-so-far:{enterprise.pk}:{month:%Y-%m}"
    figures = cache.get(key)
    if figures is None:
        figures = _usage_figures(_usage_hours(enterprise, month).aggregate(**USAGE_SUMS))
        cache.set(key, figures, USAGE_CACHE_SECONDS)
    return figures


def summary_rows(enterprise, month, invoice=None):
    """The month's usage by package and destination class, and its calls being rated: once it
    is closed, the usage lines billing its calls (its invoice's, and the late usage lines of
    later invoices); the hourly totals until then."""
    if invoice is not None:
        rows = (
            InvoiceLine.objects.filter(
                enterprise=enterprise,
                section=InvoiceLine.Section.USAGE,
                usage_month=invoice.period_start,
            )
            .values("package_id", "destination_class")
            .annotate(
                calls=Sum("calls", default=0),
                quantity=Sum("quantity", default=Decimal(0)),
                amount=Sum("amount"),
            )
        )
        figures = [
            {**row, "minutes": row["quantity"].quantize(Decimal("0.1"))}
            for row in rows
            if row["calls"] or row["amount"]
        ]
        being_rated = 0
    else:
        rows = list(
            _usage_hours(enterprise, month)
            .values("package_id", "destination_class")
            .annotate(**USAGE_SUMS)
            .order_by()
        )
        figures = [
            {**row, **_usage_figures(row)} for row in rows if row["answered"] or row["charge"]
        ]
        being_rated = sum(row["unrated"] for row in rows)
    # The packages named apart: joined, each of the month's hourly rows would carry its name.
    names = dict(
        Package.objects.filter(pk__in={row["package_id"] for row in figures}).values_list(
            "pk", "name"
        )
    )
    for row in figures:
        row["package"] = names.get(row["package_id"], "No package")
        row["destination"] = DESTINATIONS.get(row["destination_class"], row["destination_class"])
    figures.sort(key=lambda row: (row["package_id"] is None, row["package"], row["destination"]))
    return figures, being_rated


# The Billing page ------------------------------------------------------------------------------


def _months_page(request):
    """A page of the invoices, newest first, after the month ?before= names (keyset)."""
    invoices = Invoice.objects.filter(enterprise=request.enterprise).order_by("-period_start")
    before = request.GET.get("before")
    if before:
        invoices = invoices.filter(period_start__lt=_month_in_url(before))
    page = list(invoices[: MONTHS_A_PAGE + 1])
    older = None
    if len(page) > MONTHS_A_PAGE:
        page = page[:MONTHS_A_PAGE]
        older = f"?before={page[-1].period_start:%Y-%m}"
    return page, older, bool(before)


def _downloads(month):
    return {
        "calls_url": _month_url("billing:month_calls", month),
        "messages_url": _month_url("billing:month_messages", month),
        "summary_url": _month_url("billing:month_summary", month),
    }


def _link(url, text, label):
    return f'<a href="{escape(url)}" aria-label="{escape(label)}">{escape(text)}</a>'


def _invoice_cell(row, viewer):
    invoice = row["invoice"]
    if invoice is None:
        return escape(row["state"])
    number = escape(invoice.number)
    page = reverse("billing:invoice", kwargs={"number": invoice.number})
    if invoice.status == Invoice.Status.RENDERING:
        pdf = '<span class="muted">PDF being prepared</span>'
    else:
        pdf_url = reverse("billing:invoice_pdf", kwargs={"number": invoice.number})
        pdf = _link(pdf_url, "PDF", f"Invoice {invoice.number} (PDF)")
    return mark_safe(f'<a href="{escape(page)}">{number}</a> · {pdf}')  # noqa: S308


def _status_cell(row, viewer):
    invoice = row["invoice"]
    if invoice is None:
        return ""
    if invoice.status == Invoice.Status.OPEN:
        return badge(f"{_dollars(invoice.balance)} due", "warn")
    return badge(invoice.get_status_display(), STATUS_TONES[invoice.status])


def _download_cell(key, text):
    def cell(row, viewer):
        label = f"{text} of {row['month']:%B %Y}"
        return mark_safe(_link(row[key], text, label))  # noqa: S308

    return cell


def _dollars(amount):
    return f"${amount:,.2f}"


STATUS_TONES = {Invoice.Status.RENDERING: "muted", Invoice.Status.PAID: "ok"}
MONTH_COLUMNS = [
    Column("month", "Month", value=lambda row: f"{row['month']:%B %Y}"),
    Column("invoice", "Invoice", html=_invoice_cell),
    Column(
        "amount",
        "Amount",
        value=lambda row: _dollars(row["invoice"].amount_due) if row["invoice"] else "",
    ),
    Column("due", "Due", value=lambda row: row["invoice"].due_on if row["invoice"] else ""),
    Column("status", "Status", html=_status_cell),
    Column("calls", "Call records", html=_download_cell("calls_url", "Call records (CSV)")),
    Column(
        "messages", "Message records", html=_download_cell("messages_url", "Message records (CSV)")
    ),
    Column("summary", "Summary", html=_download_cell("summary_url", "Summary")),
]


def _open_months(enterprise, invoices):
    """The months not invoiced yet: this one, and the last while its invoice is made."""
    this_month = spend.current_month(enterprise)
    months = [(this_month, "Month in progress: invoiced on the 1st")]
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    invoiced = invoices and invoices[0].period_start >= last_month
    if not invoiced and _usage_hours(enterprise, last_month).exists():
        months.append((last_month, "Invoice being made"))
    return [
        {"month": month, "invoice": None, "state": state, **_downloads(month)}
        for month, state in months
    ]


def _spend_form(enterprise):
    profile = BillingProfile.objects.filter(enterprise=enterprise).first()
    return SpendAlertForm(
        initial={
            "monthly_spend": profile and profile.monthly_spend_threshold,
            "international_hourly": profile and profile.international_hourly_threshold,
        }
    )


@enterprise_permission_required(VIEW_BILLING)
def billing_page(request):
    enterprise = request.enterprise
    invoices, older_url, is_older_page = _months_page(request)
    this_month = spend.current_month(enterprise)
    months = [] if is_older_page else _open_months(enterprise, invoices)
    months += [
        {"month": invoice.period_start, "invoice": invoice, **_downloads(invoice.period_start)}
        for invoice in invoices
    ]
    context = {
        "account": account_status(enterprise),
        "this_month": this_month,
        "usage": usage_so_far(enterprise, this_month),
        "columns": MONTH_COLUMNS,
        "months": table_rows(MONTH_COLUMNS, months, request.user),
        "older_url": older_url,
        "newest_url": request.path if is_older_page else None,
    }
    if request.user.has_perm(MANAGE_SPEND_ALERTS):
        context["spend_form"] = _spend_form(enterprise)
    return render(request, "billing/billing/billing.html", context)


@enterprise_permission_required(MANAGE_SPEND_ALERTS)
def spend_alerts(request):
    """Set the spend alert thresholds (the Billing page's form, also a page of its own)."""
    form = (
        SpendAlertForm(request.POST)
        if request.method == "POST"
        else _spend_form(request.enterprise)
    )
    if request.method == "POST" and form.is_valid():
        spend.set_thresholds(request.user, **form.cleaned_data)
        messages.success(request, "The spend alerts were saved.")
        return redirect(reverse("billing:billing") + "#spend-alerts")
    return render(request, "billing/billing/spend_alerts.html", {"form": form})


# An invoice ------------------------------------------------------------------------------------


def _plain(number):
    """A quantity as written by hand: 61.2, 2,000, 0.0125 (not 61.2000 or 2E+3)."""
    return "" if number is None else f"{number.normalize():,f}"


def _price(number):
    """A unit price in dollars, to the cent or as finely as it is set: $2.50, $0.0125."""
    if number is None:
        return ""
    number = number.normalize()
    if number.as_tuple().exponent > -2:
        number = number.quantize(Decimal("0.01"))
    return f"${number:,f}"


def _sections(invoice, open_disputes, may_dispute):
    sections = {section: [] for section in InvoiceLine.Section}
    for line in invoice.lines.order_by("position"):
        line.quantity_text, line.unit_price_text = _plain(line.quantity), _price(line.unit_price)
        line.open_dispute = open_disputes.get(line.pk)
        line.may_dispute = may_dispute and line.open_dispute is None
        sections[line.section].append(line)
    return [
        {"label": section.label, "lines": lines} for section, lines in sections.items() if lines
    ]


@enterprise_permission_required(VIEW_BILLING)
def invoice_detail(request, number):
    invoice = get_for_member(request, Invoice.objects.select_related("enterprise"), number=number)
    disputed = list(invoice.disputes.select_related("line", "credit_note"))
    may_pay = request.user.has_perm(PAY_INVOICES)
    may_dispute = may_pay and disputes.invoice_refusal(invoice) is None
    context = {
        "invoice": invoice,
        "sections": _sections(
            invoice,
            {d.line_id: d for d in disputed if d.status == Dispute.Status.OPEN},
            may_dispute,
        ),
        "payments": invoice.payments.all(),
        "credit_notes": invoice.credit_notes.all(),
        "disputes": disputed,
        "pay_url": reverse("billing:pay_invoice", kwargs={"number": invoice.number})
        if may_pay and invoice.status == Invoice.Status.OPEN and invoice.balance > 0
        else None,
        **_downloads(invoice.period_start),
    }
    return render(request, "billing/billing/invoice.html", context)


@enterprise_permission_required(VIEW_BILLING)
def invoice_pdf(request, number):
    invoice = get_for_member(request, Invoice.objects.all(), number=number)
    if invoice.status == Invoice.Status.RENDERING or not invoice.pdf:
        raise Http404("The invoice is being prepared.")
    try:
        pdf = invoice.pdf.open("rb")
    except FileNotFoundError:
        raise Http404("The invoice is being prepared.") from None
    return FileResponse(
        pdf,
        as_attachment=True,
        filename=f"invoice-{invoice.number}.pdf",
        content_type="application/pdf",
    )


@enterprise_permission_required(PAY_INVOICES)
def dispute_line(request, number, position):
    """Dispute one line of an invoice, with a reason (a pop-up over the invoice's page)."""
    invoice = get_for_member(request, Invoice.objects.select_related("enterprise"), number=number)
    line = get_object_or_404(invoice.lines.all(), position=position)
    form = DisputeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            disputes.open_dispute(request.user, line, form.cleaned_data["reason"])
        except ValidationError as refusal:
            form.add_error("reason", refusal)
        else:
            messages.success(
                request,
                f"Your dispute of “{line.description}” is recorded: we e-mail you our answer.",
            )
            return redirect_after_post(request, "billing:invoice", number=invoice.number)
    return render(
        request,
        "billing/billing/dispute.html",
        {"invoice": invoice, "line": line, "form": form, "refusal": disputes.refusal(line)},
    )


# A month's downloads ---------------------------------------------------------------------------


def _invoice_of(enterprise, month):
    return Invoice.objects.filter(enterprise=enterprise, period_start=month).first()


@enterprise_permission_required(VIEW_BILLING)
def month_summary(request, month):
    month = _month_in_url(month)
    invoice = _invoice_of(request.enterprise, month)
    rows, being_rated = summary_rows(request.enterprise, month, invoice)
    totals = {
        "calls": sum(row["calls"] for row in rows),
        "minutes": sum((row["minutes"] for row in rows), Decimal(0)),
        "amount": sum((row["amount"] for row in rows), Decimal(0)),
    }
    return render(
        request,
        "billing/billing/summary.html",
        {
            "month": month,
            "invoice": invoice,
            "rows": rows,
            "totals": totals,
            "being_rated": being_rated,
            **_downloads(month),
        },
    )


class MonthCallRecordTable(CallRecordTable):
    """The call records of one month of the enterprise's time zone (params "month": YYYY-MM),
    as a call record file with each call's billed seconds and charge."""

    name = "billing-call-records"
    permission = VIEW_BILLING

    def get_queryset(self):
        month = _month_in_url(self.params.get("month"))
        since, until = month_bounds(self.user.enterprise, month)
        return CallRecord.objects.filter(
            enterprise=self.user.enterprise, started_at__gte=since, started_at__lt=until
        ).select_related("trunk")

    @property
    def export_columns(self):
        return [
            *FILE_COLUMNS,
            Column("rated_seconds", "billed_seconds"),
            Column("charge", "charge"),
        ]


class MonthMessageRecordTable(DataTable):
    """The message records of one month, as a message record file (billing.columns)."""

    name = "billing-message-records"
    permission = VIEW_BILLING
    default_sort = "sent_time"
    columns = [
        Column("message_id", "message_id"),
        Column(
            "sent_time",
            "sent_time",
            value=lambda record: record.sent_at.astimezone(UTC).strftime(FILE_TIME_FORMAT),
            export=FileTime("sent_at"),
        ),
        Column("direction", "direction"),
        Column("kind", "kind"),
        Column("from", "from", value=lambda record: record.from_number, export="from_number"),
        Column("to", "to", value=lambda record: record.to_number, export="to_number"),
        Column(
            "customer_number",
            "customer_number",
            value=lambda record: record.number,
            export="number",
        ),
        Column("segments", "segments"),
        Column("status", "status"),
        Column("error_code", "error_code"),
    ]

    def get_queryset(self):
        month = _month_in_url(self.params.get("month"))
        since, until = month_bounds(self.user.enterprise, month)
        return MessageRecord.objects.filter(
            enterprise=self.user.enterprise, sent_at__gte=since, sent_at__lt=until
        )

    def _ordering(self, descending):
        return [F("sent_at").asc(), F("message_id").asc()]


def _month_records(request, table_class, month, kind):
    month = _month_in_url(month)
    table = table_class(request.user, QueryDict(f"month={month:%Y-%m}"))
    return table.csv_response(f"{kind}-{request.enterprise.account_number}-{month:%Y-%m}.csv")


@enterprise_permission_required(VIEW_BILLING)
def month_calls(request, month):
    return _month_records(request, MonthCallRecordTable, month, "call-records")


@enterprise_permission_required(VIEW_BILLING)
def month_messages(request, month):
    return _month_records(request, MonthMessageRecordTable, month, "message-records")


urlpatterns = [
    path("billing/", billing_page, name="billing"),
    path("billing/spend-alerts/", spend_alerts, name="spend_alerts"),
    path("billing/months/<str:month>/summary/", month_summary, name="month_summary"),
    path("billing/months/<str:month>/call-records.csv", month_calls, name="month_calls"),
    path("billing/months/<str:month>/message-records.csv", month_messages, name="month_messages"),
    path("billing/invoices/<str:number>/", invoice_detail, name="invoice"),
    path("billing/invoices/<str:number>/invoice.pdf", invoice_pdf, name="invoice_pdf"),
    path(
        "billing/invoices/<str:number>/lines/<int:position>/dispute/",
        dispute_line,
        name="dispute_line",
    ),
]
