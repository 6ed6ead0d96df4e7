from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from accounts.forms.profile import EnterpriseSettingsForm
from accounts.permissions import MANAGE_ENTERPRISE_SETTINGS
from accounts.services import update_enterprise_settings
from core.tenancy import enterprise_permission_required


@enterprise_permission_required(MANAGE_ENTERPRISE_SETTINGS)
def enterprise_settings(request):
    enterprise = request.enterprise
    form = EnterpriseSettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "adr_delivery_enabled": enterprise.adr_delivery_enabled,
            "require_mfa": enterprise.require_mfa,
        },
    )
    if request.method == "POST" and form.is_valid():
        changed = update_enterprise_settings(
            enterprise,
            by=request.user,
            request=request,
            adr_delivery_enabled=form.cleaned_data["adr_delivery_enabled"],
            require_mfa=form.cleaned_data["require_mfa"],
        )
        if changed:
            messages.success(request, "Enterprise Settings were saved.")
        else:
            messages.info(request, "Nothing changed.")
        return redirect("accounts:enterprise_settings")
    return render(request, "accounts/enterprise_settings.html", {"form": form})


urlpatterns = [
    path("enterprise-settings/", enterprise_settings, name="enterprise_settings"),
]
