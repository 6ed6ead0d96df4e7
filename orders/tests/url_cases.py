from tests.url_cases import Case
from trunks.tests.factories import new_package


def objects(enterprise, admin_user, general_user):
    order = new_package(general_user, name="Order Bundle")
    return {
        "order": {"public_id": order.public_id},
        "kind": {"kind": "trunk"},
    }


CASES = {
    # View Orders opens on the first tab the role may see.
    "orders:view_orders": Case(default=302),
    "orders:orders_tab": Case(kwargs="kind", names_object=False),
    "orders:order_detail": Case(kwargs="order"),
    "orders:cancel_order": Case(kwargs="order", allowed={"read_only": 403}),
}
