from django.apps import AppConfig


class TrunksConfig(AppConfig):
    name = "trunks"
    verbose_name = "Packages and trunks"

    def ready(self):
        from core import dashboard, demo, inventory, navigation
        from core.dashboard import DashboardSection
        from core.inventory import InventoryTab
        from core.navigation import MenuEntry
        from orders import kinds

        # Defining a data table registers it, for the export jobs of any process.
        from . import actions, tables  # noqa: F401
        from .dashboard import trunks_summary
        from .demo import load
        from .order_kind import TRUNK_ORDERS
        from .permissions import VIEW_TRUNKS

        navigation.register(
            MenuEntry(
                "Bundle",
                "trunks:bundle_packages",
                "trunks/icons.svg#bundle",
                order=20,
                permission=VIEW_TRUNKS,
            ),
            MenuEntry(
                "Usage",
                "trunks:usage_packages",
                "trunks/icons.svg#usage",
                order=21,
                permission=VIEW_TRUNKS,
            ),
            MenuEntry(
                "Outbound Only",
                "trunks:outbound_packages",
                "trunks/icons.svg#outbound",
                order=22,
                permission=VIEW_TRUNKS,
            ),
        )
        inventory.register(
            InventoryTab("trunks", "Trunks", "trunks:inventory", permission=VIEW_TRUNKS, order=10)
        )
        dashboard.register(
            DashboardSection(
                "trunks/_dashboard.html", order=20, permission=VIEW_TRUNKS, context=trunks_summary
            )
        )
        kinds.register(TRUNK_ORDERS)
        demo.register("trunks", load, order=50)
