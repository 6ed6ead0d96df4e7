"""The audit actions of orders, shared by every order type."""

from audit.actions import declare

ORDER_PLACED = declare("orders.order.placed", "Order placed")
ORDER_STATUS_CHANGED = declare("orders.order.status_changed", "Order status changed")
ORDER_EVENT_NOTED = declare("orders.order.event_noted", "Order event noted")
