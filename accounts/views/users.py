from datetime import UTC, datetime

import django_filters
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import DateTimeField, Exists, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms.users import AcceptInvitationForm, InviteForm, RoleAndAccessForm
from accounts.models import ACCESS_TYPES, Invitation, Role
from accounts.permissions import MANAGE_USERS
from core.htmx import redirect_after_post
from core.tables import Column, DataTable
from core.tenancy import enterprise_permission_required, get_for_member

# Users who never signed in sort before everyone else.
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    role = django_filters.ModelChoiceFilter(
        label="Role", queryset=Role.objects.all(), empty_label="All"
    )
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[("active", "Active"), ("deactivated", "Deactivated")],
        empty_label="All",
        method="filter_status",
    )
    access = django_filters.ChoiceFilter(
        label="Access type",
        # ?access=sms rather than the field name keeps shared links short.
        choices=[(field.removesuffix("_access"), label) for field, label in ACCESS_TYPES],
        empty_label="All",
        method="filter_access",
    )

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")

    def filter_access(self, queryset, name, value):
        return queryset.filter(**{f"{value}_access": True})


class UserTable(DataTable):
    name = "users"
    default_sort = "name"
    columns = [
        Column("name", "Name", sort_by="name", value=lambda u: u.name or "—", always=True),
        Column("email", "Email", sort_by="email"),
        Column("role", "Role", sort_by="role__name", value=lambda u: u.role.name),
        Column("access", "Access types", value=lambda u: u.access_types),
        Column(
            "mfa",
            "MFA",
            value=lambda u: "On" if u.mfa_enabled else "Off",
            template="accounts/users/_mfa_cell.html",
        ),
        Column(
            "last_login",
            "Last login",
            sort_by="last_login_sort",
            value=lambda u: u.last_login or "Never",
        ),
        Column(
            "status",
            "Status",
            value=lambda u: "Active" if u.is_active else "Deactivated",
            template="accounts/users/_status_cell.html",
        ),
        Column(
            "actions",
            "Actions",
            value=lambda u: "",
            template="accounts/users/_actions_cell.html",
            always=True,
        ),
    ]

    @property
    def visible_columns(self):
        columns = super().visible_columns
        if self.wants_csv:
            return [column for column in columns if column.key != "actions"]
        return columns


def _users(enterprise):
    totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
    return enterprise.users.select_related("role").annotate(
        mfa_enabled=Exists(totp),
        last_login_sort=Coalesce("last_login", Value(NEVER, output_field=DateTimeField())),
    )


@enterprise_permission_required(MANAGE_USERS)
def users(request):
    enterprise = request.enterprise
    queryset = _users(enterprise)
    table = UserTable(request, queryset, filterset=UserFilter(request.GET, queryset=queryset))
    if table.wants_csv:
        return table.csv_response("users.csv")
    invitations = enterprise.invitations.pending().select_related("role", "invited_by")
    return render(
        request,
        "accounts/users/list.html",
        {"table": table.context(), "invitations": invitations},
    )


@enterprise_permission_required(MANAGE_USERS)
def invite_user(request):
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial={"access_types": ["portal_access"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite_user(
                enterprise=request.enterprise,
                by=request.user,
                request=request,
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                **form.access_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"An invitation was sent to {invitation.email}.")
            return redirect_after_post(request, "accounts:users")
    return render(
        request,
        "accounts/users/invite.html",
        {"form": form, "valid_days": settings.INVITATION_VALID_DAYS},
    )


def _enterprise_user(request, public_id):
    return get_for_member(
        request,
        request.enterprise.users.select_related("role"),
        permission=MANAGE_USERS,
        public_id=public_id,
    )


@enterprise_permission_required(MANAGE_USERS)
def user_edit(request, public_id):
    user = _enterprise_user(request, public_id)
    form = RoleAndAccessForm(
        request.POST if request.method == "POST" else None,
        initial={"role": user.role, "access_types": user.access_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.change_role_and_access(
                user,
                by=request.user,
                request=request,
                role=form.cleaned_data["role"],
                **form.access_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, f"{user} was updated.")
            else:
                messages.info(request, "Nothing changed.")
            if user.pk == request.user.pk and not user.role.is_administrator:
                return redirect_after_post(request, "dashboard")
            return redirect_after_post(request, "accounts:users")
    return render(request, "accounts/users/edit.html", {"form": form, "subject": user})


def _confirm_user_action(request, public_id, *, action, done, template):
    """Show a confirmation on GET; on POST apply action and go back to the list."""
    user = _enterprise_user(request, public_id)
    error = None
    if request.method == "POST":
        try:
            action(user, by=request.user, request=request)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"{user} was {done}.")
            return redirect_after_post(request, "accounts:users")
    return render(request, template, {"subject": user, "error": error})


@enterprise_permission_required(MANAGE_USERS)
def deactivate_user(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        action=services.deactivate_user,
        done="deactivated",
        template="accounts/users/deactivate.html",
    )


@enterprise_permission_required(MANAGE_USERS)
def reactivate_user(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        action=services.reactivate_user,
        done="reactivated",
        template="accounts/users/reactivate.html",
    )


def _change_invitation(request, public_id, action, success_message):
    invitation = get_for_member(
        request, Invitation.objects.all(), permission=MANAGE_USERS, public_id=public_id
    )
    try:
        action(invitation, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success_message.format(email=invitation.email))
    return redirect("accounts:users")


@require_POST
@enterprise_permission_required(MANAGE_USERS)
def resend_invitation(request, public_id):
    return _change_invitation(
        request, public_id, services.resend_invitation, "A new invitation was sent to {email}."
    )


@require_POST
@enterprise_permission_required(MANAGE_USERS)
def revoke_invitation(request, public_id):
    return _change_invitation(
        request, public_id, services.revoke_invitation, "The invitation for {email} was revoked."
    )


def accept_invitation(request, token):
    if request.user.is_authenticated:
        return render(request, "accounts/users/accept_signed_in.html")
    invitation = (
        # Whoever opens the link is not signed in: the token names the enterprise.
        Invitation.objects.with_scopes_disabled()
        .select_related("enterprise", "role")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )
    problem = services.invitation_problem(invitation)
    if problem:
        return render(
            request,
            "accounts/users/accept_invalid.html",
            {"problem": problem},
            status=404 if invitation is None else 410,
        )
    form = AcceptInvitationForm(
        request.POST if request.method == "POST" else None, invitation=invitation
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(
                invitation,
                request=request,
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
            )
        except ValidationError as error:
            return render(
                request,
                "accounts/users/accept_invalid.html",
                {"problem": " ".join(error.messages)},
                status=410,
            )
        refusal = user.portal_refusal()
        if refusal:
            messages.warning(request, f"Your account was created. {refusal}")
            return redirect("account_login")
        return perform_login(request, user, redirect_url=reverse("dashboard"))
    return render(request, "accounts/users/accept.html", {"form": form, "invitation": invitation})


urlpatterns = [
    path("users/", users, name="users"),
    path("users/invite/", invite_user, name="invite_user"),
    path("users/<uuid:public_id>/", user_edit, name="user_edit"),
    path("users/<uuid:public_id>/deactivate/", deactivate_user, name="deactivate_user"),
    path("users/<uuid:public_id>/reactivate/", reactivate_user, name="reactivate_user"),
    path("invitations/<uuid:public_id>/resend/", resend_invitation, name="resend_invitation"),
    path("invitations/<uuid:public_id>/revoke/", revoke_invitation, name="revoke_invitation"),
    path("invitation/<slug:token>/", accept_invitation, name="accept_invitation"),
]
