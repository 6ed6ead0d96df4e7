"""The permissions of trunks: packages, trunks, their orders and inbound routing."""

from core.permissions import ADMINISTRATOR, GENERAL_USER, READ_ONLY, declare

# Billing sees nothing of trunks.
VIEW_TRUNKS = declare(
    "trunks.view_trunks",
    "See packages, trunks, routing policies and trunk orders",
    roles=[ADMINISTRATOR, GENERAL_USER, READ_ONLY],
)
ORDER_TRUNKS = declare(
    "trunks.order_trunks",
    "Order, change and disconnect trunks; edit routing policies; cancel trunk orders",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_TRUNKS],
)
