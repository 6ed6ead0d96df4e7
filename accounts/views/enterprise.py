from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import path

from accounts.forms.profile import EnterpriseSettingsForm
from accounts.permissions import MANAGE_ENTERPRISE_SETTINGS, VIEW_ENTERPRISE_SETTINGS
from accounts.services import update_enterprise_settings
from audit.records import client_ip
from core.dashboard import sections_for
from core.tenancy import enterprise_permission_required


@enterprise_permission_required(VIEW_ENTERPRISE_SETTINGS)
def enterprise_settings(request):
    """The settings, as a form for those who may change them and as plain values for others."""
    enterprise = request.enterprise
    can_change = request.user.has_perm(MANAGE_ENTERPRISE_SETTINGS)
    if request.method == "POST" and not can_change:
        raise PermissionDenied("Your role does not allow this.")
    form = EnterpriseSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "adr_delivery_enabled": enterprise.adr_delivery_enabled,
            "require_mfa": enterprise.require_mfa,
            "time_zone": enterprise.time_zone,
        },
    )
    if request.method == "POST" and form.is_valid():
        # Requiring MFA applies to the admin too: one without an authenticator app is sent to
        # set it up at once, so they are asked first.
        locks_out_admin = (
            form.cleaned_data["require_mfa"]
            and not enterprise.require_mfa
            and not request.user.has_mfa
        )
        if locks_out_admin and "confirm_mfa" not in request.POST:
            return render(request, "accounts/enterprise_settings_confirm_mfa.html", {"form": form})
        changed = update_enterprise_settings(
            enterprise,
            by=request.user,
            ip_address=client_ip(request),
            adr_delivery_enabled=form.cleaned_data["adr_delivery_enabled"],
            require_mfa=form.cleaned_data["require_mfa"],
            time_zone=form.cleaned_data["time_zone"],
        )
        if changed:
            messages.success(request, "Enterprise Settings were saved.")
        else:
            messages.info(request, "Nothing changed.")
        if locks_out_admin:
            return redirect("mfa_activate_totp")
        return redirect("accounts:enterprise_settings")
    return render(
        request,
        "accounts/enterprise_settings.html",
        {
            "form": form,
            "can_change": can_change,
            # Other apps' cards, each with forms of its own.
            "sections": sections_for(request, "enterprise_settings"),
        },
    )


urlpatterns = [
    path("enterprise-settings/", enterprise_settings, name="enterprise_settings"),
]
