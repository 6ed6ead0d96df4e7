"""Back office of payments: every payment with its gateway reference, those pending or failing
first to hand, and the saved payment methods (the gateway's tokens, never card numbers).

Payments are written only by billing.paying: staff read them here. A payment Pending for long
is one whose gateway answer never came: the every-minute sweep asks the gateway about it and
fails it after paying.MAX_CHECKS checks, with nothing charged.
"""

from datetime import timedelta

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from core.admin import ReadOnlyAdmin

from .models import Payment, PaymentMethod

STUCK_AFTER = timedelta(minutes=10)


class AttentionFilter(admin.SimpleListFilter):
    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [
            ("stuck", f"Pending over {STUCK_AFTER.seconds // 60} minutes"),
            ("failing", "Declined or failed"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "stuck":
            return queryset.filter(
                status=Payment.Status.PENDING, created_at__lt=timezone.now() - STUCK_AFTER
            )
        if self.value() == "failing":
            return queryset.filter(
                Q(status=Payment.Status.DECLINED) | Q(status=Payment.Status.FAILED)
            )
        return queryset


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "enterprise",
        "invoice",
        "amount",
        "method_label",
        "status",
        "autopay",
        "gateway_reference",
        "failure",
        "checks",
        "settled_at",
    ]
    list_filter = [AttentionFilter, "status", "autopay", "kind"]
    list_select_related = ["enterprise", "invoice"]
    search_fields = [
        "invoice__number",
        "enterprise__name",
        "enterprise__account_number",
        "=gateway_reference",
        "=idempotency_key",
    ]
    ordering = ["-created_at"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(ReadOnlyAdmin):
    list_display = ["label", "kind", "enterprise", "expires", "created_at", "removed_at"]
    list_filter = ["kind"]
    list_select_related = ["enterprise"]
    search_fields = ["label", "enterprise__name", "enterprise__account_number"]
    ordering = ["-created_at"]
