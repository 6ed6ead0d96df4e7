"""The permissions of support cases: who sees which cases, and who opens and works them.

Everyone sees the cases they opened or watch. Administrators and Read Only users see every case
of the enterprise (Read Only users look on; they open none). General Users and Billing open cases
and follow their own: a case may hold call details and contacts that are not everyone's to read,
so a colleague who should follow one is added as a watcher.
"""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

VIEW_CASES = declare(
    "support.view_cases",
    "See Support Cases: the cases they opened or watch",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
VIEW_ALL_CASES = declare(
    "support.view_all_cases",
    "See every support case of the enterprise",
    roles=[ADMINISTRATOR, READ_ONLY],
    implies=[VIEW_CASES],
)
OPEN_CASES = declare(
    "support.open_cases",
    "Open support cases, and reply to, raise, resolve and reopen the cases they see",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING],
    implies=[VIEW_CASES],
)
