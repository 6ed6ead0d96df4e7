from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from core import permissions

from .models import Application, Enterprise, Invitation, Role, User


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "icon", "launch_url"]
    search_fields = ["name"]


class UserInline(admin.TabularInline):
    model = User
    fields = ["email", "name", "role", "portal_access", "api_access", "sms_access", "is_active"]
    readonly_fields = ["email"]
    extra = 0
    show_change_link = True
    can_delete = False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "account_number",
        "status",
        "time_zone",
        "require_mfa",
        "adr_delivery_enabled",
        "created_at",
    ]
    list_filter = ["status", "require_mfa", "adr_delivery_enabled", "applications"]
    search_fields = ["name", "account_number"]
    filter_horizontal = ["applications"]
    readonly_fields = [
        "public_id",
        "adr_delivery_changed_by",
        "adr_delivery_changed_at",
        "created_at",
    ]
    inlines = [UserInline]


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=lambda: [
            (group, [(p.code, p.label) for p in members])
            for group, members in permissions.grouped_by_app()
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Every user who holds the role gets these at once.",
    )

    class Meta:
        model = Role
        fields = ["name", "slug", "description", "permissions"]


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["name", "slug", "description", "user_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Users")
    def user_count(self, role):
        return role.users.count()


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email", "name", "enterprise", "role", "is_staff"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = PortalUserChangeForm
    add_form = PortalUserCreationForm
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "enterprise",
        "role",
        "portal_access",
        "api_access",
        "sms_access",
        "is_active",
        "is_staff",
        "last_login",
    ]
    list_filter = [
        "is_active",
        "is_staff",
        "role",
        "portal_access",
        "api_access",
        "sms_access",
        "enterprise",
    ]
    list_select_related = ["enterprise", "role"]
    search_fields = ["email", "name", "enterprise__name", "enterprise__account_number"]
    autocomplete_fields = ["enterprise"]
    readonly_fields = ["public_id", "last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["public_id", "email", "password"]}),
        ("Profile", {"fields": ["name", "phone", "time_zone"]}),
        (
            "Enterprise",
            {"fields": ["enterprise", "role", "portal_access", "api_access", "sms_access"]},
        ),
        (
            "Staff",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "name",
                    "enterprise",
                    "role",
                    "is_staff",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "enterprise",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = ["role", "enterprise"]
    list_select_related = ["enterprise", "role", "invited_by"]
    search_fields = ["email", "enterprise__name"]
    readonly_fields = ["public_id", "token_hash", "invited_by", "created_at", "accepted_at"]
