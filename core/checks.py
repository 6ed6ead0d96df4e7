"""System checks for what apps register: every permission a view or menu uses is declared."""

from django.core.checks import Error, register
from django.urls import get_resolver

from . import dashboard, inventory, navigation, permissions, tenancy


@register()
def check_permissions_are_declared(app_configs, **kwargs):
    # Importing the URL configuration imports every view, whose decorators name permissions.
    get_resolver().url_patterns  # noqa: B018
    used = {
        *tenancy.REQUIRED_PERMISSIONS,
        *(entry.permission for entry in navigation.entries() if entry.permission),
        *(section.permission for section in dashboard.sections() if section.permission),
        *(tab.permission for tab in inventory.all_tabs() if tab.permission),
    }
    return [
        Error(
            f"The permission {code} is used but no app declares it.",
            hint="Declare it with core.permissions.declare() in the app's permissions.py.",
            id="core.E001",
        )
        for code in sorted(used)
        if not permissions.is_declared(code)
    ]
