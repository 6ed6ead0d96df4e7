from django.contrib import admin

from . import actions
from .models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """The actions the apps declare, by their words."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return actions.choices()

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "action_in_words",
        "actor_email",
        "enterprise",
        "object_type",
        "object_repr",
        "changes_in_words",
        "ip_address",
    ]
    list_filter = [ActionFilter, "enterprise"]
    list_select_related = ["enterprise"]
    search_fields = ["actor_email", "object_repr", "object_id", "ip_address", "enterprise__name"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = [
        "created_at",
        "action_in_words",
        "action",
        "enterprise",
        "actor",
        "actor_email",
        "object_type",
        "object_id",
        "object_repr",
        "changes_in_words",
        "details",
        "ip_address",
    ]
    readonly_fields = fields

    @admin.display(description="Action", ordering="action")
    def action_in_words(self, event):
        return event.action_label

    @admin.display(description="Changes")
    def changes_in_words(self, event):
        return event.changes_in_words

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
