"""The back office's pages for customers and users.

Staff change customers' data through the same services as the portal (accounts.services), so
the portal's rules hold here too and every change is audited with the staff member as actor.
"""

from allauth.account.models import EmailAddress, EmailConfirmation
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from audit.records import client_ip
from core import permissions
from core.phones import normalize_phone

from . import roles, services
from .forms.users import InviteForm
from .models import Application, Enterprise, Invitation, Role, User

# Customers' roles take the place of groups; staff get Django's permissions one by one.
admin.site.unregister(Group)
# A user's addresses and authenticators change through the sign-in pages and the services
# (UserAdmin's Reset MFA), which audit and e-mail: not edited as rows.
for model in (EmailAddress, EmailConfirmation, Authenticator):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["name", "icon", "launch_url"]
    search_fields = ["name"]


class UserInline(admin.TabularInline):
    """The enterprise's users, to look at: each one is changed on its own page."""

    model = User
    fields = ["email", "name", "role", "portal_access", "api_access", "sms_access", "is_active"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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

    # What the enterprise's Administrators change in Enterprise Settings.
    SETTINGS = ["adr_delivery_enabled", "require_mfa", "time_zone"]
    # What only carrier staff change.
    ACCOUNT = ["name", "account_number", "status"]

    def save_model(self, request, obj, form, change):
        if not change:
            return super().save_model(request, obj, form, change)
        # Both kinds of change go through the services that audit them, from the stored row;
        # nothing else is saved here (the applications are saved with the related objects).
        wanted = {field: getattr(obj, field) for field in self.SETTINGS + self.ACCOUNT}
        stored = Enterprise.objects.get(pk=obj.pk)
        for field in wanted:
            setattr(obj, field, getattr(stored, field))
        acting = {"by": request.user, "ip_address": client_ip(request)}
        services.update_enterprise_account(
            obj, **acting, **{field: wanted[field] for field in self.ACCOUNT}
        )
        services.update_enterprise_settings(
            obj, **acting, **{field: wanted[field] for field in self.SETTINGS}
        )


def _permission_choices():
    return [
        (group, [(p.code, p.label) for p in members])
        for group, members in permissions.grouped_by_app()
    ]


class RoleForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        choices=_permission_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Every user who holds the role gets these at once.",
    )

    class Meta:
        model = Role
        fields = ["name", "slug", "description", "permissions"]

    def clean_permissions(self):
        return sorted(self.cleaned_data["permissions"])


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    form = RoleForm
    list_display = ["name", "slug", "description", "user_count"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    @admin.display(description="Users")
    def user_count(self, role):
        return role.users.count()

    def get_readonly_fields(self, request, obj=None):
        # The code finds the default roles by slug.
        if obj is not None and obj.slug in permissions.DEFAULT_ROLES:
            return ["slug"]
        return []

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj is not None else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        before = (form.initial.get("permissions") or []) if change else []
        super().save_model(request, obj, form, change)
        roles.record_permission_change(obj, before, obj.permissions, by=request.user)

    def get_urls(self):
        matrix = path(
            "matrix/",
            self.admin_site.admin_view(self.permission_matrix),
            name="accounts_role_matrix",
        )
        return [matrix, *super().get_urls()]

    def permission_matrix(self, request):
        """Every role against every declared permission, grouped by app, saved at once."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        role_list = roles.in_matrix_order(Role.objects.all())
        if request.method == "POST":
            with transaction.atomic():
                changed = [
                    role
                    for role in role_list
                    if roles.set_role_permissions(
                        role, request.POST.getlist(f"role-{role.pk}"), by=request.user
                    )
                ]
            if changed:
                names = ", ".join(role.name for role in changed)
                self.message_user(request, f"The permissions of {names} were saved.")
            else:
                self.message_user(request, "Nothing changed.")
            return redirect("admin:accounts_role_matrix")
        declared = permissions.declared()
        included_by = {
            code: [p.label for p in declared.values() if code in p.implies] for code in declared
        }
        groups = [
            {
                "name": name,
                "rows": [
                    {
                        "permission": permission,
                        "included_by": included_by[permission.code],
                        "cells": [
                            {
                                "name": f"role-{role.pk}",
                                "id": f"role-{role.pk}-{permission.code}",
                                "checked": permission.code in role.permissions,
                                "role": role,
                            }
                            for role in role_list
                        ],
                    }
                    for permission in members
                ],
            }
            for name, members in permissions.grouped_by_app()
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Permission matrix",
            "roles": role_list,
            "groups": groups,
        }
        return TemplateResponse(request, "admin/accounts/role/matrix.html", context)


class PortalUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"

    def clean_phone(self):
        phone = self.cleaned_data["phone"].strip()
        return normalize_phone(phone) if phone else ""


class CustomerUserChangeForm(PortalUserChangeForm):
    """A customer's user: the portal's rules on roles, access and deactivating apply."""

    staff_member = None  # set by UserAdmin.get_form: who acts

    # The services name the fields of User Management; these are the back office's.
    FIELD_OF = {"role": "role", "access_types": "portal_access"}

    def clean(self):
        cleaned_data = super().clean()
        # self.instance still holds the stored values here: the form writes onto it later.
        user = self.instance
        try:
            if cleaned_data.get("role") is not None:
                services.check_role_and_access(
                    user,
                    role=cleaned_data["role"],
                    portal_access=cleaned_data.get("portal_access", user.portal_access),
                )
            if user.is_active and cleaned_data.get("is_active") is False:
                services.check_deactivation(user, by=self.staff_member)
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                for field, errors in refusal.error_dict.items():
                    self.add_error(self.FIELD_OF.get(field), errors)
            else:
                self.add_error("is_active", refusal)
        return cleaned_data


class PortalUserCreationForm(AdminUserCreationForm):
    """A staff member: customers join by invitation, through the service that audits it."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["email", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.is_staff = True


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
    # Staff: Django's permissions, one by one (groups are not used).
    fieldsets = [
        (None, {"fields": ["public_id", "email", "password"]}),
        ("Profile", {"fields": ["name", "phone", "time_zone"]}),
        ("Staff", {"fields": ["is_active", "is_staff", "is_superuser", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    # No password: customers choose their own (Send a password reset e-mails them a link).
    customer_fieldsets = [
        (None, {"fields": ["public_id", "email"]}),
        ("Profile", {"fields": ["name", "phone", "time_zone"]}),
        (
            "Enterprise",
            {"fields": ["enterprise", "role", "portal_access", "api_access", "sms_access"]},
        ),
        ("Status", {"fields": ["is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "description": "Add a staff member here. Customers' users join by "
                '<a href="{}">invitation</a>.',
                "fields": ["email", "name", "usable_password", "password1", "password2"],
            },
        ),
    ]

    @staticmethod
    def _is_customer(obj):
        return obj is not None and obj.enterprise_id is not None

    def get_readonly_fields(self, request, obj=None):
        if self._is_customer(obj):
            # The address changes through the user's own verified e-mail change; a user stays
            # in their enterprise.
            return [*self.readonly_fields, "email", "enterprise"]
        return self.readonly_fields

    def get_form(self, request, obj=None, **kwargs):
        if self._is_customer(obj):
            kwargs["form"] = type(
                "CustomerUserChangeForm",
                (CustomerUserChangeForm,),
                {"staff_member": request.user},
            )
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if self._is_customer(obj):
            return self.customer_fieldsets
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            invite_url = reverse("admin:accounts_invitation_add")
            (name, options), *rest = fieldsets
            description = format_html(options["description"], invite_url)
            fieldsets = [(name, {**options, "description": description}), *rest]
        return fieldsets

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: the audit log keeps pointing at the user, and the rule that
        # keeps an Administrator holds. Staff members are deleted as Django allows.
        if obj is None:
            return False
        return not self._is_customer(obj) and super().has_delete_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        # Customers choose their own password; staff send them a link (audited) instead.
        user = self.get_object(request, id)
        if self._is_customer(user):
            raise PermissionDenied("Send the user a password reset instead.")
        return super().user_change_password(request, id, form_url)

    actions = ["reset_mfa", "send_password_reset"]

    @admin.action(description="Reset the MFA of the selected users", permissions=["change"])
    def reset_mfa(self, request, queryset):
        """For a user who lost their phone: as an Administrator does it in User Management."""
        for user in queryset:
            try:
                services.reset_mfa(user, by=request.user, ip_address=client_ip(request))
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.WARNING)
            else:
                self.message_user(request, f"The MFA of {user} was reset; they were e-mailed.")

    @admin.action(description="Send the selected users a password reset", permissions=["change"])
    def send_password_reset(self, request, queryset):
        """As an Administrator does it in User Management: the user chooses the password."""
        for user in queryset:
            try:
                services.send_password_reset(user, by=request.user, ip_address=client_ip(request))
            except ValidationError as refusal:
                self.message_user(request, " ".join(refusal.messages), messages.WARNING)
            else:
                self.message_user(request, f"A password reset link was sent to {user.email}.")

    def save_model(self, request, obj, form, change):
        if not (change and self._is_customer(obj)):
            return super().save_model(request, obj, form, change)
        by, ip_address = request.user, client_ip(request)
        stored = User.objects.select_related("role", "enterprise").get(pk=obj.pk)
        data = form.cleaned_data
        services.update_profile(
            stored,
            by=by,
            ip_address=ip_address,
            name=data["name"],
            phone=data["phone"],
            time_zone=data["time_zone"],
        )
        services.change_role_and_access(
            stored,
            by=by,
            ip_address=ip_address,
            role=data["role"],
            portal_access=data["portal_access"],
            api_access=data["api_access"],
            sms_access=data["sms_access"],
        )
        if stored.is_active and not data["is_active"]:
            services.deactivate_user(stored, by=by, ip_address=ip_address)
        elif not stored.is_active and data["is_active"]:
            services.reactivate_user(stored, by=by, ip_address=ip_address)


class StaffInviteForm(InviteForm):
    """What staff choose; the token, expiry and sender are the service's."""

    enterprise = forms.ModelChoiceField(
        queryset=Enterprise.objects.all(),
        error_messages={"required": "Choose the enterprise the user joins."},
    )

    field_order = ["enterprise", "email", "name", "role", "access_types"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The customer's form speaks of "here"; staff invite to the customer portal.
        self.fields["access_types"].help_text = (
            "Portal lets the user sign in to the customer portal; API and SMS open those "
            "services to them."
        )
        self.fields["role"].help_text = "What the user may do at their enterprise."


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made, resent and revoked through the services, never edited."""

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
    fields = [
        "public_id",
        "enterprise",
        "email",
        "name",
        "role",
        "portal_access",
        "api_access",
        "sms_access",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        # The change page only shows the invitation; Resend and Revoke are its actions.
        return False

    def has_delete_permission(self, request, obj=None):
        # Revoke instead: a deleted invitation would leave the audit log pointing at nothing.
        return False

    def may_act(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    def get_urls(self):
        def view(action):
            return self.admin_site.admin_view(require_POST(action))

        return [
            path("<int:pk>/resend/", view(self.resend_view), name="accounts_invitation_resend"),
            path("<int:pk>/revoke/", view(self.revoke_view), name="accounts_invitation_revoke"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        invitation = self.get_object(request, object_id)
        pending = invitation is not None and not (invitation.accepted_at or invitation.revoked_at)
        extra_context = {**(extra_context or {}), "may_act": pending and self.may_act(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        """Invite as an Administrator would, with the same rules, e-mail and audit entry."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffInviteForm(
            request.POST if request.method == "POST" else None,
            initial={"access_types": ["portal_access"]},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                invitation = services.invite_user(
                    enterprise=data["enterprise"],
                    by=request.user,
                    ip_address=client_ip(request),
                    email=data["email"],
                    name=data["name"],
                    role=data["role"],
                    **form.access_kwargs(),
                )
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                self.log_addition(request, invitation, [{"added": {}}])
                self.message_user(request, f"An invitation was sent to {invitation.email}.")
                return redirect("admin:accounts_invitation_change", invitation.pk)
        admin_form = helpers.AdminForm(
            form, [(None, {"fields": list(form.fields)})], {}, model_admin=self
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a user",
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),
            "preserved_filters": self.get_preserved_filters(request),
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)

    def _act(self, request, pk, action, done):
        if not self.may_act(request):
            raise PermissionDenied
        invitation = get_object_or_404(Invitation.objects.with_scopes_disabled(), pk=pk)
        try:
            action(invitation, by=request.user, ip_address=client_ip(request))
        except ValidationError as refusal:
            self.message_user(request, " ".join(refusal.messages), messages.ERROR)
        else:
            self.message_user(request, done.format(email=invitation.email))
        return redirect("admin:accounts_invitation_change", pk)

    def resend_view(self, request, pk):
        return self._act(
            request, pk, services.resend_invitation, "A new invitation was sent to {email}."
        )

    def revoke_view(self, request, pk):
        return self._act(
            request, pk, services.revoke_invitation, "The invitation for {email} was revoked."
        )
