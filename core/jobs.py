"""Background jobs: queued on RQ after the transaction commits, or run inline without Redis.

A job that has failed for good (no retries left) is e-mailed to ADMINS from the process that ran
it, and stays in RQ's failed registry, which staff see in the back office (Jobs > Failed jobs).
"""

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, mail_admins
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled
from rq import Callback, Retry, get_current_job
from rq.job import Job as RQJob

from .tenancy import enterprise_scope, get_for_member

logger = logging.getLogger(__name__)

# Attempts after the first failure, and the wait in seconds before each one. After the last,
# staff are alerted and the job stays in RQ's failed registry.
RETRY_INTERVALS = [10, 60, 300]
# How many failed jobs the back office lists, newest first.
FAILED_JOBS_SHOWN = 100


def enqueue(func, *args, kind, enterprise=None, **kwargs):
    """Run func(*args, **kwargs) in the worker once the current transaction commits.

    kind names the work in a few words ("E-mail", a Job's title) and enterprise is the one it
    is done for, if any: both are shown to staff when the job fails.
    """
    meta = {
        "kind": kind,
        "enterprise_id": enterprise.pk if enterprise is not None else None,
        "enterprise": str(enterprise) if enterprise is not None else "",
    }
    if settings.JOBS_INLINE:
        transaction.on_commit(lambda: _run_inline(meta, func, args, kwargs), robust=True)
        return
    import django_rq

    queue = django_rq.get_queue("default")
    # django-rq's queue already defers the enqueue to the commit of the current transaction.
    queue.enqueue(
        func,
        *args,
        retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
        meta=meta,
        on_failure=Callback(_alert_staff_of_last_failure),
        **kwargs,
    )


def _run_inline(meta, func, args, kwargs):
    # Inline jobs are not retried: the first failure is the last. on_commit(robust=True) logs
    # the exception raised again here.
    try:
        func(*args, **kwargs)
    except Exception:
        alert_staff(meta, f"{func.__module__}.{func.__qualname__}", traceback.format_exc())
        raise


def _alert_staff_of_last_failure(job, connection, exc_type, exc_value, exc_traceback):
    """RQ's failure callback, run in the worker after every failed attempt."""
    if job.retries_left:
        return
    error = "".join(traceback.format_exception(exc_type, exc_value, exc_traceback))
    alert_staff(job.meta, job.func_name, error, queue_job_id=job.id)


def alert_staff(meta, function, error, queue_job_id=None):
    """E-mail ADMINS that a job has failed for good: its kind, enterprise and error."""
    kind = meta.get("kind") or function
    enterprise = meta.get("enterprise") or "none"
    if meta.get("enterprise_id") is not None:
        enterprise = f"{enterprise}, id {meta['enterprise_id']}"
    summary = error.strip().splitlines()[-1] if error.strip() else "unknown error"
    lines = [
        "A background job failed and will not be tried again.",
        "",
        f"Kind: {kind}",
        f"Enterprise: {enterprise}",
        f"Function: {function}",
    ]
    if queue_job_id:
        lines += [
            f"Queue job: {queue_job_id}",
            f"Failed jobs: {settings.SITE_URL}{reverse('admin:core_job_failed')}",
        ]
    lines += ["", error.rstrip()]
    # A header cannot hold line breaks, and a kind or a name might.
    subject = " ".join(f"Job failed: {kind} ({enterprise}): {summary}".split())[:200]
    try:
        mail_admins(subject, "\n".join(lines))
    except Exception:
        # Raising here would replace the job's own error in RQ's records.
        logger.exception("Could not e-mail staff about the failed job %s", queue_job_id or kind)


@dataclass
class FailedJob:
    """One job of RQ's failed registry, as the back office lists it."""

    id: str
    kind: str
    enterprise: str
    enterprise_id: int | None
    function: str
    failed_at: datetime | None
    error: str


def _failed_registry():
    import django_rq

    return django_rq.get_queue("default").failed_job_registry


def failed_jobs():
    """The newest jobs that failed for good, or none when jobs run inline."""
    if settings.JOBS_INLINE:
        return []
    registry = _failed_registry()
    ids = registry.get_job_ids(0, FAILED_JOBS_SHOWN - 1, desc=True)
    jobs = []
    for job in RQJob.fetch_many(ids, connection=registry.connection):
        if job is None:
            continue
        result = job.latest_result()
        error = (result.exc_string or "") if result else ""
        jobs.append(
            FailedJob(
                id=job.id,
                kind=job.meta.get("kind", ""),
                enterprise=job.meta.get("enterprise", ""),
                enterprise_id=job.meta.get("enterprise_id"),
                function=job.func_name or "",
                failed_at=job.ended_at,
                error=error.strip().splitlines()[-1] if error.strip() else "",
            )
        )
    return jobs


def requeue_failed_job(job_id):
    """Queue a failed job again, with no retries left: failing again alerts staff again."""
    _failed_registry().requeue(job_id)


def delete_failed_job(job_id):
    _failed_registry().remove(job_id, delete_job=True)


def send_email(subject, body, to, html_body=None, from_email=None):
    """Send one message; raising lets the queue retry it."""
    message = EmailMultiAlternatives(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def queue_email(message, enterprise=None):
    """Queue an already rendered EmailMessage for the worker to send."""
    html_body = next(
        (
            content
            for content, mimetype in getattr(message, "alternatives", [])
            if mimetype == "text/html"
        ),
        None,
    )
    enqueue(
        send_email,
        message.subject,
        message.body,
        list(message.to),
        html_body,
        message.from_email,
        kind="E-mail",
        enterprise=enterprise,
    )


def start_job(func, *args, title, permission, enterprise=None, created_by=None):
    """Record a Job and have the worker run func(job, *args); return the Job for a page to poll.

    permission is what a user needs to follow the job's page (the permission of its kind of
    work). func runs in the scope of the job's enterprise; it may call job.report_progress()
    as it goes, and returns the URL of its result, if any.
    """
    from .models import Job

    job = Job.objects.create(
        title=title,
        function=f"{func.__module__}.{func.__qualname__}",
        permission=permission,
        enterprise=enterprise,
        created_by=created_by,
    )
    enqueue(run_job, job.pk, *args, kind=title, enterprise=enterprise)
    return job


def job_for_member(request, public_id):
    """A job of the request's enterprise the user may follow: 404 for another enterprise's job,
    403 to a member whose role lacks the permission of the job's kind."""
    from .models import Job

    job = get_for_member(request, Job.objects.all(), public_id=public_id)
    if job.permission and not request.user.has_perm(job.permission):
        raise PermissionDenied("Your role does not allow this.")
    return job


def run_job(job_id, *args):
    from .models import Job

    with scopes_disabled():
        job = Job.objects.get(pk=job_id)
    # A job that has succeeded is not done twice; a failed one runs again when staff requeue it.
    if job.status == Job.Status.SUCCEEDED:
        return
    if job.enterprise_id is None:
        _run(job, *args)
    else:
        with enterprise_scope(job.enterprise_id):
            _run(job, *args)


def _run(job, *args):
    from .models import Job

    job.mark(Job.Status.RUNNING)
    try:
        result_url = import_string(job.function)(job, *args)
    except Exception as error:
        logger.exception("Job %s (%s) failed", job.pk, job.title)
        current = get_current_job()
        will_retry = bool(current and current.retries_left)
        job.mark(
            Job.Status.RETRYING if will_retry else Job.Status.FAILED,
            message=f"{type(error).__name__}: {error}",
        )
        raise
    job.result_url = result_url or ""
    job.save(update_fields=["result_url"])
    job.mark(Job.Status.SUCCEEDED)


def purge_finished_jobs(days=30):
    """Delete jobs that finished more than `days` ago; safe to run any number of times."""
    from .models import Job

    cutoff = timezone.now() - timedelta(days=days)
    with scopes_disabled():
        deleted, _ = Job.objects.filter(status__in=Job.FINISHED, finished_at__lt=cutoff).delete()
    return deleted
