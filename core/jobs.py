"""Background jobs: queued on RQ after the transaction commits, or run inline without Redis."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled
from rq import Retry, get_current_job

from .tenancy import enterprise_scope

logger = logging.getLogger(__name__)

# Attempts after the first failure, and the wait in seconds before each one. After the last,
# the job stays in RQ's failed registry, which staff see in the admin's job views.
RETRY_INTERVALS = [10, 60, 300]


def enqueue(func, *args, **kwargs):
    """Run func(*args, **kwargs) in the worker once the current transaction commits."""
    if settings.JOBS_INLINE:
        transaction.on_commit(lambda: func(*args, **kwargs), robust=True)
        return
    import django_rq

    queue = django_rq.get_queue("default")
    # django-rq's queue already defers the enqueue to the commit of the current transaction.
    queue.enqueue(
        func, *args, retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS), **kwargs
    )


def send_email(subject, body, to, html_body=None, from_email=None):
    """Send one message; raising lets the queue retry it."""
    message = EmailMultiAlternatives(subject, body, from_email or settings.DEFAULT_FROM_EMAIL, to)
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()


def queue_email(message):
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
        send_email, message.subject, message.body, list(message.to), html_body, message.from_email
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
    enqueue(run_job, job.pk, *args)
    return job


def run_job(job_id, *args):
    from .models import Job

    with scopes_disabled():
        job = Job.objects.get(pk=job_id)
    if job.is_finished:
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
