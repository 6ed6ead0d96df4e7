from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from core import navigation
        from core.navigation import MenuEntry

        # Defining a data table registers it, for the export jobs of any process.
        from . import views  # noqa: F401
        from .permissions import VIEW_AUDIT_LOG

        navigation.register(
            MenuEntry(
                "Audit Log",
                "audit:audit_log",
                "audit/icons.svg#audit",
                section="admin",
                order=30,
                permission=VIEW_AUDIT_LOG,
            )
        )
