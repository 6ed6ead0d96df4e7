"""Audit sign-in, sign-out, password, email and MFA events raised by Django and allauth."""

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from audit.records import Change, client_ip, record

from . import actions


def _record_own(action, request, user, **fields):
    """Record what user did to their own account."""
    record(action, actor=user, ip_address=client_ip(request), obj=user, **fields)


@receiver(auth_signals.user_logged_in)
def audit_sign_in(sender, request, user, **kwargs):
    _record_own(actions.SIGN_IN, request, user)


@receiver(auth_signals.user_logged_out)
def audit_sign_out(sender, request, user, **kwargs):
    if user is not None:
        _record_own(actions.SIGN_OUT, request, user)


@receiver(auth_signals.user_login_failed)
def audit_sign_in_failure(sender, credentials, request=None, **kwargs):
    email = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    if not email:
        return
    user = get_user_model().objects.filter(email__iexact=email).select_related("enterprise").first()
    if user is not None and not user.is_active:
        reason = "Account deactivated"
    else:
        reason = "Wrong email or password"
    record_failed_sign_in(email=email, user=user, reason=reason, ip_address=client_ip(request))


@receiver(account_signals.password_changed)
def audit_password_change(sender, request, user, **kwargs):
    _record_own(actions.PASSWORD_CHANGED, request, user)


@receiver(account_signals.password_reset)
def audit_password_reset(sender, request, user, **kwargs):
    _record_own(actions.PASSWORD_RESET, request, user)


@receiver(account_signals.email_changed)
def audit_email_change(sender, request, user, from_email_address, to_email_address, **kwargs):
    old = from_email_address.email if from_email_address else ""
    _record_own(
        actions.EMAIL_CHANGED,
        request,
        user,
        changes=[Change("Email", old, to_email_address.email)],
    )


@receiver(mfa_signals.authenticator_added)
def audit_mfa_added(sender, request, user, authenticator, **kwargs):
    # Recovery codes are added along with the authenticator app: one event is enough.
    if authenticator.type == Authenticator.Type.TOTP:
        _record_own(actions.MFA_ENABLED, request, user)


@receiver(mfa_signals.authenticator_removed)
def audit_mfa_removed(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.TOTP:
        _record_own(actions.MFA_DISABLED, request, user)


@receiver(mfa_signals.authenticator_reset)
def audit_mfa_reset(sender, request, user, authenticator, **kwargs):
    _record_own(actions.MFA_RECOVERY_CODES_RESET, request, user)


@receiver(mfa_signals.authentication_failed)
def audit_mfa_failure(sender, request, user, authenticator, reauthentication=False, **kwargs):
    if not reauthentication:
        record_failed_sign_in(
            email=user.email,
            user=user,
            reason="Wrong authenticator code",
            ip_address=client_ip(request),
        )


def record_failed_sign_in(*, email, user, reason, ip_address):
    """Record a refused sign-in; whoever tried is not known to be the account's owner."""
    return record(
        actions.SIGN_IN_FAILED,
        actor=None,
        actor_email=email,
        ip_address=ip_address,
        enterprise=user.enterprise if user is not None else None,
        obj=user,
        details={"email": email[:254], "reason": reason},
    )
