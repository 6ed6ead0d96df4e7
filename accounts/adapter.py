from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.stagekit import clear_login
from django.contrib import messages
from django.shortcuts import redirect

from portal.jobs import queue_email


class PortalAccountAdapter(DefaultAccountAdapter):
    """Sign-in rules of the portal: no self sign-up, mail through the worker, access checks."""

    def is_open_for_signup(self, request):
        # Enterprises are set up by carrier staff; users join by an Administrator's invitation.
        return False

    def send_mail(self, template_prefix, email, context):
        request = context.get("request")
        context = {"email": email, **context}
        if request is not None:
            context.setdefault("request", request)
        queue_email(self.render_mail(template_prefix, email, context))

    def pre_login(self, request, user, **kwargs):
        refusal = user.portal_refusal()
        if refusal and user.is_active:
            clear_login(request)
            messages.error(request, refusal)
            return redirect("account_login")
        return super().pre_login(request, user, **kwargs)

    def get_login_redirect_url(self, request):
        if request.user.is_staff:
            return "/admin/"
        return super().get_login_redirect_url(request)
