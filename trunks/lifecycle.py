"""The lifecycle of a trunk, declared once: its statuses, the moves between them, and what each
outcome of a trunk order does to its trunk. services.set_status checks every move against it.

A trunk is Pending from its order until staff complete that order (Active) or it is cancelled or
rejected (Disconnected: never turned up). An Active trunk is Disconnect Pending while a
disconnect order is open, then Disconnected; a cancelled or rejected disconnect puts it back.
"""

from orders.models import Order

from .models import Trunk, TrunkOrder

Status = Trunk.Status
OrderStatus = Order.Status

# {from_status: {to_status, ...}}: every move a trunk's status may make.
MOVES = {
    Status.PENDING: {Status.ACTIVE, Status.DISCONNECTED},
    Status.ACTIVE: {Status.DISCONNECT_PENDING},
    Status.DISCONNECT_PENDING: {Status.ACTIVE, Status.DISCONNECTED},
    Status.DISCONNECTED: set(),
}

# What a trunk order's new status does to its trunk: (order type, order status) -> trunk status.
# A change order's completion changes the trunk's settings, not its status.
ON_ORDER = {
    (TrunkOrder.Type.NEW, OrderStatus.COMPLETED): Status.ACTIVE,
    (TrunkOrder.Type.NEW, OrderStatus.CANCELLED): Status.DISCONNECTED,
    (TrunkOrder.Type.NEW, OrderStatus.REJECTED): Status.DISCONNECTED,
    (TrunkOrder.Type.DISCONNECT, OrderStatus.COMPLETED): Status.DISCONNECTED,
    (TrunkOrder.Type.DISCONNECT, OrderStatus.CANCELLED): Status.ACTIVE,
    (TrunkOrder.Type.DISCONNECT, OrderStatus.REJECTED): Status.ACTIVE,
}
# Placing a disconnect order makes the trunk Disconnect Pending.
ON_DISCONNECT_PLACED = Status.DISCONNECT_PENDING
# Trunks that routing policies may give calls to: not on their way out.
ROUTABLE = (Status.PENDING, Status.ACTIVE)


def refusal(trunk, to_status):
    """Why trunk cannot move to to_status, or None (None too when it is there already)."""
    if trunk.status == to_status or to_status in MOVES[trunk.status]:
        return None
    return (
        f"{trunk.name} is {trunk.get_status_display()}: it cannot become {Status(to_status).label}."
    )
