"""The roles: the default ones, declared here and synced on every migrate, and staff's changes."""

from django.db import transaction

from audit.records import record
from core import permissions
from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY

from . import actions

# What each default role is for, as the day of whoever holds it: the Roles page shows it beside
# what the role allows (the permissions each app declares). Name only what the portal has built.
DEFAULT_ROLES = [
    (
        ADMINISTRATOR,
        "Administrator",
        "Runs the account: invites users and sets their roles, changes Enterprise Settings, "
        "reads the audit log, sets spend alerts, and does all that the other roles do.",
    ),
    (
        GENERAL_USER,
        "General User",
        "Does the day's work: opens the applications, places and follows orders, and manages "
        "the services in use.",
    ),
    (
        BILLING,
        "Billing",
        "Pays the bills: downloads the invoices and usage records, pays invoices and disputes "
        "their lines, and sees the orders placed and completed and the services in use.",
    ),
    (
        READ_ONLY,
        "Read Only",
        "Follows the account: sees its services, orders, users and settings; changes nothing.",
    ),
]
# The descriptions the default roles had before: replaced on migrate, unless staff rewrote them.
FORMER_DESCRIPTIONS = {
    ADMINISTRATOR: ["Manages users, Enterprise Settings and everything the account can do."],
    GENERAL_USER: ["Orders and manages services."],
    BILLING: [
        "Views invoices and usage and makes payments.",
        "Reconciles the charges: sees the orders placed and completed, the services in use "
        "and since when, and Enterprise Settings; changes nothing.",
    ],
    READ_ONLY: ["Sees the account but changes nothing."],
}


def in_matrix_order(roles):
    """The default roles first, from most to least allowed, then the roles staff added."""

    def order(role):
        if role.slug in permissions.DEFAULT_ROLES:
            return (permissions.DEFAULT_ROLES.index(role.slug), "")
        return (len(permissions.DEFAULT_ROLES), role.name)

    return sorted(roles, key=order)


def sync_default_roles(**kwargs):
    """Create the default roles and give them the permissions the code grants them.

    A grant is applied once: what staff take away from a role in the back office stays taken
    away. Permissions no app declares any more are removed from every role.
    """
    from .models import Role

    declared = permissions.declared()
    for slug, name, description in DEFAULT_ROLES:
        Role.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
        Role.objects.filter(slug=slug, description__in=FORMER_DESCRIPTIONS[slug]).update(
            description=description
        )
    for role in Role.objects.all():
        granted = set(role.granted_defaults)
        new = permissions.default_grants(role.slug) - granted
        held = {code for code in role.permissions if code in declared} | new
        if held != set(role.permissions) or new:
            role.permissions = sorted(held)
            role.granted_defaults = sorted(granted | new)
            role.save(update_fields=["permissions", "granted_defaults"])


@transaction.atomic
def set_role_permissions(role, codes, *, by):
    """Give role exactly the declared permissions in codes, for all its holders at once.

    Return whether anything changed; a change is audited with by, a staff member, as actor.
    """
    declared = permissions.declared()
    before = set(role.permissions)
    after = {code for code in codes if code in declared}
    if after == before:
        return False
    role.permissions = sorted(after)
    role.save(update_fields=["permissions"])
    record_permission_change(role, before, after, by=by)
    return True


def record_permission_change(role, before, after, *, by):
    """Audit which permissions a role gained and lost, in the words the pages use."""
    if set(before) == set(after):
        return
    declared = permissions.declared()

    def in_words(codes):
        return sorted(declared[code].label if code in declared else code for code in codes)

    record(
        actions.ROLE_PERMISSIONS_CHANGED,
        actor=by,
        obj=role,
        details={
            "added": in_words(set(after) - set(before)),
            "removed": in_words(set(before) - set(after)),
        },
    )
