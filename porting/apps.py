from django.apps import AppConfig


class PortingConfig(AppConfig):
    name = "porting"
    verbose_name = "Porting"

    def ready(self):
        from core import demo, schedule
        from orders import kinds
        from phone_numbers import order_types

        from . import permissions
        from .demo import load
        from .order_kind import PORT_ORDERS
        from .services import delete_unused_lists, expire_drafts
        from .submission import poll_carriers, recover_batches, remind_foc

        kinds.register(PORT_ORDERS)
        order_types.register(
            order_types.OrderType(
                "port", "Move/Port Current Numbers", "porting:add", permissions.PLACE_PORTS
            )
        )
        demo.register("porting", load, order=70)
        schedule.register(expire_drafts, cron="23 4 * * *", kind="Expire port order drafts")
        schedule.register(
            delete_unused_lists, cron="41 4 * * *", kind="Delete unused Port Numbers lists"
        )
        schedule.register(poll_carriers, cron="* * * * *", kind="Follow port batches")
        schedule.register(recover_batches, cron="*/5 * * * *", kind="Send lost port batches")
        # 14:05 UTC is 9:05 AM Eastern in winter, 10:05 AM in summer: within office hours.
        schedule.register(remind_foc, cron="5 14 * * *", kind="Remind of FOC dates")
