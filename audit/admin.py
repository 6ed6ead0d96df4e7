from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action_label",
        "actor_email",
        "enterprise",
        "object_type",
        "object_repr",
        "ip_address",
    ]
    list_filter = ["enterprise"]
    list_select_related = ["enterprise"]
    search_fields = ["actor_email", "object_repr", "object_id", "ip_address", "enterprise__name"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
