"""The permissions of orders. Each order type adds its own: a tab shows only with both."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

# Billing reconciles the charges against the orders placed and completed.
VIEW_ORDERS = declare(
    "orders.view_orders",
    "See View Orders: the orders placed and their history",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
