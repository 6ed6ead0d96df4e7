import time
from urllib.parse import urlsplit

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from audit.records import client_ip
from core.jobs import queue_email

from .signals import record_failed_sign_in
from .throttling import refuse_sign_in


class PortalAccountAdapter(DefaultAccountAdapter):
    """Sign-in rules of the portal: no self sign-up, mail through the worker, access checks."""

    def is_open_for_signup(self, request):
        # Enterprises are set up by carrier staff; users join by an Administrator's invitation.
        return False

    def send_mail(self, template_prefix, email, context):
        request = context.get("request") or allauth_context.request
        site = {
            "name": "Carrier Portal",
            "domain": request.get_host() if request else urlsplit(settings.SITE_URL).netloc,
        }
        context = {"request": request, "email": email, "current_site": site, **context}
        queue_email(self.render_mail(template_prefix, email, context))

    def pre_login(self, request, user, **kwargs):
        refusal = user.portal_refusal()
        if refusal and user.is_active:
            # The password was right, but the account may not use the portal: say why.
            clear_login(request)
            record_failed_sign_in(
                email=user.email, user=user, reason=refusal, ip_address=client_ip(request)
            )
            messages.error(request, refusal)
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def pre_authenticate(self, request, **credentials):
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as error:
            # Too many failed attempts: audit the refusal and answer 429, not a form error.
            if error.code != "too_many_login_attempts":
                raise
            response = refuse_sign_in(request, email=credentials.get("email"), step="password")
            raise ImmediateHttpResponse(response) from error

    def is_reauthentication_required(self, *, app, **kwargs):
        # Right after signing in, asking for the password again before a change to the
        # sign-in methods (such as the authenticator setup that Require MFA leads to) adds
        # nothing: the sign-in counts as confirming it's you for the same time.
        if self.signed_in_recently(self.request):
            return False
        return super().is_reauthentication_required(app=app, **kwargs)

    def signed_in_recently(self, request):
        """Whether the signed-in user proved who they are within the reauthentication timeout."""
        if request is None or not request.user.is_authenticated:
            return False
        records = [
            entry
            for entry in get_authentication_records(request, request.user)
            if entry.get("method") in account_settings.REAUTHENTICATION_METHODS
        ]
        return bool(records) and (
            time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT
        )

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)


class PortalMfaAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": "Your company requires multi-factor authentication, "
        "so the authenticator app cannot be deactivated.",
    }

    def can_delete_authenticator(self, authenticator):
        if authenticator.type == Authenticator.Type.TOTP and authenticator.user.mfa_required:
            return False
        return super().can_delete_authenticator(authenticator)
