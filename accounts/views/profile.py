from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from accounts.forms.profile import ProfileForm
from accounts.services import update_profile
from audit.records import client_ip
from core.tenancy import enterprise_member_required


@enterprise_member_required
def my_account(request):
    user = request.user
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        update_profile(
            user,
            by=user,
            ip_address=client_ip(request),
            name=form.cleaned_data["name"],
            phone=form.cleaned_data["phone"],
            time_zone=form.cleaned_data["time_zone"],
        )
        messages.success(request, "Your details were saved.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_account.html", {"form": form})


urlpatterns = [
    path("my-account/", my_account, name="my_account"),
]
