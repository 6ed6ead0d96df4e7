"""Workflows across accounts models; each one records its audit events."""

from allauth.account.adapter import get_adapter
from allauth.account.forms import ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mail_admins
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from audit.records import Change, record
from core.jobs import enqueue

from . import actions
from .models import Invitation, User


@transaction.atomic
def update_enterprise_settings(
    enterprise, *, by, ip_address, adr_delivery_enabled, require_mfa, time_zone
):
    """Apply Enterprise Settings; return what changed, as Changes."""
    changes = []
    fields = []
    if enterprise.adr_delivery_enabled != adr_delivery_enabled:
        changes.append(
            Change(
                "Application Data Record File Delivery",
                enterprise.adr_delivery_enabled,
                adr_delivery_enabled,
            )
        )
        enterprise.adr_delivery_enabled = adr_delivery_enabled
        enterprise.adr_delivery_changed_by = by
        enterprise.adr_delivery_changed_at = timezone.now()
        fields += ["adr_delivery_enabled", "adr_delivery_changed_by", "adr_delivery_changed_at"]
    if enterprise.require_mfa != require_mfa:
        changes.append(Change("Require MFA", enterprise.require_mfa, require_mfa))
        enterprise.require_mfa = require_mfa
        fields.append("require_mfa")
    if enterprise.time_zone != time_zone:
        changes.append(Change("Time zone", enterprise.time_zone, time_zone))
        enterprise.time_zone = time_zone
        fields.append("time_zone")
    if fields:
        enterprise.save(update_fields=fields)
        record(
            actions.SETTINGS_CHANGED,
            actor=by,
            ip_address=ip_address,
            enterprise=enterprise,
            obj=enterprise,
            changes=changes,
        )
    return changes


ACCOUNT_FIELDS = {"name": "Name", "account_number": "Account number", "status": "Status"}


@transaction.atomic
def update_enterprise_account(enterprise, *, by, ip_address, name, account_number, status):
    """Change what carrier staff keep of a customer account; return what changed, as Changes.

    Suspending or closing the account ends its users' sessions at their next request.
    """
    labels = dict(type(enterprise).Status.choices)
    wanted = {"name": name, "account_number": account_number, "status": status}
    changed = [field for field, value in wanted.items() if getattr(enterprise, field) != value]
    changes = []
    for field in changed:
        before, after = getattr(enterprise, field), wanted[field]
        if field == "status":
            before, after = labels[before], labels[after]
        changes.append(Change(ACCOUNT_FIELDS[field], before, after))
        setattr(enterprise, field, wanted[field])
    if changed:
        enterprise.save(update_fields=changed)
        record(
            actions.ACCOUNT_CHANGED,
            actor=by,
            ip_address=ip_address,
            enterprise=enterprise,
            obj=enterprise,
            changes=changes,
        )
    return changes


PROFILE_FIELDS = {"name": "Name", "phone": "Phone", "time_zone": "Time zone"}


@transaction.atomic
def update_profile(user, *, by, ip_address, name, phone, time_zone):
    """Change a user's name, phone and time zone; return what changed, as Changes."""
    return _change_profile(
        user,
        by=by,
        ip_address=ip_address,
        wanted={"name": name, "phone": phone, "time_zone": time_zone},
    )


@transaction.atomic
def rename_user(user, *, by, ip_address, name):
    """Change a user's name, as their Administrator or staff; return what changed."""
    return _change_profile(user, by=by, ip_address=ip_address, wanted={"name": name})


def _change_profile(user, *, by, ip_address, wanted):
    # Compare with the stored row: the caller's user may already hold the new values (a
    # ModelForm writes them onto its instance while validating).
    stored = User.objects.select_for_update().get(pk=user.pk)
    fields = [field for field, value in wanted.items() if getattr(stored, field) != value]
    changes = [Change(PROFILE_FIELDS[f], getattr(stored, f), wanted[f]) for f in fields]
    if fields:
        for field in fields:
            setattr(user, field, wanted[field])
        user.save(update_fields=fields)
        record(actions.PROFILE_CHANGED, actor=by, ip_address=ip_address, obj=user, changes=changes)
    return changes


# User management -------------------------------------------------------------------------------

LAST_ADMINISTRATOR_MESSAGE = (
    "{user} is the last active Administrator of {enterprise} who can use the portal. "
    "Make another user an Administrator first."
)
PENDING_INVITATION_MESSAGE = "This email address already has a pending invitation."


def _owner_of(email):
    """The user whose address email is (primary or verified), or None."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        address = EmailAddress.objects.filter(email__iexact=email, verified=True).first()
        user = address.user if address else None
    return user


def is_used_by_another_account(email, *, user):
    """Whether email is the address of an account other than user's, or was added to one."""
    others = User.objects.exclude(pk=user.pk).filter(email__iexact=email)
    addresses = EmailAddress.objects.exclude(user=user).filter(email__iexact=email)
    return others.exists() or addresses.exists()


def _held_elsewhere(email, *, enterprise, by):
    """Say why email cannot be invited to enterprise when the reason is another enterprise's.

    Raise a plain refusal when the reason is enterprise's own, or when staff invite.
    """
    owner = _owner_of(email)
    if owner is not None and (by.is_staff or owner.enterprise_id == enterprise.pk):
        raise ValidationError({"email": "A user with this email address already exists."})
    pending = Invitation.objects.with_scopes_disabled().usable().filter(email__iexact=email)
    if pending.filter(enterprise=enterprise).exists() or (by.is_staff and pending.exists()):
        raise ValidationError({"email": PENDING_INVITATION_MESSAGE})
    return _reason_held_elsewhere(email, enterprise=enterprise)


def _reason_held_elsewhere(email, *, enterprise):
    """Why another enterprise or staff hold email, or None: an address can join only one."""
    owner = _owner_of(email)
    if owner is not None and owner.enterprise_id != enterprise.pk:
        return "The address belongs to a user of another enterprise or to staff."
    others = Invitation.objects.with_scopes_disabled().usable().exclude(enterprise=enterprise)
    if others.filter(email__iexact=email).exists():
        return "The address has a pending invitation from another enterprise."
    return None


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
    *, enterprise, by, ip_address, email, name, role, portal_access, api_access, sms_access
):
    """Invite someone to join enterprise and e-mail them the link; return the Invitation.

    An address that another enterprise holds gets an invitation that is never e-mailed: the
    customer sees it pending like any other, so that they cannot find out which addresses
    other customers use. Staff are told instead and sort it out.
    """
    email = email.strip().lower()
    conflict = _held_elsewhere(email, enterprise=enterprise, by=by)
    _close_expired_invitation(email, enterprise=enterprise, by=by, ip_address=ip_address)
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
        actor=by,
        ip_address=ip_address,
        enterprise=enterprise,
        obj=invitation,
        details={"email": email, "role": role.name, "access": invitation.access_types},
    )
    _send_unless_held(invitation, token, by=by, ip_address=ip_address, reason=conflict)
    return invitation


def _close_expired_invitation(email, *, enterprise, by, ip_address):
    """Revoke enterprise's expired invitation of email, which holds the address in vain.

    Only enterprise's own: another enterprise's invitations are theirs to keep or withdraw.
    """
    expired = Invitation.objects.pending().filter(
        enterprise=enterprise, email__iexact=email, expires_at__lte=timezone.now()
    )
    for invitation in expired.select_for_update():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(
            actions.INVITATION_REVOKED,
            actor=by,
            ip_address=ip_address,
            enterprise=enterprise,
            obj=invitation,
            details={"reason": "Expired; replaced by a new invitation."},
        )


def _send_unless_held(invitation, token, *, by, ip_address, reason):
    if reason:
        _tell_staff_of_held_address(
            invitation.email,
            enterprise=invitation.enterprise,
            by=by,
            ip_address=ip_address,
            reason=reason,
        )
    else:
        _send_invitation(invitation, token)


def _tell_staff_of_held_address(email, *, enterprise, by, ip_address, reason):
    # The entry has no enterprise, so only staff see it: the inviting enterprise's audit log
    # must not show that the address is known.
    record(
        actions.INVITATION_HELD_ELSEWHERE,
        actor=None,
        actor_email=by.email,
        ip_address=ip_address,
        details={
            "email": email,
            "invited_to": str(enterprise),
            "invited_by": by.email,
            "reason": reason,
        },
    )
    enqueue(
        mail_admins,
        f"Invitation not sent: {email} for {enterprise}",
        f"{by} ({by.email}) of {enterprise} invited {email}. {reason}\n\n"
        "Nothing was sent to the address; the customer was told that the invitation was "
        "sent and sees it pending. Contact them to sort it out.",
        kind="E-mail to staff",
        enterprise=enterprise,
    )


def check_invitation_pending(invitation):
    """Refuse resending or revoking an invitation that was accepted or revoked."""
    if invitation.accepted_at or invitation.revoked_at:
        raise ValidationError("This invitation was already accepted or revoked.")


def _lock_pending(invitation):
    """The invitation, locked for this transaction, if it can still be resent or revoked."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    check_invitation_pending(invitation)
    return invitation


@transaction.atomic
def resend_invitation(invitation, *, by, ip_address):
    """Send a fresh link (the old one stops working) valid for the full period again."""
    invitation = _lock_pending(invitation)
    token = invitation.issue_token()
    invitation.save(update_fields=["token_hash", "expires_at"])
    record(actions.INVITATION_RESENT, actor=by, ip_address=ip_address, obj=invitation)
    reason = _reason_held_elsewhere(invitation.email, enterprise=invitation.enterprise)
    _send_unless_held(invitation, token, by=by, ip_address=ip_address, reason=reason)
    return invitation


@transaction.atomic
def revoke_invitation(invitation, *, by, ip_address):
    """Make the invitation's link stop working."""
    invitation = _lock_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    record(actions.INVITATION_REVOKED, actor=by, ip_address=ip_address, obj=invitation)
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
def accept_invitation(invitation, *, by=None, ip_address, name, password):
    """Create the invitee's user from the invitation; return the new User.

    by is who accepts for the invitee; None when the invitee accepts, who has no user until now.
    """
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
    if _owner_of(invitation.email) is not None:
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
        actor=by or user,
        ip_address=ip_address,
        enterprise=invitation.enterprise,
        obj=invitation,
    )
    return user


def check_role_and_access(user, *, role, portal_access):
    """Refuse a role or Portal access change that would leave no usable Administrator.

    Call it inside the transaction that makes the change: it locks the Administrators.
    """
    if _is_usable_administrator(user):
        if user.role_id != role.pk and not role.is_administrator:
            _keep_an_administrator(user, field="role")
        elif not portal_access:
            _keep_an_administrator(user, field="access_types")


@transaction.atomic
def change_role_and_access(user, *, by, ip_address, role, portal_access, api_access, sms_access):
    """Give user another role and access types; return the names of what changed."""
    wanted = {"portal_access": portal_access, "api_access": api_access, "sms_access": sms_access}
    changes = {field: value for field, value in wanted.items() if getattr(user, field) != value}
    role_changed = user.role_id != role.pk
    check_role_and_access(user, role=role, portal_access=portal_access)
    changed = []
    if role_changed:
        old_role = user.role
        user.role = role
        user.save(update_fields=["role"])
        record(
            actions.ROLE_CHANGED,
            actor=by,
            ip_address=ip_address,
            obj=user,
            changes=[Change("Role", old_role, role)],
        )
        changed.append("role")
    if changes:
        before = user.access_types
        for field, value in changes.items():
            setattr(user, field, value)
        user.save(update_fields=list(changes))
        record(
            actions.ACCESS_CHANGED,
            actor=by,
            ip_address=ip_address,
            obj=user,
            changes=[Change("Access types", before, user.access_types)],
        )
        changed.append("access")
    return changed


def check_deactivation(user, *, by):
    """Refuse deactivating oneself, twice, or the last usable Administrator.

    Call it inside the transaction that makes the change: it locks the Administrators.
    """
    if user.pk == by.pk:
        raise ValidationError("You cannot deactivate your own account.")
    if not user.is_active:
        raise ValidationError(f"{user} is already deactivated.")
    if _is_usable_administrator(user):
        _keep_an_administrator(user, field=None)


@transaction.atomic
def deactivate_user(user, *, by, ip_address):
    """Stop user from signing in; their open sessions end with their next request."""
    check_deactivation(user, by=by)
    user.is_active = False
    user.save(update_fields=["is_active"])
    record(actions.USER_DEACTIVATED, actor=by, ip_address=ip_address, obj=user)


def check_reactivation(user, *, by):
    if user.is_active:
        raise ValidationError(f"{user} is already active.")


@transaction.atomic
def reactivate_user(user, *, by, ip_address):
    """Let a deactivated user sign in again."""
    check_reactivation(user, by=by)
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actions.USER_REACTIVATED, actor=by, ip_address=ip_address, obj=user)


def check_mfa_reset(user, *, by):
    """Refuse resetting one's own MFA (allauth's pages do that) or MFA that is not set up."""
    if user.pk == by.pk:
        raise ValidationError(
            "To change your own MFA, use Multi-factor authentication (MFA) in the account menu."
        )
    if not Authenticator.objects.filter(user=user).exists():
        raise ValidationError(f"{user} has no authenticator app to reset.")


@transaction.atomic
def reset_mfa(user, *, by, ip_address):
    """Remove user's authenticator app and recovery codes, and e-mail them that it happened.

    For someone who lost their phone: they sign in with their password and set MFA up again
    (at once, when the enterprise requires it).
    """
    check_mfa_reset(user, by=by)
    Authenticator.objects.filter(user=user).delete()
    record(actions.MFA_RESET, actor=by, ip_address=ip_address, obj=user)
    get_adapter().send_mail(
        "accounts/users/email/mfa_reset",
        user.email,
        {"user": user, "by": by, "enterprise": user.enterprise},
    )


def check_password_reset(user, *, by):
    if not user.is_active:
        raise ValidationError(f"{user} is deactivated: reactivate the account first.")


@transaction.atomic
def send_password_reset(user, *, by, ip_address):
    """E-mail user a link to choose a new password: the Forgot password e-mail, sent for them.

    The link is built from the web request the sign-in library holds, so call it from a view.
    """
    check_password_reset(user, by=by)
    form = ResetPasswordForm(data={"email": user.email})
    if not form.is_valid():
        raise ValidationError(" ".join(form.errors["email"]))
    form.save(request=None)
    record(actions.PASSWORD_RESET_SENT, actor=by, ip_address=ip_address, obj=user)
