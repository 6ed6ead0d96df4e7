"""The RQ worker the portal runs (settings.RQ["WORKER_CLASS"]).

RQ forks a work horse for each job, and the horse starts with what the worker process had
loaded. Loaded once here, before the first fork, the URLconf (jobs link their results with
reverse()) is not built again by every job: a job that would take 30 ms took 400 ms without it.
"""

from django.urls import get_resolver
from rq.worker import Worker as RQWorker


class Worker(RQWorker):
    def work(self, *args, **kwargs):
        get_resolver().namespace_dict  # noqa: B018 - builds the URLconf's reverse tables
        return super().work(*args, **kwargs)
