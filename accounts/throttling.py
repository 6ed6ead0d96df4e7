"""Sign-in attempts and authenticator codes refused by allauth's rate limits.

allauth refuses them with a form error and keeps no record. The portal records each in the audit
log and answers 429 Too Many Requests with its own page, as allauth does for the rate limits it
puts on whole views (handler429 in portal.urls).
"""

from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django.core.exceptions import ValidationError

from audit.records import client_ip, record
from core import errors

from . import actions
from .models import User

# The error codes allauth gives a refusal by its rate limits.
RATE_LIMITED = {"too_many_login_attempts", "rate_limited"}


def refuse_sign_in(request, *, email, step, user=None):
    """Record a sign-in attempt the rate limit refused and answer 429."""
    email = (email or "").strip().lower()
    if user is None and email:
        user = User.objects.filter(email__iexact=email).select_related("enterprise").first()
    # Whoever tried is not known to be the account's owner: no actor, only the address given.
    record(
        actions.SIGN_IN_THROTTLED,
        actor=None,
        actor_email=email,
        ip_address=client_ip(request),
        enterprise=user.enterprise if user is not None else None,
        obj=user,
        details={"email": email[:254], "step": step},
    )
    return errors.too_many_requests(request)


def too_many_requests(request):
    """Answer a request refused by the rate limit of a whole view; audit it on Sign In."""
    match = request.resolver_match
    if request.method == "POST" and match is not None and match.url_name == "account_login":
        return refuse_sign_in(request, email=request.POST.get("login", ""), step="password")
    return errors.too_many_requests(request)


class RefuseThrottledCode:
    """Turn allauth's "too many attempts" error on an authenticator code into a 429 answer."""

    def clean_code(self):
        try:
            return super().clean_code()
        except ValidationError as error:
            if error.code not in RATE_LIMITED:
                raise
            raise ImmediateHttpResponse(self.refuse(context.request)) from error

    def refuse(self, request):
        """A signed-in user's code: confirming it's them, or setting up the app."""
        record(actions.MFA_CODE_THROTTLED, actor=self.user, ip_address=client_ip(request))
        return errors.too_many_requests(request)


class AuthenticateForm(RefuseThrottledCode, mfa_forms.AuthenticateForm):
    """The code asked for at sign-in, after the password."""

    def refuse(self, request):
        return refuse_sign_in(
            request, email=self.user.email, user=self.user, step="authenticator code"
        )


class ReauthenticateForm(RefuseThrottledCode, mfa_forms.ReauthenticateForm):
    pass


class ActivateTOTPForm(RefuseThrottledCode, totp_forms.ActivateTOTPForm):
    pass
