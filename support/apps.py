from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Help & Support"

    def ready(self):
        from core import dashboard, demo, navigation, schedule
        from core.dashboard import DashboardSection
        from core.navigation import MenuEntry

        # The permissions of support cases, and their table (for its export jobs).
        from . import permissions, tables  # noqa: F401
        from .cases import close_resolved
        from .demo import load

        navigation.register(
            MenuEntry("Help & Support", "support:help", "support/icons.svg#help", order=90)
        )
        dashboard.register(DashboardSection("support/_dashboard.html", order=90))
        demo.register("support", load, order=90)
        schedule.register(close_resolved, cron="23 * * * *", kind="Close resolved support cases")
