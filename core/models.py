import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_scopes import scopes_disabled

from .tenancy import tenant_manager

# Seconds a worker's lease on a running job lasts beyond the job's timeout.
LEASE_MARGIN_SECONDS = 60


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
    # What the worker needs to run it again, and when: the sweep (core.jobs.recover_jobs) reads
    # these to queue again a job whose queueing was lost or whose worker died.
    arguments = models.JSONField(
        default=list, editable=False, help_text="Passed to the function after the job."
    )
    retry_waits = models.JSONField(
        default=list, editable=False, help_text="Seconds before each retry after a failure."
    )
    timeout = models.PositiveIntegerField(
        default=600, editable=False, help_text="Seconds one attempt may take."
    )
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        null=True, blank=True, help_text="A running job not finished by then has lost its worker."
    )
    queue_job_id = models.CharField(max_length=64, blank=True, editable=False)

    objects = tenant_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep's query, every minute: only the few unfinished jobs are in the index.
            models.Index(
                fields=["status"],
                condition=models.Q(status__in=["queued", "retrying", "running"]),
                name="core_job_unfinished",
            ),
        ]

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

    @property
    def max_attempts(self):
        return len(self.retry_waits) + 1

    def claim(self):
        """Take this job to run one attempt of it; True for the one caller that wins.

        A compare-and-set in one UPDATE, so two workers handed the same job cannot both win: only
        a queued or retrying job, or a running one whose worker's lease has expired, is taken. A
        finished job is never taken again, however often its queue job is delivered.
        """
        now = timezone.now()
        runnable = models.Q(status__in=[self.Status.QUEUED, self.Status.RETRYING]) | models.Q(
            status=self.Status.RUNNING, lease_expires_at__lt=now
        )
        with scopes_disabled():  # this one row, by its primary key: no tenant to protect
            won = (
                type(self)
                .objects.filter(runnable, pk=self.pk)
                .update(
                    status=self.Status.RUNNING,
                    attempts=models.F("attempts") + 1,
                    started_at=now,
                    # The worker stops an attempt at its timeout; the margin covers a slow start.
                    lease_expires_at=now + timedelta(seconds=self.timeout + LEASE_MARGIN_SECONDS),
                )
            )
        if won:
            self.refresh_from_db()
        return bool(won)

    def end_attempt(self, status, **fields):
        """Record how this worker's attempt ended; False if the job is no longer its to end.

        Only the attempt that claimed the job may end it: a worker that outlived its lease finds
        another attempt (or staff) in charge and changes nothing.
        """
        if status in self.FINISHED:
            fields["finished_at"] = timezone.now()
        if "message" in fields:
            fields["message"] = fields["message"][:500]
        with scopes_disabled():
            ended = (
                type(self)
                .objects.filter(pk=self.pk, status=self.Status.RUNNING, attempts=self.attempts)
                .update(status=status, lease_expires_at=None, **fields)
            )
        if ended:
            self.refresh_from_db()
        return bool(ended)
