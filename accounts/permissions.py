"""The permissions of accounts; the default roles that get each one."""

from core.permissions import ADMINISTRATOR, declare

MANAGE_USERS = declare(
    "accounts.manage_users",
    "Invite users, change their role and access types, deactivate them",
    roles=[ADMINISTRATOR],
)
MANAGE_ENTERPRISE_SETTINGS = declare(
    "accounts.manage_enterprise_settings",
    "Change Enterprise Settings",
    roles=[ADMINISTRATOR],
)
