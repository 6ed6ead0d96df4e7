"""Back office view of port orders and their batches.

Read only: a port order moves through its order (worked under Orders), so the customer's
timeline and audit log say what happened. Its numbers are listed on the customer's order page.
"""

from django.contrib import admin

from .models import PortBatch, PortOrder


class PortBatchInline(admin.TabularInline):
    model = PortBatch
    extra = 0
    fields = ["reference", "carrier", "spid", "number_count", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PortOrder)
class PortOrderAdmin(admin.ModelAdmin):
    list_display = ["order", "enterprise", "kind", "current_carrier", "package", "requested_at"]
    list_filter = ["kind", "enterprise"]
    list_select_related = ["order", "enterprise", "package"]
    search_fields = ["=order__reference", "current_carrier", "btn"]
    inlines = [PortBatchInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
