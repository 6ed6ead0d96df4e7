"""Permissions, declared in code by the app they belong to.

Each app lists its permissions once, in its own permissions.py, and says which of the default
roles get each one:

    MANAGE_USERS = declare(
        "accounts.manage_users", "Manage users and invitations", roles=[ADMINISTRATOR]
    )

A permission may include others (`implies=[VIEW_USERS]`): whoever may manage users may also see
them, whether or not their role lists that separately.

The default roles and their descriptions are the accounts app's; the grants are synced to them
on migrate. A role holds permission codes ("accounts.manage_users"), and a user has what their
role holds: changing a role changes it for every holder at once.
"""

from dataclasses import dataclass

# The default roles, by slug.
ADMINISTRATOR = "administrator"
GENERAL_USER = "general-user"
BILLING = "billing"
READ_ONLY = "read-only"
DEFAULT_ROLES = (ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY)


@dataclass(frozen=True)
class Permission:
    code: str
    label: str
    roles: tuple[str, ...]
    implies: tuple[str, ...] = ()

    @property
    def app_label(self):
        return self.code.split(".", 1)[0]


_declared: dict[str, Permission] = {}


def declare(code, label, *, roles, implies=()):
    """Declare a permission, the default roles that get it and what it includes; return its code."""
    app_label, _, codename = code.partition(".")
    if not app_label or not codename:
        raise ValueError(f"A permission code is app_label.codename, not {code!r}.")
    if code in _declared:
        raise ValueError(f"The permission {code} is declared twice.")
    unknown = set(roles) - set(DEFAULT_ROLES)
    if unknown:
        raise ValueError(f"{code}: unknown default roles {sorted(unknown)}.")
    undeclared = [implied for implied in implies if implied not in _declared]
    if undeclared:
        raise ValueError(f"{code} includes {undeclared}: declare those first.")
    # What the included permissions include comes along, so one look-up gives everything.
    included = {*implies, *(inner for implied in implies for inner in _declared[implied].implies)}
    _declared[code] = Permission(code, label, tuple(roles), tuple(sorted(included)))
    return code


def declared():
    """Every declared permission, by code."""
    return dict(_declared)


def is_declared(code):
    return code in _declared


def grouped_by_app():
    """[(app verbose name, [Permission, ...]), ...] in the order of INSTALLED_APPS."""
    from django.apps import apps

    groups = []
    for app_config in apps.get_app_configs():
        members = [p for p in _declared.values() if p.app_label == app_config.label]
        if members:
            groups.append((app_config.verbose_name, members))
    return groups


def with_implied(codes):
    """The codes given and those they include: what a role holding codes allows."""
    allowed = set(codes)
    for code in codes:
        permission = _declared.get(code)
        if permission is not None:
            allowed.update(permission.implies)
    return frozenset(allowed)


def default_grants(role_slug):
    """The codes the code grants a default role."""
    return {p.code for p in _declared.values() if role_slug in p.roles}
