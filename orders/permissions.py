"""The permissions of orders. Each order type adds its own: a tab shows only with both."""

from core.permissions import ADMINISTRATOR, GENERAL_USER, READ_ONLY, declare

# Billing is left out: the orders so far are for services Billing does not see.
VIEW_ORDERS = declare(
    "orders.view_orders",
    "See View Orders: the orders placed and their history",
    roles=[ADMINISTRATOR, GENERAL_USER, READ_ONLY],
)
