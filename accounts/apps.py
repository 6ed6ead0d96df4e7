from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Customers and users"

    def ready(self):
        from core import dashboard, demo, navigation
        from core.dashboard import DashboardSection
        from core.navigation import MenuEntry

        from . import actions, signals  # noqa: F401
        from .demo import load
        from .menu import has_applications
        from .permissions import OPEN_APPLICATIONS, VIEW_ENTERPRISE_SETTINGS, VIEW_USERS
        from .roles import sync_default_roles

        # Defining a data table registers it, for the export jobs of any process.
        from .views import users  # noqa: F401
        from .views.dashboard import my_applications

        navigation.register(
            MenuEntry("Dashboard", "dashboard", "accounts/icons.svg#home", order=0),
            MenuEntry(
                "Applications",
                "dashboard",
                "accounts/icons.svg#apps",
                order=1,
                url_fragment="#my-applications",
                permission=OPEN_APPLICATIONS,
                shown_when=lambda user: has_applications(user.enterprise),
            ),
            MenuEntry(
                "User Management",
                "accounts:users",
                "accounts/icons.svg#users",
                section="admin",
                order=10,
                permission=VIEW_USERS,
            ),
            MenuEntry(
                "Enterprise Settings",
                "accounts:enterprise_settings",
                "accounts/icons.svg#settings",
                section="admin",
                order=20,
                permission=VIEW_ENTERPRISE_SETTINGS,
            ),
            MenuEntry("My Account", "accounts:my_account", section="account", order=0),
            MenuEntry(
                "Enterprise Settings",
                "accounts:enterprise_settings",
                section="account",
                order=10,
                permission=VIEW_ENTERPRISE_SETTINGS,
            ),
            MenuEntry(
                "Multi-factor authentication (MFA)", "mfa_index", section="account", order=20
            ),
        )
        dashboard.register(
            DashboardSection(
                "accounts/_my_applications.html",
                order=10,
                permission=OPEN_APPLICATIONS,
                context=my_applications,
            )
        )
        demo.register("accounts", load, order=0)
        post_migrate.connect(sync_default_roles, sender=self)
