from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts.decorators import enterprise_member_required

from .tables import DataTable


@login_required
def dashboard(request):
    if request.user.enterprise_id is None:
        return redirect("admin:index")
    enterprise = request.user.enterprise
    return render(request, "portal/dashboard.html", {"applications": enterprise.applications.all()})


@enterprise_member_required
def job_status(request, public_id):
    job = get_object_or_404(request.user.enterprise.jobs, public_id=public_id)
    template = "portal/_job_status.html" if request.htmx else "portal/job_status.html"
    return render(request, template, {"job": job})


@require_POST
@enterprise_member_required
def save_table_columns(request, table_name):
    table_class = DataTable.registry.get(table_name)
    if table_class is None:
        return redirect("dashboard")
    table_class.save_column_choice(request.user, request.POST.getlist("columns"))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, {request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "dashboard"
    return redirect(next_url)
