from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect

from core.jobs import queue_email

from .signals import record_failed_sign_in


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
            record_failed_sign_in(request, email=user.email, user=user, reason=refusal)
            messages.error(request, refusal)
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

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
        user = authenticator.user
        if (
            authenticator.type == Authenticator.Type.TOTP
            and user.enterprise_id
            and user.enterprise.require_mfa
        ):
            return False
        return super().can_delete_authenticator(authenticator)
