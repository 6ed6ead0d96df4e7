"""Background jobs: queued on RQ after the transaction commits, or run inline without Redis.

Each kind of work declares how it is retried (`@retry_policy(waits=..., timeout=...)` on its
function). A followed job (`start_job`) is a `Job` row that holds all the worker needs: a worker
runs an attempt only once it has claimed the row (`Job.claim`, a compare-and-set), retries are
queued from the row, and the sweep (`recover_jobs`, every minute) queues again a job whose
queueing was lost or whose worker died. A job that has failed for good (no retries left) is
e-mailed to ADMINS from the process that ran it, and stays in RQ's failed registry, which staff
see in the back office (Jobs > Failed jobs).
"""

import logging
import traceback
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives, mail_admins
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_scopes import scopes_disabled
from redis.exceptions import RedisError
from rq import Callback, Retry, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job as RQJob
from rq.job import JobStatus

from .tenancy import enterprise_scope, get_for_member

logger = logging.getLogger(__name__)

# A queued job is queued again by the sweep only once it has waited this long for nothing: the
# queueing itself happens just after the transaction that recorded the job has committed.
LOST_AFTER = timedelta(minutes=1)
# Queue job states that mean the attempt is still to come.
WAITING = {JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED}


@dataclass(frozen=True)
class RetryPolicy:
    """How a kind of work is retried: the seconds to wait before each retry after a failure (no
    waits: the first failure is the last), and the seconds one attempt may take."""

    waits: tuple[int, ...] = (10, 60, 300)
    timeout: int = 600


DEFAULT_RETRY_POLICY = RetryPolicy()


def retry_policy(*, waits=DEFAULT_RETRY_POLICY.waits, timeout=DEFAULT_RETRY_POLICY.timeout):
    """Declare the retry policy of a job function, above it:

    @retry_policy(waits=(60, 600, 3600), timeout=120)
    def submit_port_order(job, order_id): ...
    """
    policy = RetryPolicy(waits=tuple(waits), timeout=timeout)

    def declare(func):
        func.retry_policy = policy
        return func

    return declare


def policy_of(func):
    return getattr(func, "retry_policy", DEFAULT_RETRY_POLICY)


def _queue():
    import django_rq

    # Queued right away: callers decide themselves when (after the commit) to queue.
    return django_rq.get_queue("default", commit_mode="auto")


def enqueue(func, *args, kind, enterprise=None, **kwargs):
    """Run func(*args, **kwargs) in the worker once the current transaction commits.

    kind names the work in a few words ("E-mail", a Job's title) and enterprise is the one it
    is done for, if any: both are shown to staff when the job fails. func's retry policy says
    how often and when it is tried again.
    """
    meta = {
        "kind": kind,
        "enterprise_id": enterprise.pk if enterprise is not None else None,
        "enterprise": str(enterprise) if enterprise is not None else "",
    }
    if settings.JOBS_INLINE:
        transaction.on_commit(lambda: _run_inline(meta, func, args, kwargs), robust=True)
        return
    policy = policy_of(func)
    # robust: Redis down at the commit is logged, and the page that committed still answers.
    transaction.on_commit(
        lambda: _queue().enqueue(
            func,
            *args,
            retry=Retry(max=len(policy.waits), interval=list(policy.waits))
            if policy.waits
            else None,
            job_timeout=policy.timeout,
            meta=meta,
            on_failure=Callback(_alert_staff_of_last_failure),
            **kwargs,
        ),
        robust=True,
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


def send_email(
    subject,
    body,
    to,
    html_body=None,
    from_email=None,
    *,
    reply_to=(),
    headers=None,
    attachments=(),
):
    """Send one message; raising lets the queue retry it."""
    message = EmailMultiAlternatives(
        subject,
        body,
        from_email or settings.DEFAULT_FROM_EMAIL,
        to,
        reply_to=list(reply_to) or None,
        headers=headers,
    )
    if html_body:
        message.attach_alternative(html_body, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    message.send()


# Off while the demo data loads: it acts as customers and staff would, and tells nobody.
_emails_on = ContextVar("emails_on", default=True)


@contextmanager
def without_emails():
    """Queue no e-mail inside: for the demo data."""
    token = _emails_on.set(False)
    try:
        yield
    finally:
        _emails_on.reset(token)


def emails_on():
    return _emails_on.get()


def queue_email(message, enterprise=None):
    """Queue an already rendered EmailMessage for the worker to send (none inside
    without_emails)."""
    if not emails_on():
        return
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
        reply_to=list(message.reply_to),
        headers=dict(message.extra_headers),
        attachments=[tuple(attachment) for attachment in message.attachments],
        kind="E-mail",
        enterprise=enterprise,
    )


def start_job(func, *args, title, permission, enterprise=None, created_by=None):
    """Record a Job and have the worker run func(job, *args); return the Job for a page to poll.

    permission is what a user needs to follow the job's page (the permission of its kind of
    work). args are kept on the Job (JSON values: ids, not objects) so that any worker can run
    it again. func runs in the scope of the job's enterprise; it may call job.report_progress()
    as it goes, and returns the URL of its result, if any. It may run more than once (a retry,
    a worker that died): it must do no harm twice.
    """
    from .models import Job

    policy = policy_of(func)
    job = Job.objects.create(
        title=title,
        function=f"{func.__module__}.{func.__qualname__}",
        arguments=list(args),
        permission=permission,
        enterprise=enterprise,
        created_by=created_by,
        retry_waits=list(policy.waits),
        timeout=policy.timeout,
        next_attempt_at=timezone.now(),
        queue_job_id=_new_queue_job_id(),
    )
    if settings.JOBS_INLINE:
        transaction.on_commit(lambda: run_job(job.pk), robust=True)
    else:
        transaction.on_commit(lambda: _queue_attempt(job))
    return job


def job_for_member(request, public_id):
    """A job of the request's enterprise the user may follow: 404 for another enterprise's job,
    403 to a member whose role lacks the permission of the job's kind."""
    from .models import Job

    job = get_for_member(request, Job.objects.all(), public_id=public_id)
    if job.permission and not request.user.has_perm(job.permission):
        raise PermissionDenied("Your role does not allow this.")
    return job


def _new_queue_job_id():
    # A new id for every attempt: a dead worker's queue job can never be mistaken for the next.
    return f"job-{uuid.uuid4().hex}"


def _meta(job):
    return {
        "kind": job.title,
        "enterprise_id": job.enterprise_id,
        "enterprise": str(job.enterprise) if job.enterprise_id else "",
        "job": job.pk,
    }


def _queue_attempt(job, at=None):
    """Queue the job's next attempt under its queue_job_id: now, or at `at`.

    Redis being down is logged, not raised: the job is recorded, and the sweep queues it again.
    """
    try:
        queue = _queue()
        options = {"job_id": job.queue_job_id, "job_timeout": job.timeout, "meta": _meta(job)}
        if at is None:
            queue.enqueue(run_job, job.pk, **options)
        else:
            queue.enqueue_at(at, run_job, job.pk, **options)
    except RedisError:
        logger.exception("Could not queue job %s (%s); the sweep will", job.pk, job.title)


def run_job(job_id):
    """Run one attempt of a Job if this call wins the job's claim; otherwise do nothing.

    Another worker has it, it has finished, or its queue job was delivered twice: the loser of
    the claim leaves the job alone.
    """
    from .models import Job

    with scopes_disabled():
        job = Job.objects.filter(pk=job_id).first()
    if job is None or not job.claim():
        logger.info("Job %s is not this worker's to run", job_id)
        return
    if job.enterprise_id is None:
        _run(job)
    else:
        with enterprise_scope(job.enterprise_id):
            _run(job)


def _run(job):
    from .models import Job

    try:
        result_url = import_string(job.function)(job, *job.arguments)
    except Exception as error:
        logger.exception("Job %s (%s) failed, attempt %s", job.pk, job.title, job.attempts)
        message = f"{type(error).__name__}: {error}"
        # Without Redis there is no worker to retry and no sweep: the first failure is the last.
        if job.attempts < job.max_attempts and not settings.JOBS_INLINE:
            _retry_later(job, message)
            return
        if job.end_attempt(Job.Status.FAILED, message=message):
            current = get_current_job()
            alert_staff(
                _meta(job),
                job.function,
                traceback.format_exc(),
                queue_job_id=current.id if current else None,
            )
        # Raised again, so that the queue job is listed among the failed jobs.
        raise
    job.end_attempt(Job.Status.SUCCEEDED, result_url=result_url or "")


def _retry_later(job, message):
    from .models import Job

    wait = job.retry_waits[job.attempts - 1]
    at = timezone.now() + timedelta(seconds=wait)
    if job.end_attempt(
        Job.Status.RETRYING,
        message=message,
        next_attempt_at=at,
        queue_job_id=_new_queue_job_id(),
    ):
        _queue_attempt(job, at=at if wait else None)


def recover_jobs():
    """Queue again the jobs that should be running and are not; give up on those out of attempts.

    Run every minute by the cron process. It finds a job whose queueing was lost (Redis down at
    the commit, a retry never scheduled, a worker that died as it took the job from the queue)
    and a job whose worker died mid-run (its lease expired), and queues its next attempt. Each
    is taken with a compare-and-set on its queue job id, so two sweeps at once queue a job once;
    the claim stops a job from running twice anyway.
    Returns how many jobs it queued again.
    """
    from .models import Job

    now = timezone.now()
    with scopes_disabled():
        stalled = Job.objects.filter(
            Q(
                status__in=[Job.Status.QUEUED, Job.Status.RETRYING],
                next_attempt_at__lt=now - LOST_AFTER,
            )
            | Q(status=Job.Status.RUNNING, lease_expires_at__lt=now)
        ).select_related("enterprise")
        requeued = 0
        for job in stalled:
            queue_job = _fetch_queue_job(job.queue_job_id)
            if _still_coming(job, queue_job):
                continue
            if job.status == Job.Status.RUNNING and job.attempts >= job.max_attempts:
                _give_up(job)
                continue
            new_id = _new_queue_job_id()
            taken = Job.objects.filter(
                pk=job.pk, status=job.status, queue_job_id=job.queue_job_id
            ).update(queue_job_id=new_id)
            if not taken:
                continue
            if queue_job is not None:
                # A dead worker's queue job, which RQ would later list among the failed jobs.
                queue_job.delete()
            job.queue_job_id = new_id
            logger.warning("Job %s (%s) was stalled; queued again", job.pk, job.title)
            _queue_attempt(job)
            requeued += 1
    return requeued


def _fetch_queue_job(queue_job_id):
    if not queue_job_id:
        return None
    try:
        return RQJob.fetch(queue_job_id, connection=_queue().connection)
    except NoSuchJobError:
        return None


def _still_coming(job, queue_job):
    """Whether the job's queue job will run the attempt (it waits, or has just been picked up)."""
    from .models import Job

    if queue_job is None:
        return False
    status = queue_job.get_status()
    if status == JobStatus.QUEUED and queue_job.get_position() is None:
        # Taken from the queue by a worker that died before starting it: RQ still says queued,
        # and fails it only at its own maintenance, every ten minutes. Should a worker that took
        # it be alive and only slow to start it, the claim lets one of the two attempts run.
        return False
    if job.status == Job.Status.RUNNING:
        # Its lease has expired: a queue job still "started" is a dead worker's.
        return status in WAITING
    return status in WAITING or status == JobStatus.STARTED


def _give_up(job):
    """A job whose last attempt's worker died: failed for good, and staff are told."""
    from .models import Job

    message = f"The worker stopped during attempt {job.attempts} of {job.max_attempts}."
    if job.end_attempt(Job.Status.FAILED, message=message):
        logger.error("Job %s (%s): %s", job.pk, job.title, message)
        alert_staff(_meta(job), job.function, f"WorkerLost: {message}")


def purge_finished_jobs(days=30):
    """Delete jobs that finished more than `days` ago; safe to run any number of times."""
    from .models import Job

    cutoff = timezone.now() - timedelta(days=days)
    with scopes_disabled():
        deleted, _ = Job.objects.filter(status__in=Job.FINISHED, finished_at__lt=cutoff).delete()
    return deleted
