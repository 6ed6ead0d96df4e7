"""The back office's view of background jobs: the Jobs pages follow, and the failed jobs."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods
from rq.exceptions import InvalidJobOperation, NoSuchJobError

from .failed_jobs import delete_failed_job, failed_jobs, requeue_failed_job
from .models import Job


class ReadOnlyAdmin(admin.ModelAdmin):
    """A back-office list and page of rows the portal alone writes: staff read them."""

    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs are written by the worker alone."""

    list_display = [
        "created_at",
        "title",
        "status",
        "enterprise",
        "created_by",
        "permission",
        "attempts",
        "started_at",
        "finished_at",
        "message",
    ]
    list_filter = ["status", "enterprise"]
    list_select_related = ["enterprise", "created_by"]
    search_fields = ["title", "message", "function", "enterprise__name", "created_by__email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "public_id",
        "title",
        "function",
        "status",
        "enterprise",
        "created_by",
        "permission",
        "progress_done",
        "progress_total",
        "attempts",
        "retry_waits",
        "timeout",
        "created_at",
        "next_attempt_at",
        "started_at",
        "lease_expires_at",
        "finished_at",
        "message",
        "result_url",
        "arguments",
        "queue_job_id",
    ]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        failed = self.admin_site.admin_view(self.failed_jobs_view)
        return [path("failed/", failed, name="core_job_failed"), *super().get_urls()]

    def may_manage_failed_jobs(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    @method_decorator(require_http_methods(["GET", "POST"]))
    def failed_jobs_view(self, request):
        """RQ's failed registry, newest first; POST requeues or deletes one job."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            if not self.may_manage_failed_jobs(request):
                raise PermissionDenied
            self._act_on_failed_job(request, request.POST.get("action"), request.POST.get("job"))
            return redirect("admin:core_job_failed")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Failed jobs",
            "jobs": [(job, self._enterprise_url(job.enterprise_id)) for job in failed_jobs()],
            "may_manage": self.may_manage_failed_jobs(request),
        }
        return TemplateResponse(request, "admin/core/job/failed_jobs.html", context)

    def _act_on_failed_job(self, request, action, job_id):
        actions = {
            "requeue": (requeue_failed_job, "queued again"),
            "delete": (delete_failed_job, "deleted"),
        }
        if action not in actions or not job_id:
            messages.error(request, "Choose a job and an action.")
            return
        act, done = actions[action]
        try:
            act(job_id)
        except (InvalidJobOperation, NoSuchJobError):
            messages.error(request, f"Job {job_id} is no longer among the failed jobs.")
            return
        messages.success(request, f"Job {job_id} {done}.")

    def _enterprise_url(self, enterprise_id):
        if enterprise_id is None:
            return ""
        enterprise_opts = Job._meta.get_field("enterprise").related_model._meta
        try:
            return reverse(
                f"admin:{enterprise_opts.app_label}_{enterprise_opts.model_name}_change",
                args=[enterprise_id],
            )
        except NoReverseMatch:
            return ""
