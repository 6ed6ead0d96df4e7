from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.dashboard import sections_for


@login_required
def dashboard(request):
    if request.enterprise is None:
        return redirect("admin:index")
    return render(request, "accounts/dashboard.html", {"sections": sections_for(request)})


def my_applications(request):
    """The My Applications section: the CPaaS applications contracted for the enterprise."""
    return {"applications": request.enterprise.applications.all()}
