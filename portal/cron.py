"""Periodic jobs, run by the one `manage.py rqcron portal.cron` process.

Each app registers its own with core.schedule.register() from its AppConfig.ready(); this
module hands them all to RQ's cron.
"""

from rq import cron

from core import schedule

for periodic in schedule.periodic_jobs():
    cron.register(
        periodic.func, queue_name="default", cron=periodic.cron, meta={"kind": periodic.kind}
    )
