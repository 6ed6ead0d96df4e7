from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path

from accounts import actions
from accounts.forms.profile import ProfileForm
from audit.records import record
from core.tenancy import enterprise_member_required


@enterprise_member_required
def my_account(request):
    user = request.user
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            record(
                actions.PROFILE_CHANGED,
                request=request,
                obj=user,
                details={"fields": form.changed_data},
            )
        messages.success(request, "Your details were saved.")
        return redirect("accounts:my_account")
    return render(request, "accounts/my_account.html", {"form": form})


urlpatterns = [
    path("my-account/", my_account, name="my_account"),
]
