from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = "Orders"

    def ready(self):
        from core import navigation
        from core.navigation import MenuEntry

        from . import actions  # noqa: F401
        from .permissions import VIEW_ORDERS

        navigation.register(
            MenuEntry(
                "View Orders",
                "orders:view_orders",
                "orders/icons.svg#orders",
                order=60,
                permission=VIEW_ORDERS,
            )
        )
