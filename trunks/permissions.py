"""The permissions of trunks: packages, trunks, their orders and inbound routing."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

# Billing reconciles the charges against what is in service and since when.
VIEW_TRUNKS = declare(
    "trunks.view_trunks",
    "See packages, trunks, routing policies and trunk orders",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
ORDER_TRUNKS = declare(
    "trunks.order_trunks",
    "Order, change and disconnect trunks; edit routing policies; cancel trunk orders",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_TRUNKS],
)
