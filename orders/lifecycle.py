"""The lifecycle of a kind of order, declared once on its OrderKind.

A Lifecycle names the statuses the kind uses (from the shared Order.Status vocabulary), the
moves customers, carrier staff and the portal itself may make, and what cancelling means to the
customer. orders.services checks every move against the order's kind's lifecycle.

    Lifecycle(
        statuses=(SUBMITTED, IN_PROGRESS, COMPLETED, REJECTED, CANCELLED),
        customer_moves={CANCELLED: {SUBMITTED}},        # to: from which statuses
        staff_moves={IN_PROGRESS: {SUBMITTED}, ...},
    )
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from core.actors import CUSTOMER, STAFF, SYSTEM

from .statuses import OrderStatus as Status


@dataclass(frozen=True, eq=False)
class Lifecycle:
    statuses: tuple[str, ...]
    # {to_status: {from_status, ...}}: the moves each side may make.
    customer_moves: Mapping[str, Iterable[str]]
    staff_moves: Mapping[str, Iterable[str]]
    # Jobs, cron and carrier callbacks; by default what staff may do.
    system_moves: Mapping[str, Iterable[str]] | None = None
    initial: str = Status.SUBMITTED
    # Other statuses an order may be placed in: a port order starts as a Draft when saved
    # unfinished, and as Pending Documents when submitted at once.
    also_placed_as: frozenset = frozenset()
    # What the customer is told before cancelling.
    cancelling: str = (
        "Carrier staff have not started work on this order yet. Once cancelled, it cannot be "
        "reopened: place a new order instead."
    )
    # From these an order may be placed again, pre-filled (the kind's order_again_url).
    order_again_from: frozenset = field(
        default_factory=lambda: frozenset({Status.REJECTED, Status.CANCELLED})
    )
    # The lifecycle of each part of an order made of parts (a port order's batches, each with
    # its carrier): the kind moves its parts by it, and the order's status is then roll_up()
    # of its parts' statuses.
    parts: "Lifecycle | None" = None

    def __post_init__(self):
        if self.parts is not None and not set(self.parts.statuses) <= set(self.statuses):
            raise ValueError("An order's parts can only have statuses its order can have.")
        for moves in (self.customer_moves, self.staff_moves, self.system_moves or {}):
            for to_status, from_statuses in moves.items():
                unknown = {to_status, *from_statuses} - set(self.statuses)
                if unknown:
                    raise ValueError(f"Moves between statuses the lifecycle lacks: {unknown}.")

    def may_start_as(self, status):
        return status == self.initial or status in self.also_placed_as

    def moves_of(self, role):
        """The moves of CUSTOMER, STAFF or SYSTEM (core.actors)."""
        if role == SYSTEM:
            return self.staff_moves if self.system_moves is None else self.system_moves
        return {CUSTOMER: self.customer_moves, STAFF: self.staff_moves}[role]

    def allows(self, role, from_status, to_status):
        return from_status in self.moves_of(role).get(to_status, ())

    @property
    def open_statuses(self):
        """Statuses some move leads out of: the order still needs someone."""
        return {
            from_status
            for role in (CUSTOMER, STAFF, SYSTEM)
            for from_statuses in self.moves_of(role).values()
            for from_status in from_statuses
        }

    def is_open(self, status):
        return status in self.open_statuses


_WORK = {Status.SUBMITTED, Status.IN_PROGRESS}

# Today's orders: staff start, complete, reject or cancel; customers cancel until work starts.
ORDER_LIFECYCLE = Lifecycle(
    statuses=(
        Status.SUBMITTED,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.REJECTED,
        Status.CANCELLED,
    ),
    customer_moves={Status.CANCELLED: {Status.SUBMITTED}},
    staff_moves={
        Status.IN_PROGRESS: {Status.SUBMITTED},
        Status.COMPLETED: _WORK,
        Status.REJECTED: _WORK,
        Status.CANCELLED: _WORK,
    },
)

# How far along an order is, for roll_up().
PROGRESSION = [
    Status.DRAFT,
    Status.PENDING_DOCUMENTS,
    Status.SUBMITTED,
    Status.IN_PROGRESS,
    Status.FOC_CONFIRMED,
    Status.COMPLETED,
]


def roll_up(statuses):
    """The status of an order made of parts (a port order's batches) from its parts' statuses.

    A rejected part needs the customer, so the order is Rejected; cancelled parts do not count
    unless every part is cancelled; otherwise the order is as far along as its least advanced
    part (Submitted while one batch waits and another has its FOC date).
    """
    statuses = list(statuses)
    if not statuses:
        raise ValueError("roll_up() needs the status of at least one part.")
    live = [status for status in statuses if status != Status.CANCELLED]
    if not live:
        return Status.CANCELLED
    if Status.REJECTED in live:
        return Status.REJECTED
    return Status(min(live, key=PROGRESSION.index))
