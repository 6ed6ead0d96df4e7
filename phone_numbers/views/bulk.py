"""Managing Bulk Actions: upload a file of numbers and actions, check the preview, confirm."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from audit.records import client_ip
from core.jobs import start_job
from core.tenancy import enterprise_permission_required

from .. import bulk
from ..forms.bulk import BulkUploadForm
from ..permissions import MANAGE_NUMBERS

LINES_PER_PAGE = 200


def _in_inventory(request):
    # The bulk pages belong to the Inventory's US Domestic tab.
    request.menu_entry = "inventory"


@enterprise_permission_required(MANAGE_NUMBERS)
def bulk_upload(request):
    _in_inventory(request)
    form = BulkUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        token = bulk.save_upload(
            request.enterprise,
            form.data_bytes,
            form.cleaned_data["file"].name,
            line_count=len(form.rows),
            by=request.user,
        )
        if len(form.rows) > bulk.inline_lines():
            job = start_job(
                bulk.preview_in_worker,
                token,
                title="Checking the bulk file",
                permission=MANAGE_NUMBERS,
                enterprise=request.enterprise,
                created_by=request.user,
            )
            return redirect("job_status", job.public_id)
        bulk.preview(request.enterprise, token)
        return redirect("phone_numbers:bulk_review", token)
    return render(request, "phone_numbers/bulk_upload.html", {"form": form})


@enterprise_permission_required(MANAGE_NUMBERS)
def bulk_review(request, token):
    _in_inventory(request)
    state = bulk.load_state(request.enterprise.pk, token)
    if state is None:
        raise Http404("No such upload, or it has expired.")
    lines = state["lines"]
    ok_count = sum(line.ok for line in lines)
    only_errors = request.GET.get("show") == "errors"
    shown = [line for line in lines if not line.ok] if only_errors else lines
    start = _start(request, len(shown))
    return render(
        request,
        "phone_numbers/bulk_review.html",
        {
            "token": token,
            "state": state,
            "lines": shown[start : start + LINES_PER_PAGE],
            "ok_count": ok_count,
            "error_count": len(lines) - ok_count,
            "only_errors": only_errors,
            "previous_start": start - LINES_PER_PAGE if start else None,
            "next_start": start + LINES_PER_PAGE if start + LINES_PER_PAGE < len(shown) else None,
            "first_shown": start + 1,
            "last_shown": min(start + LINES_PER_PAGE, len(shown)),
            "shown_count": len(shown),
        },
    )


def _start(request, count):
    try:
        start = int(request.GET.get("start", 0))
    except ValueError:
        return 0
    return max(0, min(start - start % LINES_PER_PAGE, max(count - 1, 0)))


@require_POST
@enterprise_permission_required(MANAGE_NUMBERS)
def bulk_confirm(request, token):
    state = bulk.load_state(request.enterprise.pk, token)
    if state is None:
        raise Http404("No such upload, or it has expired.")
    if state["status"] not in {"previewed", "changed"}:
        return redirect("phone_numbers:bulk_review", token)
    if sum(line.ok for line in state["lines"]) > bulk.inline_lines():
        job = start_job(
            bulk.confirm_in_worker,
            token,
            request.user.pk,
            client_ip(request),
            title="Applying the bulk file",
            permission=MANAGE_NUMBERS,
            enterprise=request.enterprise,
            created_by=request.user,
        )
        return redirect("job_status", job.public_id)
    try:
        state = bulk.confirm(
            request.enterprise, token, by=request.user, ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, f"Nothing was applied: {' '.join(error.messages)}")
        return redirect("phone_numbers:bulk_review", token)
    if state["status"] == "applied":
        messages.success(request, state["message"])
        return redirect("phone_numbers:us_domestic")
    messages.warning(request, state["message"])
    return redirect("phone_numbers:bulk_review", token)


@enterprise_permission_required(MANAGE_NUMBERS)
def bulk_template(request):
    response = HttpResponse(bulk.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="numbers-bulk-actions.csv"'
    return response


urlpatterns = [
    path("numbers/bulk/", bulk_upload, name="bulk_upload"),
    path("numbers/bulk/template.csv", bulk_template, name="bulk_template"),
    path("numbers/bulk/<str:token>/", bulk_review, name="bulk_review"),
    path("numbers/bulk/<str:token>/confirm/", bulk_confirm, name="bulk_confirm"),
]
