import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from .tenancy import tenant_manager


class Job(models.Model):
    """A slow piece of work done by the worker, whose progress a page can poll."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        RETRYING = "retrying", "Failed, will retry"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    FINISHED = {Status.SUCCEEDED, Status.FAILED}

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    enterprise = models.ForeignKey(
        "accounts.Enterprise",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    permission = models.CharField(
        max_length=100,
        blank=True,
        help_text="The permission a user needs to follow this job, e.g. audit.view_audit_log.",
    )
    title = models.CharField(max_length=120)
    function = models.CharField(max_length=200, editable=False)
    status = models.CharField(max_length=12, choices=Status, default=Status.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=500, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_finished(self):
        return self.status in self.FINISHED

    @property
    def percent(self):
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    def report_progress(self, done, total=None, message=None):
        """Save how far the work has got; called by the job function as it goes."""
        self.progress_done = done
        fields = ["progress_done"]
        if total is not None:
            self.progress_total = total
            fields.append("progress_total")
        if message is not None:
            self.message = message[:500]
            fields.append("message")
        self.save(update_fields=fields)

    def mark(self, status, message=None):
        self.status = status
        fields = ["status"]
        if message is not None:
            self.message = message[:500]
            fields.append("message")
        if status == self.Status.RUNNING:
            self.started_at = timezone.now()
            self.attempts += 1
            fields += ["started_at", "attempts"]
        elif status in self.FINISHED:
            self.finished_at = timezone.now()
            fields.append("finished_at")
        self.save(update_fields=fields)
