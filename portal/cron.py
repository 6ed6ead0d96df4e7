"""Periodic jobs, run by the one `manage.py rqcron portal.cron` process."""

from rq import cron

from core.jobs import purge_finished_jobs

cron.register(purge_finished_jobs, queue_name="default", cron="17 3 * * *")
