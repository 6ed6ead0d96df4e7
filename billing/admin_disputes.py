"""Back office of disputes and spend alerts.

Staff read each dispute of an invoice line and resolve an open one on its own page: upheld
with a credit note on the invoice, or rejected with their reasons; the customer sees the answer
on the invoice and is e-mailed (billing.disputes). The spend alerts sent are listed, to call a
customer whose international traffic spiked.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from core.admin import ReadOnlyAdmin

from . import disputes
from .models import Dispute, SpendAlert


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("credit", "Uphold it with a credit"), ("reject", "Reject it: no credit")],
        widget=forms.RadioSelect,
    )
    amount = forms.DecimalField(
        label="Credit ($)",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Taken off the invoice's balance; at most what it has left to pay.",
    )
    resolution = forms.CharField(
        label="Answer to the customer",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown on the invoice and e-mailed. Needed when there is no credit.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "credit" and cleaned.get("amount") is None:
            self.add_error("amount", "Enter the amount to credit.")
        return cleaned


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ["invoice", "line", "enterprise", "status", "raised_at", "resolve_link"]
    list_filter = ["status", "enterprise"]
    list_select_related = ["invoice", "line", "enterprise"]
    search_fields = ["invoice__number", "line__description", "enterprise__name", "reason"]
    ordering = ["-raised_at"]

    def get_urls(self):
        return [
            path(
                "<int:pk>/resolve/",
                self.admin_site.admin_view(self.resolve_view),
                name="billing_dispute_resolve",
            ),
            *super().get_urls(),
        ]

    def may_resolve(self, request):
        return request.user.has_perm("billing.change_dispute") and request.user.has_perm(
            "billing.add_creditnote"
        )

    @admin.display(description="Resolve")
    def resolve_link(self, dispute):
        if dispute.status != Dispute.Status.OPEN:
            return dispute.get_status_display()
        url = reverse("admin:billing_dispute_resolve", args=[dispute.pk])
        return format_html('<a href="{}">Resolve</a>', url)

    def resolve_view(self, request, pk):
        """Uphold the dispute with a credit note, or reject it; the customer is e-mailed."""
        if not self.may_resolve(request):
            raise PermissionDenied
        dispute = get_object_or_404(
            Dispute.objects.select_related("invoice", "line", "enterprise", "raised_by"), pk=pk
        )
        form = ResolveForm(request.POST or None)
        if dispute.status == Dispute.Status.OPEN and request.method == "POST" and form.is_valid():
            crediting = form.cleaned_data["decision"] == "credit"
            try:
                disputes.resolve(
                    dispute.pk,
                    by=request.user,
                    credit=form.cleaned_data["amount"] if crediting else None,
                    resolution=form.cleaned_data["resolution"],
                )
            except ValidationError as refusal:
                _add_errors(form, refusal)
            else:
                messages.success(request, f"The dispute of {dispute.line} is resolved.")
                return redirect("admin:billing_dispute_changelist")
        return TemplateResponse(
            request,
            "admin/billing/dispute/resolve.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": f"Resolve the dispute of {dispute.line}",
                "dispute": dispute,
                "form": form,
            },
        )


def _add_errors(form, refusal):
    """The service's refusal at the form's field it is about (credit's "amount", "reason")."""
    if not hasattr(refusal, "error_dict"):
        form.add_error(None, refusal)
        return
    for field, errors in refusal.error_dict.items():
        field = "resolution" if field == "reason" else field
        form.add_error(field if field in form.fields else None, errors)


@admin.register(SpendAlert)
class SpendAlertAdmin(ReadOnlyAdmin):
    list_display = ["enterprise", "kind", "period_start", "threshold", "spent", "sent_at"]
    list_filter = ["kind", "enterprise"]
    list_select_related = ["enterprise"]
    search_fields = ["enterprise__name", "enterprise__account_number"]
    ordering = ["-sent_at"]
