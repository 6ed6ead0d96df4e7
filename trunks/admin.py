"""Back office views of packages, trunks and routing; trunk orders are worked under Orders."""

from django.contrib import admin

from .models import Package, RoutingPolicy, RoutingTarget, Trunk, TrunkAddress


@admin.register(Package)
class PackageAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "enterprise", "created_at"]
    list_filter = ["type", "enterprise"]
    list_select_related = ["enterprise"]
    search_fields = ["name", "enterprise__name"]
    readonly_fields = ["enterprise", "type", "created_at"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


class TrunkAddressInline(admin.TabularInline):
    model = TrunkAddress
    extra = 0
    fields = ["kind", "host", "port", "transport", "position"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Trunk)
class TrunkAdmin(admin.ModelAdmin):
    """Read only: trunks change through their orders, so the customer is told and audited."""

    list_display = ["name", "package", "role", "status", "max_channels", "enterprise"]
    list_filter = ["status", "package__type", "enterprise"]
    list_select_related = ["package", "enterprise"]
    search_fields = ["name", "package__name", "enterprise__name", "addresses__host"]
    inlines = [TrunkAddressInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Trunk._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoutingTargetInline(admin.TabularInline):
    model = RoutingTarget
    extra = 0
    fields = ["trunk", "priority", "weight"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "package", "is_default", "fallback_number", "enterprise"]
    list_filter = ["is_default", "enterprise"]
    list_select_related = ["package", "enterprise"]
    search_fields = ["name", "package__name", "enterprise__name"]
    inlines = [RoutingTargetInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ["package", "name", "is_default", "fallback_number", "enterprise"]

    def has_add_permission(self, request):
        return False
