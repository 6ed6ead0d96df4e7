from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .exports import urlpatterns as export_urlpatterns
from .inventory import urlpatterns as inventory_urlpatterns
from .jobs import job_for_member
from .tables import DataTable
from .tenancy import enterprise_member_required


@enterprise_member_required
def job_status(request, public_id):
    job = job_for_member(request, public_id)
    template = "core/_job_status.html" if request.htmx else "core/job_status.html"
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


urlpatterns = [
    path("jobs/<uuid:public_id>/", job_status, name="job_status"),
    path("tables/<slug:table_name>/columns/", save_table_columns, name="table_columns"),
    *export_urlpatterns,
    *inventory_urlpatterns,
]
