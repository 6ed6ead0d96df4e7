"""Periodic jobs: each app registers its own from its AppConfig.ready().

    schedule.register(purge_finished_jobs, cron="17 3 * * *", kind="Purge finished jobs")

The one cron process (`manage.py rqcron portal.cron`) queues every registered job when its cron
expression (minute hour day month weekday, UTC) is due. A missed run is not caught up and two
runs may overlap: a periodic job must do no harm when run twice or late.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    func: Callable
    cron: str
    kind: str

    @property
    def name(self):
        return f"{self.func.__module__}.{self.func.__qualname__}"


_registry: dict[str, PeriodicJob] = {}


def register(func, *, cron, kind):
    """Have the cron process queue func() whenever `cron` is due; kind names it to staff."""
    job = PeriodicJob(func=func, cron=cron, kind=kind)
    if job.name in _registry:
        raise ValueError(f"{job.name} is already a periodic job.")
    _registry[job.name] = job
    return job


def periodic_jobs():
    return list(_registry.values())
