"""The permissions of accounts; the default roles that get each one."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

VIEW_USERS = declare(
    "accounts.view_users",
    "See the users, their roles and what each role allows",
    roles=[ADMINISTRATOR, READ_ONLY],
)
MANAGE_USERS = declare(
    "accounts.manage_users",
    "Invite users, change their role and access types, deactivate them",
    roles=[ADMINISTRATOR],
    implies=[VIEW_USERS],
)
# Billing sees the settings because the delivery of usage files (ADR) is theirs to follow.
VIEW_ENTERPRISE_SETTINGS = declare(
    "accounts.view_enterprise_settings",
    "See Enterprise Settings",
    roles=[ADMINISTRATOR, BILLING, READ_ONLY],
)
MANAGE_ENTERPRISE_SETTINGS = declare(
    "accounts.manage_enterprise_settings",
    "Change Enterprise Settings",
    roles=[ADMINISTRATOR],
    implies=[VIEW_ENTERPRISE_SETTINGS],
)
OPEN_APPLICATIONS = declare(
    "accounts.open_applications",
    "Open the contracted applications (My Applications on the dashboard)",
    roles=[ADMINISTRATOR, GENERAL_USER],
)
