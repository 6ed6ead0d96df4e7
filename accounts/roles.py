"""The default roles, declared here and synced to the database on every migrate."""

from core import permissions
from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY

DEFAULT_ROLES = [
    (
        ADMINISTRATOR,
        "Administrator",
        "Manages users, Enterprise Settings and everything the account can do.",
    ),
    (GENERAL_USER, "General User", "Orders and manages services."),
    (BILLING, "Billing", "Views invoices and usage and makes payments."),
    (READ_ONLY, "Read Only", "Sees the account but changes nothing."),
]


def sync_default_roles(**kwargs):
    """Create the default roles and give them the permissions the code grants them.

    A grant is applied once: what staff take away from a role in the back office stays taken
    away. Permissions no app declares any more are removed from every role.
    """
    from .models import Role

    declared = permissions.declared()
    for slug, name, description in DEFAULT_ROLES:
        Role.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for role in Role.objects.all():
        granted = set(role.granted_defaults)
        new = permissions.default_grants(role.slug) - granted
        held = {code for code in role.permissions if code in declared} | new
        if held != set(role.permissions) or new:
            role.permissions = sorted(held)
            role.granted_defaults = sorted(granted | new)
            role.save(update_fields=["permissions", "granted_defaults"])
