from contextlib import contextmanager

from tests.url_cases import Case

from .kinds import KEY, place, registered


@contextmanager
def in_place():
    # The order below is of the tests' own kind, which exists only while it is registered.
    with registered():
        yield


def objects(enterprise, admin_user, general_user):
    order = place(general_user)
    return {
        "order": {"public_id": order.public_id},
        "kind": {"kind": KEY},
    }


CASES = {
    # View Orders opens on the first tab the role may see.
    "orders:view_orders": Case(default=302),
    "orders:orders_tab": Case(kwargs="kind", names_object=False),
    "orders:order_detail": Case(kwargs="order"),
    "orders:cancel_order": Case(kwargs="order", allowed={"read_only": 403}),
}
