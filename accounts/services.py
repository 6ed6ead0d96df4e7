"""Workflows across accounts models; each one records its audit events."""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.records import record

from . import actions
from .models import Invitation, User


@transaction.atomic
def update_enterprise_settings(enterprise, *, by, request, adr_delivery_enabled, require_mfa):
    """Apply Enterprise Settings; return the names of the settings that changed."""
    changes = {}
    fields = []
    if enterprise.adr_delivery_enabled != adr_delivery_enabled:
        changes["adr_delivery_enabled"] = adr_delivery_enabled
        enterprise.adr_delivery_enabled = adr_delivery_enabled
        enterprise.adr_delivery_changed_by = by
        enterprise.adr_delivery_changed_at = timezone.now()
        fields += ["adr_delivery_enabled", "adr_delivery_changed_by", "adr_delivery_changed_at"]
    if enterprise.require_mfa != require_mfa:
        changes["require_mfa"] = require_mfa
        enterprise.require_mfa = require_mfa
        fields.append("require_mfa")
    if fields:
        enterprise.save(update_fields=fields)
        record(
            actions.SETTINGS_CHANGED,
            request=request,
            actor=by,
            enterprise=enterprise,
            obj=enterprise,
            details=changes,
        )
    return list(changes)


# User management -------------------------------------------------------------------------------

LAST_ADMINISTRATOR_MESSAGE = (
    "{user} is the last active Administrator of {enterprise} who can use the portal. "
    "Make another user an Administrator first."
)
PENDING_INVITATION_MESSAGE = "This email address already has a pending invitation."


def _email_belongs_to_a_user(email):
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exists()
    )


def check_email_is_free(email):
    """Refuse an address that belongs to a user or has a pending invitation, in any enterprise."""
    if _email_belongs_to_a_user(email):
        raise ValidationError({"email": "A user with this email address already exists."})
    # Across every enterprise: an address can join only one.
    if Invitation.objects.with_scopes_disabled().usable().filter(email__iexact=email).exists():
        raise ValidationError({"email": PENDING_INVITATION_MESSAGE})


def _keep_an_administrator(user, *, field):
    """Refuse a change that would leave user's enterprise without an Administrator."""
    enterprise = user.enterprise
    # Locking the Administrators makes two concurrent demotions wait for each other, so the
    # second one sees the first one's result.
    others = [
        admin
        for admin in enterprise.active_administrators()
        .select_for_update(of=("self",))
        .order_by("pk")
        if admin.pk != user.pk and admin.portal_access
    ]
    if not others:
        message = LAST_ADMINISTRATOR_MESSAGE.format(user=user, enterprise=enterprise.name)
        raise ValidationError({field: message} if field else message)


def _is_usable_administrator(user):
    return user.is_active and user.portal_access and user.role.is_administrator


def _send_invitation(invitation, token):
    """E-mail the link through the worker, rendered like every other portal e-mail."""
    get_adapter().send_mail(
        "accounts/users/email/invitation",
        invitation.email,
        {
            "invitation": invitation,
            "enterprise": invitation.enterprise,
            "invited_by": invitation.invited_by,
            "accept_url": settings.SITE_URL + reverse("accounts:accept_invitation", args=[token]),
            "valid_days": settings.INVITATION_VALID_DAYS,
        },
    )


@transaction.atomic
def invite_user(
    *, enterprise, by, request, email, name, role, portal_access, api_access, sms_access
):
    """Invite someone to join enterprise and e-mail them the link; return the Invitation."""
    email = email.strip().lower()
    check_email_is_free(email)
    # An expired invitation still holds the address; it can never be used, so close it.
    Invitation.objects.with_scopes_disabled().pending().filter(
        email__iexact=email, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())
    invitation = Invitation(
        enterprise=enterprise,
        email=email,
        name=name,
        role=role,
        portal_access=portal_access,
        api_access=api_access,
        sms_access=sms_access,
        invited_by=by,
    )
    token = invitation.issue_token()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        # Someone invited the same address a moment ago.
        raise ValidationError({"email": PENDING_INVITATION_MESSAGE}) from None
    record(
        actions.USER_INVITED,
        request=request,
        actor=by,
        enterprise=enterprise,
        obj=invitation,
        details={"email": email, "role": role.name, "access": invitation.access_types},
    )
    _send_invitation(invitation, token)
    return invitation


def _lock_pending(invitation):
    """The invitation, locked for this transaction, if it can still be resent or revoked."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation was already accepted or revoked.")
    return invitation


@transaction.atomic
def resend_invitation(invitation, *, by, request):
    """Send a fresh link (the old one stops working) valid for the full period again."""
    invitation = _lock_pending(invitation)
    token = invitation.issue_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    record(actions.INVITATION_RESENT, request=request, actor=by, obj=invitation)
    _send_invitation(invitation, token)
    return invitation


@transaction.atomic
def revoke_invitation(invitation, *, by, request):
    """Make the invitation's link stop working."""
    invitation = _lock_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(actions.INVITATION_REVOKED, request=request, actor=by, obj=invitation)
    return invitation


def invitation_problem(invitation):
    """Say why an invitation's link cannot be used, or None when it can."""
    if invitation is None:
        return "This invitation link is not valid. Check that you copied the whole link."
    if invitation.accepted_at:
        return "This invitation was already used. Sign in with your email address and password."
    if invitation.revoked_at:
        return (
            "This invitation was withdrawn. Ask your company's administrator to invite you again."
        )
    if invitation.is_expired:
        return "This invitation has expired. Ask your company's administrator to send a new one."
    return None


@transaction.atomic
def accept_invitation(invitation, *, request, name, password):
    """Create the invitee's user from the invitation; return the new User."""
    invitation = (
        # The invitee is not signed in yet: no enterprise scope is active.
        Invitation.objects.with_scopes_disabled()
        .select_for_update()
        .select_related("enterprise", "role")
        .get(pk=invitation.pk)
    )
    problem = invitation_problem(invitation)
    if problem:
        raise ValidationError(problem)
    if _email_belongs_to_a_user(invitation.email):
        raise ValidationError(
            "A user with this email address already exists. Sign in with it instead."
        )
    user = User(
        email=invitation.email,
        name=name,
        enterprise=invitation.enterprise,
        role=invitation.role,
        portal_access=invitation.portal_access,
        api_access=invitation.api_access,
        sms_access=invitation.sms_access,
    )
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    record(
        actions.INVITATION_ACCEPTED,
        request=request,
        actor=user,
        enterprise=invitation.enterprise,
        obj=invitation,
        details={"user": str(user.public_id)},
    )
    return user


@transaction.atomic
def change_role_and_access(user, *, by, request, role, portal_access, api_access, sms_access):
    """Give user another role and access types; return the names of what changed."""
    wanted = {"portal_access": portal_access, "api_access": api_access, "sms_access": sms_access}
    changes = {field: value for field, value in wanted.items() if getattr(user, field) != value}
    role_changed = user.role_id != role.pk
    if _is_usable_administrator(user):
        if role_changed and not role.is_administrator:
            _keep_an_administrator(user, field="role")
        elif not portal_access:
            _keep_an_administrator(user, field="access_types")
    changed = []
    if role_changed:
        old_role = user.role
        user.role = role
        user.save(update_fields=["role"])
        record(
            actions.ROLE_CHANGED,
            request=request,
            actor=by,
            obj=user,
            details={"from": old_role.name, "to": role.name},
        )
        changed.append("role")
    if changes:
        before = user.access_types
        for field, value in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
        record(
            actions.ACCESS_CHANGED,
            request=request,
            actor=by,
            obj=user,
            details={"from": before, "to": user.access_types},
        )
        changed.append("access")
    return changed


@transaction.atomic
def deactivate_user(user, *, by, request):
    """Stop user from signing in; their open sessions end with their next request."""
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not user.is_active:
        raise ValidationError(f"{user} is already deactivated.")
    if _is_usable_administrator(user):
        _keep_an_administrator(user, field=None)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actions.USER_DEACTIVATED, request=request, actor=by, obj=user)


@transaction.atomic
def reactivate_user(user, *, by, request):
    """Let a deactivated user sign in again."""
    if user.is_active:
        raise ValidationError(f"{user} is already active.")
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actions.USER_REACTIVATED, request=request, actor=by, obj=user)
