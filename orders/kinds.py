"""Order types: each app registers its kind of order, so orders/ never imports them.

    kinds.register(OrderKind(key="trunk", label="Trunk order", prefix="TO", ...))

A kind brings its reference prefix, its View Orders tab (a function building the tab's data
table from the request), the permissions to see and to place its orders, the template part its
order page shows, its lifecycle (orders.lifecycle: statuses, who may make which move, what
cancelling means), the events its timeline may hold besides status changes, a hook called
inside the transaction of every status change, and where "Order again" leads.
"""

from collections.abc import Callable
from dataclasses import dataclass

from .lifecycle import ORDER_LIFECYCLE, Lifecycle


@dataclass(frozen=True)
class EventType:
    """Something that happens to an order besides a status change: "LOA uploaded"."""

    key: str
    label: str
    email: bool = False  # e-mail the person who placed the order when it happens


@dataclass(frozen=True, eq=False)
class OrderKind:
    key: str
    label: str  # one order, e.g. "Trunk order"
    tab_label: str  # the View Orders tab, e.g. "Trunk Orders"
    prefix: str  # of the reference, e.g. "TO" for TO-7K3M9Q
    view_permission: str
    place_permission: str
    # table(request) -> DataTable over Order rows of this kind, filters included.
    table: Callable
    # The part of the order page about this kind; it gets `order` and what detail() returns.
    detail_template: str
    describe: Callable  # describe(order) -> one line for e-mails and the back office
    detail: Callable | None = None  # detail(order) -> extra context of detail_template
    # facts(order) -> [(label, text)]: what carrier staff need to carry the order out.
    facts: Callable | None = None
    # on_status_changed(order, *, before, by) runs in the transaction of the change, after the
    # order's row is locked: it locks the kind's own rows only after that (orders.services).
    on_status_changed: Callable | None = None
    # move_refusal(order, to_status, *, by) -> why a move the lifecycle allows cannot be made
    # now (a port order within 48 hours of its FOC date), or None. Asked with the order locked.
    move_refusal: Callable | None = None
    lifecycle: Lifecycle = ORDER_LIFECYCLE
    events: tuple[EventType, ...] = ()
    # order_again_url(order) -> the kind's order form pre-filled from order, or None.
    order_again_url: Callable | None = None
    order: int = 100

    def event_type(self, key):
        """The declared EventType called key; ValueError when the kind declares none."""
        for event_type in self.events:
            if event_type.key == key:
                return event_type
        raise ValueError(f"The order kind {self.key!r} declares no event {key!r}.")


_kinds: dict[str, OrderKind] = {}


def register(kind):
    if kind.key in _kinds:
        raise ValueError(f"The order kind {kind.key!r} is registered twice.")
    if any(other.prefix == kind.prefix for other in _kinds.values()):
        raise ValueError(f"The reference prefix {kind.prefix!r} is taken.")
    _kinds[kind.key] = kind


def unregister(key):
    """Remove the kind registered as key: the tests' own kind is registered test by test."""
    del _kinds[key]


def get(key):
    """The kind registered as key; KeyError when no app registers it."""
    return _kinds[key]


def all_kinds():
    return sorted(_kinds.values(), key=lambda kind: kind.order)


def visible_to(user):
    """The kinds whose orders this user may see, in tab order."""
    return [kind for kind in all_kinds() if user.has_perm(kind.view_permission)]


def choices():
    return [(kind.key, kind.label) for kind in all_kinds()]
