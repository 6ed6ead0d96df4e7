from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared building blocks: tables, jobs, pop-ups, forms, navigation, tenancy."""

    name = "core"
    verbose_name = "Background jobs"

    def ready(self):
        from . import checks, navigation, schedule  # noqa: F401
        from .exports import purge_old_exports
        from .inventory import MENU_ENTRY
        from .jobs import purge_finished_jobs, recover_jobs

        navigation.register(MENU_ENTRY)
        schedule.register(recover_jobs, cron="* * * * *", kind="Recover stalled jobs")
        schedule.register(purge_finished_jobs, cron="17 3 * * *", kind="Purge finished jobs")
        schedule.register(purge_old_exports, cron="27 3 * * *", kind="Purge old exports")
