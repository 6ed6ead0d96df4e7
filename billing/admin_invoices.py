"""Back office of invoices: the invoices with their lines, credit notes, billing profiles, and
the months not closed.

Invoices are the close's alone (billing.invoicing): staff read them, download their PDF and
queue the PDF again when it is overdue. A credit note is added through invoicing.credit, whose
refusals show at the form's fields. The months not closed are worked out when the page is
opened: each enterprise whose last ended month has no invoice, and why, on request.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import Enterprise
from core.admin import ReadOnlyAdmin
from core.jobs import enqueue

from .invoice_pdf import render_again
from .invoicing import close_due_months, credit, hold_reasons, last_ended_month, month_bounds
from .models import BillingProfile, CreditNote, Invoice, InvoiceLine


class MonthFilter(admin.SimpleListFilter):
    title = "month"
    parameter_name = "month"

    def lookups(self, request, model_admin):
        months = Invoice.objects.order_by("-period_start").values_list("period_start", flat=True)
        return [(f"{month:%Y-%m}", f"{month:%B %Y}") for month in months.distinct()[:24]]

    def queryset(self, request, queryset):
        if self.value():
            year, month = self.value().split("-")
            return queryset.filter(period_start__year=year, period_start__month=month)
        return queryset


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = [
        "position",
        "section",
        "description",
        "calls",
        "quantity",
        "unit_price",
        "amount",
        "interstate",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CreditNoteInline(admin.TabularInline):
    model = CreditNote
    fields = ["amount", "reason", "line", "created_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = [
        "number",
        "enterprise",
        "period_start",
        "status",
        "total",
        "amount_due",
        "balance",
        "due_on",
        "pdf_link",
    ]
    list_filter = ["status", MonthFilter]
    list_select_related = ["enterprise"]
    search_fields = ["number", "enterprise__name", "enterprise__account_number"]
    ordering = ["-period_start", "number"]
    inlines = [InvoiceLineInline, CreditNoteInline]
    actions = ["render_pdf_again"]
    fields = [
        "number",
        "enterprise",
        "status",
        ("period_start", "period_end"),
        ("issued_on", "due_on"),
        "previous_balance",
        ("recurring", "one_time", "usage", "taxes"),
        "total",
        ("paid", "credited"),
        "pdf_link",
        "created_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "pdf_link"]

    @admin.display(description="PDF")
    def pdf_link(self, invoice):
        if not invoice.pdf:
            return "Being prepared" if invoice.status == Invoice.Status.RENDERING else "—"
        url = reverse("admin:billing_invoice_pdf", args=[invoice.pk])
        return format_html('<a href="{}">Download</a>', url)

    @admin.action(description="Prepare the PDF again (invoices still being prepared)")
    def render_pdf_again(self, request, queryset):
        waiting = queryset.filter(status=Invoice.Status.RENDERING).select_related("enterprise")
        count = 0
        for invoice in waiting:
            render_again(invoice)
            count += 1
        skipped = queryset.count() - count
        messages.info(
            request,
            f"{count} invoice PDF(s) queued again."
            + (f" {skipped} already had theirs and were left alone." if skipped else ""),
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/pdf/", view(self.pdf_view), name="billing_invoice_pdf"),
            path("held/", view(self.held_view), name="billing_invoice_held"),
            path("held/<int:enterprise_id>/", view(self.why_view), name="billing_invoice_why"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "held_url": reverse("admin:billing_invoice_held")}
        return super().changelist_view(request, extra_context)

    def pdf_view(self, request, pk):
        """The stored PDF, for staff: never served from the storage directly."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        invoice = get_object_or_404(Invoice, pk=pk)
        if not invoice.pdf:
            raise Http404("This invoice's PDF is not ready.")
        return FileResponse(
            invoice.pdf.open("rb"), as_attachment=True, filename=f"Invoice {invoice.number}.pdf"
        )

    def held_view(self, request):
        """The enterprises whose last ended month has no invoice yet."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        enterprises = Enterprise.objects.exclude(status=Enterprise.Status.CLOSED).order_by("name")
        months = {enterprise.pk: last_ended_month(enterprise) for enterprise in enterprises}
        closed = set(
            Invoice.objects.filter(period_start__in=set(months.values())).values_list(
                "enterprise_id", "period_start"
            )
        )
        rows = [
            (enterprise, months[enterprise.pk])
            for enterprise in enterprises
            if (enterprise.pk, months[enterprise.pk]) not in closed
            and enterprise.created_at < month_bounds(enterprise, months[enterprise.pk])[1]
        ]
        return self._render(request, "Months not closed", {"rows": rows})

    def why_view(self, request, enterprise_id):
        """Why one enterprise's month is not closed; POST has the worker close it now."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        enterprise = get_object_or_404(Enterprise, pk=enterprise_id)
        month = last_ended_month(enterprise)
        if request.method == "POST":
            return self._close_now(request, enterprise, month)
        context = {
            "enterprise": enterprise,
            "month": month,
            "invoice": Invoice.objects.filter(enterprise=enterprise, period_start=month).first(),
            "reasons": hold_reasons(enterprise, month),
            "may_close": self.may_close(request),
        }
        return self._render(request, f"{enterprise}: {month:%B %Y}", context)

    def may_close(self, request):
        return request.user.has_perm("billing.add_invoice")

    def _close_now(self, request, enterprise, month):
        if not self.may_close(request):
            raise PermissionDenied
        enqueue(close_due_months, enterprise.pk, kind="Close the month", enterprise=enterprise)
        messages.success(
            request, f"The worker closes {month:%B %Y} for {enterprise} if nothing holds it."
        )
        return redirect("admin:billing_invoice_why", enterprise.pk)

    def _render(self, request, title, context):
        return TemplateResponse(
            request,
            "admin/billing/invoice/held.html",
            {**self.admin_site.each_context(request), "opts": self.opts, "title": title, **context},
        )


class CreditNoteForm(forms.ModelForm):
    """Made by invoicing.credit once the fields are valid: its refusals show at its fields."""

    by = None  # the staff member, set by CreditNoteAdmin.get_form

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = credit(
                cleaned["invoice"],
                cleaned["amount"],
                cleaned["reason"],
                by=self.by,
                line=cleaned.get("line"),
            )
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


@admin.register(CreditNote)
class CreditNoteAdmin(admin.ModelAdmin):
    list_display = ["invoice", "enterprise", "amount", "reason", "created_by", "created_at"]
    list_select_related = ["invoice", "enterprise", "created_by"]
    search_fields = ["invoice__number", "enterprise__name", "enterprise__account_number", "reason"]
    list_filter = ["created_at"]
    raw_id_fields = ["invoice", "line"]
    form = CreditNoteForm
    show_full_result_count = False

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["invoice", "line", "amount", "reason"]
        return [field.name for field in CreditNote._meta.fields if field.name != "id"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def get_readonly_fields(self, request, obj=None):
        # A credit note is never changed: another credit, or none, corrects it.
        return [field.name for field in CreditNote._meta.fields] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """Saved already, by invoicing.credit in the form's clean()."""


@admin.register(BillingProfile)
class BillingProfileAdmin(admin.ModelAdmin):
    list_display = ["enterprise", "billing_email", "address_state", "tax_exempt", "autopay"]
    list_select_related = ["enterprise"]
    list_filter = ["tax_exempt", "autopay", "address_state"]
    search_fields = ["enterprise__name", "enterprise__account_number", "billing_email"]
    raw_id_fields = ["enterprise", "autopay_method"]
    show_full_result_count = False
