"""Periodic jobs, run by the one `manage.py rqcron portal.cron` process."""

from rq import cron

from core.exports import purge_old_exports
from core.jobs import purge_finished_jobs

cron.register(
    purge_finished_jobs,
    queue_name="default",
    cron="17 3 * * *",
    meta={"kind": "Purge finished jobs"},
)
cron.register(
    purge_old_exports, queue_name="default", cron="27 3 * * *", meta={"kind": "Purge old exports"}
)
