from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = "Usage and billing"

    def ready(self):
        from core import demo, navigation, schedule
        from core.navigation import MenuEntry

        from .demo import load
        from .loading import load_spool
        from .partitions import drop_expired_partitions, make_partitions_ahead
        from .permissions import VIEW_ANALYTICS

        navigation.register(
            MenuEntry(
                "Traffic Analytics",
                "billing:analytics",
                "billing/icons.svg#analytics",
                order=50,
                permission=VIEW_ANALYTICS,
            )
        )

        schedule.register(
            make_partitions_ahead, cron="11 2 * * *", kind="Make usage record partitions ahead"
        )
        schedule.register(
            drop_expired_partitions, cron="21 2 * * *", kind="Drop expired usage records"
        )
        schedule.register(load_spool, cron="* * * * *", kind="Load usage record files")
        demo.register("billing", load, order=80)
