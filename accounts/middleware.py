from django.contrib import messages
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils import timezone


class UserTimezoneMiddleware:
    """Show times in the signed-in user's zone (their own, else their enterprise's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            timezone.activate(request.user.zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class RequireMfaMiddleware:
    """Hold users who must use MFA at the authenticator setup until they have set it up.

    Staff must (the back office reaches every enterprise), and so must the users of an
    enterprise that requires it. request.mfa_setup_required tells templates the user is held.
    """

    ALLOWED_URL_NAMES = {
        "mfa_index",
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_logout",
        "account_reauthenticate",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.mfa_setup_required = (
            user.is_authenticated and user.mfa_required and not user.has_mfa
        )
        if request.mfa_setup_required and not self._is_allowed(request.path_info):
            if user.is_staff:
                who_requires = "Staff accounts require"
            else:
                who_requires = f"{user.enterprise.name} requires"
            messages.warning(
                request,
                f"{who_requires} multi-factor authentication. "
                "Set up an authenticator app to continue.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    def _is_allowed(self, path):
        try:
            match = resolve(path)
        except Resolver404:
            return True
        return match.url_name in self.ALLOWED_URL_NAMES
