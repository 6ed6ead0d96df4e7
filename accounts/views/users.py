import django_filters
from allauth.account.utils import perform_login
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Coalesce, Concat, Substr
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms.users import AcceptInvitationForm, EditUserForm, InviteForm
from accounts.models import ACCESS_TYPES, Invitation, Role
from accounts.permissions import MANAGE_USERS, VIEW_USERS
from accounts.views.roles import user_management_tabs
from audit.records import client_ip
from core.exports import DATETIME_SQL_FORMAT, ToChar
from core.filters import ModelChoiceFilter
from core.htmx import redirect_after_post
from core.tables import Column, DataTable, row_url
from core.tenancy import enterprise_permission_required, get_for_member


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Search", method="filter_search")
    role = ModelChoiceFilter(label="Role", queryset=Role.objects.all(), empty_label="All")
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
        # Both served by trigram indexes (accounts migration 0002).
        return queryset.filter(Q(name__icontains=value) | Q(email__icontains=value))

    def filter_status(self, queryset, name, value):
        return queryset.filter(is_active=value == "active")

    def filter_access(self, queryset, name, value):
        return queryset.filter(**{f"{value}_access": True})


def _flag_sql(field, yes, no):
    return Case(When(**{field: True}, then=Value(yes)), default=Value(no))


# "Portal, API": each granted type after ", ", then the first ", " cut off.
_ACCESS_SQL = Substr(
    Concat(*(_flag_sql(field, f", {label}", "") for field, label in ACCESS_TYPES)), 3
)


_ROW_ACTIONS = {
    "edit": row_url("accounts:user_edit"),
    "deactivate": row_url("accounts:deactivate_user"),
    "reactivate": row_url("accounts:reactivate_user"),
}


def _row_actions(row, user):
    """Edit, and Deactivate or Reactivate: nobody may deactivate themself, so not on one's row."""
    actions = ["edit"]
    if row.pk != user.pk:
        actions.append("deactivate" if row.is_active else "reactivate")
    name = escape(row)
    buttons = []
    for action in actions:
        url, label = _ROW_ACTIONS[action](row), action.capitalize()
        buttons.append(
            f'<a class="button button--secondary button--small" href="{url}" hx-get="{url}"'
            f' hx-target="#modal" aria-label="{label} {name}">{label}</a>'
        )
    # Made of escaped parts (the URLs hold only the row's UUID), without format_html: it would
    # cost more than the rest of the row.
    return mark_safe(f'<div class="row">{"".join(buttons)}</div>')  # noqa: S308


class UserTable(DataTable):
    name = "users"
    permission = VIEW_USERS
    filterset_class = UserFilter
    default_sort = "name"
    # Each sortable column has its (enterprise, column, id) index on User.
    columns = [
        Column("name", "Name", sort_by="name", value=lambda u: u.name or "—", always=True),
        Column("email", "Email", sort_by="email"),
        Column("role", "Role", value=lambda u: u.role.name, export="role__name"),
        Column("access", "Access types", value=lambda u: u.access_types, export=_ACCESS_SQL),
        Column(
            "mfa",
            "MFA",
            value=lambda u: "On" if u.mfa_enabled else "Off",
            badge=lambda u: "ok" if u.mfa_enabled else "muted",
            export=_flag_sql("mfa_enabled", "On", "Off"),
        ),
        Column(
            "last_login",
            "Last login",
            sort_by="last_login",
            value=lambda u: u.last_login or "Never",
            export=Coalesce(
                ToChar("last_login", DATETIME_SQL_FORMAT), Value("Never"), output_field=TextField()
            ),
        ),
        Column(
            "status",
            "Status",
            value=lambda u: "Active" if u.is_active else "Deactivated",
            badge=lambda u: "ok" if u.is_active else "danger",
            export=_flag_sql("is_active", "Active", "Deactivated"),
        ),
        Column(
            "actions",
            "Actions",
            html=_row_actions,
            always=True,
            export=False,
        ),
    ]

    def get_queryset(self):
        totp = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return self.user.enterprise.users.select_related("role").annotate(mfa_enabled=Exists(totp))

    @property
    def visible_columns(self):
        columns = super().visible_columns
        # Roles that may only look get the list without the Edit and Deactivate buttons.
        if not self.user.has_perm(MANAGE_USERS):
            return [column for column in columns if column.key != "actions"]
        return columns


@enterprise_permission_required(VIEW_USERS)
def users(request):
    enterprise = request.enterprise
    table = UserTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response("users.csv")
    invitations = enterprise.invitations.pending().select_related("role", "invited_by")
    return render(
        request,
        "accounts/users/list.html",
        {
            "table": table.context(),
            "invitations": invitations,
            "can_manage": request.user.has_perm(MANAGE_USERS),
            "tabs": user_management_tabs(request),
        },
    )


@enterprise_permission_required(MANAGE_USERS)
def invite_user(request):
    form = InviteForm(
        request.POST if request.method == "POST" else None,
        initial={"access_types": ["portal_access"]},
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        try:
            # An address another enterprise holds gets the same answer (and a pending
            # invitation that is never sent); staff are told.
            services.invite_user(
                enterprise=request.enterprise,
                by=request.user,
                ip_address=client_ip(request),
                email=email,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                **form.access_kwargs(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"An invitation was sent to {email}.")
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
    had_portal = user.portal_access
    form = EditUserForm(
        request.POST if request.method == "POST" else None,
        initial={"name": user.name, "role": user.role, "access_types": user.access_fields},
    )
    if request.method == "POST" and form.is_valid():
        try:
            # The role and access check may refuse: the name changes only with them.
            with transaction.atomic():
                changed = services.change_role_and_access(
                    user,
                    by=request.user,
                    ip_address=client_ip(request),
                    role=form.cleaned_data["role"],
                    **form.access_kwargs(),
                )
                if services.rename_user(
                    user,
                    by=request.user,
                    ip_address=client_ip(request),
                    name=form.cleaned_data["name"],
                ):
                    changed.append("name")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if changed:
                messages.success(request, f"{user} was updated.")
            else:
                messages.info(request, "Nothing changed.")
            if had_portal and not user.portal_access:
                messages.warning(
                    request,
                    f"{user} can no longer sign in to the portal: they do not have Portal access.",
                )
            if user.pk == request.user.pk and not user.role.is_administrator:
                return redirect_after_post(request, "dashboard")
            return redirect_after_post(request, "accounts:users")
    return render(request, "accounts/users/edit.html", {"form": form, "subject": user})


def _confirm_user_action(request, public_id, *, check, action, done, template):
    """Ask to confirm on GET, or say at once why not; on POST apply action, back to the list."""
    user = _enterprise_user(request, public_id)
    error = None
    try:
        if request.method == "POST":
            action(user, by=request.user, ip_address=client_ip(request))
        else:
            # Some checks lock rows, as they would when acting.
            with transaction.atomic():
                check(user, by=request.user)
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    else:
        if request.method == "POST":
            messages.success(request, done.format(user=user))
            return redirect_after_post(request, "accounts:users")
    return render(request, template, {"subject": user, "error": error})


@enterprise_permission_required(MANAGE_USERS)
def deactivate_user(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        check=services.check_deactivation,
        action=services.deactivate_user,
        done="{user} was deactivated.",
        template="accounts/users/deactivate.html",
    )


@enterprise_permission_required(MANAGE_USERS)
def reactivate_user(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        check=services.check_reactivation,
        action=services.reactivate_user,
        done="{user} was reactivated.",
        template="accounts/users/reactivate.html",
    )


@enterprise_permission_required(MANAGE_USERS)
def reset_mfa(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        check=services.check_mfa_reset,
        action=services.reset_mfa,
        done="The MFA of {user} was reset and they were e-mailed about it.",
        template="accounts/users/reset_mfa.html",
    )


@enterprise_permission_required(MANAGE_USERS)
def send_password_reset(request, public_id):
    return _confirm_user_action(
        request,
        public_id,
        check=services.check_password_reset,
        action=services.send_password_reset,
        done="A password reset e-mail was sent to {user.email}.",
        template="accounts/users/send_password_reset.html",
    )


def _pending_invitation(request, public_id):
    return get_for_member(
        request, Invitation.objects.all(), permission=MANAGE_USERS, public_id=public_id
    )


@require_POST
@enterprise_permission_required(MANAGE_USERS)
def resend_invitation(request, public_id):
    invitation = _pending_invitation(request, public_id)
    try:
        services.resend_invitation(invitation, by=request.user, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"A new invitation was sent to {invitation.email}.")
    return redirect("accounts:users")


@enterprise_permission_required(MANAGE_USERS)
def revoke_invitation(request, public_id):
    """Ask to confirm on GET; on POST make the link stop working."""
    invitation = _pending_invitation(request, public_id)
    error = None
    if request.method == "POST":
        try:
            services.revoke_invitation(invitation, by=request.user, ip_address=client_ip(request))
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"The invitation for {invitation.email} was revoked.")
            return redirect_after_post(request, "accounts:users")
    else:
        try:
            services.check_invitation_pending(invitation)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    return render(
        request,
        "accounts/users/revoke_invitation.html",
        {"invitation": invitation, "error": error},
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
                ip_address=client_ip(request),
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
    path("users/<uuid:public_id>/reset-mfa/", reset_mfa, name="reset_mfa"),
    path(
        "users/<uuid:public_id>/password-reset/",
        send_password_reset,
        name="send_password_reset",
    ),
    path("invitations/<uuid:public_id>/resend/", resend_invitation, name="resend_invitation"),
    path("invitations/<uuid:public_id>/revoke/", revoke_invitation, name="revoke_invitation"),
    path("invitation/<slug:token>/", accept_invitation, name="accept_invitation"),
]
