from django.apps import AppConfig


class PhoneNumbersConfig(AppConfig):
    name = "phone_numbers"
    verbose_name = "Numbers"

    def ready(self):
        from core import demo, schedule
        from orders import kinds

        from . import actions, order_types, permissions  # noqa: F401
        from .dashboard import register as register_dashboard_sections
        from .demo import load
        from .order_kind import NUMBER_ORDERS
        from .ordering import complete_sandbox_orders

        kinds.register(NUMBER_ORDERS)
        order_types.register(
            order_types.OrderType(
                "new", "Get New Number", "phone_numbers:add", permissions.ORDER_NUMBERS
            )
        )
        demo.register("phone_numbers", load, order=60)
        register_dashboard_sections()
        # The sandbox supplier completes its orders by itself after a delay (settings).
        schedule.register(
            complete_sandbox_orders, cron="* * * * *", kind="Complete sandbox number orders"
        )
        # Defining the data tables registers them, for the export jobs of any process.
        from .tables import register_inventory_tabs

        register_inventory_tabs()
