"""The failed jobs staff see in the back office (Jobs > Failed jobs): RQ's failed registry.

A job lands there once it has failed for good; staff queue it again or delete it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled
from rq.job import Job as RQJob

from .models import Job

# How many failed jobs the back office lists, newest first.
FAILED_JOBS_SHOWN = 100


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
    """Queue a failed job again, with no retries left: failing again alerts staff again.

    A followed job's Job row is queued again with it, so that a worker may claim it.
    """
    registry = _failed_registry()
    followed = RQJob.fetch(job_id, connection=registry.connection).meta.get("job")
    with transaction.atomic(), scopes_disabled():
        if followed is not None:
            Job.objects.filter(pk=followed, status=Job.Status.FAILED).update(
                status=Job.Status.QUEUED,
                next_attempt_at=timezone.now(),
                finished_at=None,
                queue_job_id=job_id,
            )
        registry.requeue(job_id)


def delete_failed_job(job_id):
    _failed_registry().remove(job_id, delete_job=True)
