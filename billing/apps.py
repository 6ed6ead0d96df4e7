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
        from .partitions import (
            drop_expired_partitions,
            make_partitions_ahead,
            pack_settled_partitions,
        )
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
        schedule.register(
            pack_settled_partitions, cron="31 2 * * *", kind="Pack settled months of calls"
        )
        schedule.register(load_spool, cron="* * * * *", kind="Load usage record files")
        schedule.register(schedule_adr_files, cron="7 * * * *", kind="Deliver the daily ADR files")
        schedule.register(
            remove_old_adr_files, cron="41 3 * * *", kind="Remove ADR files past 45 days"
        )
        demo.register("billing", load, order=80)

        # The Billing page, its card on the dashboard, and the spend alerts.
        from .permissions import VIEW_BILLING
        from .spend import check_spend
        from .views_billing import dashboard_tile  # with the month record tables, for exports

        navigation.register(
            MenuEntry(
                "Billing",
                "billing:billing",
                "billing/icons.svg#billing",
                order=55,
                permission=VIEW_BILLING,
            )
        )
        dashboard.register(
            DashboardSection(
                "billing/billing/_dashboard.html",
                order=25,
                permission=VIEW_BILLING,
                context=dashboard_tile,
            )
        )
        schedule.register(check_spend, cron="* * * * *", kind="Check spend alerts")

        # Payments: the payment history's table (for its export jobs), the payments whose
        # gateway answer never came, and AutoPay at 9:15 UTC, once the day has begun in every
        # US time zone (invoices are due by the enterprise's own date).
        from . import views_payments  # noqa: F401 - the payments table, for its export jobs
        from .paying import resolve_pending, run_autopay

        schedule.register(resolve_pending, cron="* * * * *", kind="Settle pending payments")
        schedule.register(run_autopay, cron="15 9 * * *", kind="Pay invoices due by AutoPay")

        # Invoices: each enterprise's month is closed once it has ended in its own zone. The 1st
        # (UTC) closes those east of UTC; the daily sweep, once every zone has reached the 1st,
        # the rest, the held months and a missed 1st, and queues again the PDFs overdue.
        from .invoicing import close_last_month, sweep_invoices

        schedule.register(close_last_month, cron="15 0 1 * *", kind="Close last month's invoices")
        schedule.register(sweep_invoices, cron="15 13 * * *", kind="Close months still open")
