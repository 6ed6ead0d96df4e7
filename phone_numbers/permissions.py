"""The permissions of the numbers app: see numbers, order them, manage them."""

from core.permissions import ADMINISTRATOR, BILLING, GENERAL_USER, READ_ONLY, declare

VIEW_NUMBERS = declare(
    "phone_numbers.view_numbers",
    "See phone numbers, their services, history and number orders",
    roles=[ADMINISTRATOR, GENERAL_USER, BILLING, READ_ONLY],
)
ORDER_NUMBERS = declare(
    "phone_numbers.order_numbers",
    "Order new phone numbers; cancel number orders",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_NUMBERS],
)
MANAGE_NUMBERS = declare(
    "phone_numbers.manage_numbers",
    "Move, route, disconnect numbers and set their Caller ID, E911 and forwarding",
    roles=[ADMINISTRATOR, GENERAL_USER],
    implies=[VIEW_NUMBERS],
)
