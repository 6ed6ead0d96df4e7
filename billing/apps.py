from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Usage and billing"

    def ready(self):
        from core import dashboard, demo, navigation, schedule
        from core.dashboard import DashboardSection
        from core.navigation import MenuEntry

        from . import (
            actions,  # noqa: F401 - declares the audit actions
            tables,  # noqa: F401 - the call records table, for its export jobs
        )
        from .delivery import remove_old_adr_files, schedule_adr_files
        from .demo import load
        from .loading import load_spool
        from .partitions import drop_expired_partitions, make_partitions_ahead
        from .permissions import VIEW_ADR_FILES, VIEW_ANALYTICS
        from .views_adr import secure_ftp_section

        navigation.register(
            MenuEntry(
                "Traffic Analytics",
                "billing:analytics",
                "billing/icons.svg#analytics",
                order=50,
                permission=VIEW_ANALYTICS,
            )
        )
        # The secure FTP site's card on Enterprise Settings, below the settings' own form.
        dashboard.register(
            DashboardSection(
                "billing/adr/_settings_section.html",
                page="enterprise_settings",
                permission=VIEW_ADR_FILES,
                context=secure_ftp_section,
            )
        )

        schedule.register(
            make_partitions_ahead, cron="11 2 * * *", kind="Make usage record partitions ahead"
        )
        schedule.register(
            drop_expired_partitions, cron="21 2 * * *", kind="Drop expired usage records"
        )
        schedule.register(load_spool, cron="* * * * *", kind="Load usage record files")
        schedule.register(schedule_adr_files, cron="7 * * * *", kind="Deliver the daily ADR files")
        schedule.register(
            remove_old_adr_files, cron="41 3 * * *", kind="Remove ADR files past 45 days"
        )
        demo.register("billing", load, order=80)
