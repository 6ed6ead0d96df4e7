from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared building blocks: tables, jobs, pop-ups, forms, navigation, tenancy."""

    name = "core"
    verbose_name = "Background jobs"

    def ready(self):
        from . import checks, navigation  # noqa: F401
        from .inventory import MENU_ENTRY

        navigation.register(MENU_ENTRY)
