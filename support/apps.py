from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = "Help & Support"

    def ready(self):
        from core import dashboard, demo, navigation
        from core.dashboard import DashboardSection
        from core.navigation import MenuEntry

        from .demo import load

        navigation.register(
            MenuEntry("Help & Support", "support:help", "support/icons.svg#help", order=90)
        )
        dashboard.register(DashboardSection("support/_dashboard.html", order=90))
        demo.register("support", load, order=90)
