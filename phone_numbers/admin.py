"""Back office views of numbers, number orders, E911 addresses and the supplier's pool.

All read only: numbers change through their orders (worked under Orders) and the Manage
services, so the customer's history and audit log say what happened.
"""

import re

from django.contrib import admin

from .models import E911Address, NumberEvent, NumberOrder, PhoneNumber, SupplyReservation


class ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def digits_search(field):
    """A search by the digits of a number, served by the trigram index on field."""

    def get_search_results(self, request, queryset, search_term):
        digits = re.sub(r"\D", "", search_term)
        if not search_term:
            return queryset, False
        if not digits:
            return queryset.none(), False
        return queryset.filter(**{f"{field}__contains": digits}), False

    return get_search_results


class NumberEventInline(admin.TabularInline):
    model = NumberEvent
    extra = 0
    fields = ["at", "action", "description", "actor_label", "order"]
    readonly_fields = fields
    can_delete = False
    ordering = ["-at", "-id"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PhoneNumber)
class PhoneNumberAdmin(ReadOnlyAdmin):
    list_display = ["e164", "kind", "status", "package", "city", "state", "enterprise"]
    list_filter = ["status", "kind", "enterprise"]
    list_select_related = ["package", "enterprise"]
    search_fields = ["e164"]
    search_help_text = "Digits of the number, e.g. 3035550142."
    inlines = [NumberEventInline]
    get_search_results = digits_search("e164")


@admin.register(NumberOrder)
class NumberOrderAdmin(ReadOnlyAdmin):
    list_display = ["order", "kind", "quantity", "package", "enterprise"]
    list_filter = ["kind", "enterprise"]
    list_select_related = ["order", "package", "enterprise"]
    search_fields = ["order__reference", "package__name", "enterprise__name"]


@admin.register(E911Address)
class E911AddressAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "label", "enterprise", "created_at"]
    list_filter = ["state", "enterprise"]
    list_select_related = ["enterprise"]
    search_fields = ["street", "city", "zip_code", "label", "enterprise__name"]


@admin.register(SupplyReservation)
class SupplyReservationAdmin(ReadOnlyAdmin):
    """The supplier's numbers handed out; no enterprise: the pool is nobody's."""

    list_display = ["e164", "order_reference", "reserved_at"]
    search_fields = ["e164", "order_reference"]

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        if term.upper().startswith("NO-"):
            return queryset.filter(order_reference=term.upper()), False
        return digits_search("e164")(self, request, queryset, term)
