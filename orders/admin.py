"""The back office: carrier staff work orders through the same services as everyone else."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from audit.records import client_ip

from . import services
from .models import Order, OrderEvent

Status = Order.Status

# The staff moves: (URL and action name, target status, words on the button).
MOVES = {
    "start": (Status.IN_PROGRESS, "Start"),
    "complete": (Status.COMPLETED, "Complete"),
    "reject": (Status.REJECTED, "Reject"),
    "cancel": (Status.CANCELLED, "Cancel"),
}


class RejectForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The customer reads this in the e-mail and on the order's page.",
    )


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    fields = ["at", "who", "from_status", "happened", "note"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="Who")
    def who(self, event):
        """What the customer reads ("Carrier staff"), and which person it was."""
        if event.actor is None:
            return event.actor_label
        return f"{event.actor_label} ({event.actor.email})"

    @admin.display(description="What happened")
    def happened(self, event):
        """The new status, or the kind's event ("LOA uploaded"), with the part it is about."""
        return f"{event.title} ({event.part})" if event.part else event.title

    def has_add_permission(self, request, obj=None):
        return False


def _apply(request, order, move, reason=""):
    """Make one move as the staff member; say what happened. True when it was made."""
    kwargs = {"by": request.user, "ip_address": client_ip(request)}
    try:
        if move == "reject":
            services.reject(order, reason=reason, **kwargs)
        else:
            getattr(services, move)(order, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


class OrderAdminForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = []
        # The model's help texts speak to the customer.
        help_texts = {"customer_reference": "The customer's own reference, if they gave one."}


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    form = OrderAdminForm
    list_display = [
        "reference",
        "kind",
        "status",
        "enterprise",
        "customer_reference",
        "placed_by",
        "placed_at",
    ]
    list_filter = ["status", "kind", "enterprise"]
    list_select_related = ["enterprise", "placed_by"]
    search_fields = ["reference", "customer_reference", "enterprise__name"]
    date_hierarchy = "placed_at"
    show_full_result_count = False
    fields = [
        "reference",
        "kind",
        "summary",
        "details",
        "status",
        "rejection_reason",
        "enterprise",
        "customer_reference",
        "placed_by",
        "placed_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [OrderEventInline]
    actions = ["start_orders", "complete_orders", "reject_orders", "cancel_orders"]
    change_form_template = "admin/orders/order/change_form.html"

    @admin.display(description="Order")
    def summary(self, order):
        return order.describe()

    @admin.display(description="Details")
    def details(self, order):
        facts = order.kind_info.facts
        if facts is None:
            return "—"
        rows = format_html_join("", "<dt>{}</dt><dd>{}</dd>", facts(order))
        return format_html("<dl>{}</dl>", rows)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "<path:object_id>/move/<slug:move>/",
                self.admin_site.admin_view(self.move_view),
                name="orders_order_move",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        buttons = []
        if order is not None:
            buttons = [
                (label, reverse("admin:orders_order_move", args=[order.pk, move]))
                for move, (status, label) in MOVES.items()
                if status != order.status
                and services.refusal(order, status, by=request.user) is None
            ]
        extra_context = {**(extra_context or {}), "move_buttons": buttons}
        return super().change_view(request, object_id, form_url, extra_context)

    def move_view(self, request, object_id, move):
        """Confirm one move of one order; rejecting asks for the reason."""
        if move not in MOVES or not self.has_change_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order, pk=object_id)
        status, label = MOVES[move]
        form = RejectForm(request.POST or None) if move == "reject" else None
        if request.method == "POST" and (form is None or form.is_valid()):
            reason = form.cleaned_data["reason"] if form else ""
            if _apply(request, order, move, reason):
                messages.success(request, f"{order.reference} is now {status.label}.")
            return redirect("admin:orders_order_change", order.pk)
        return TemplateResponse(
            request,
            "admin/orders/order/move.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": f"{label} order {order.reference}",
                "order": order,
                "orders": [order],
                "form": form,
                "label": label,
                "action_url": request.path,
            },
        )

    def _bulk(self, request, queryset, move, reason=""):
        done = [order.reference for order in queryset if _apply(request, order, move, reason)]
        if done:
            status = MOVES[move][0]
            messages.success(request, f"Now {status.label}: {', '.join(done)}.")

    @admin.action(description="Start the selected orders", permissions=["change"])
    def start_orders(self, request, queryset):
        self._bulk(request, queryset, "start")

    @admin.action(description="Complete the selected orders", permissions=["change"])
    def complete_orders(self, request, queryset):
        self._bulk(request, queryset, "complete")

    @admin.action(description="Cancel the selected orders", permissions=["change"])
    def cancel_orders(self, request, queryset):
        self._bulk(request, queryset, "cancel")

    @admin.action(description="Reject the selected orders…", permissions=["change"])
    def reject_orders(self, request, queryset):
        form = RejectForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._bulk(request, queryset, "reject", form.cleaned_data["reason"])
            return None
        return TemplateResponse(
            request,
            "admin/orders/order/move.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Reject orders",
                "orders": queryset,
                "form": form,
                "label": "Reject",
                "action_url": "",
                "bulk_action": "reject_orders",
            },
        )
