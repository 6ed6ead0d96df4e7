from tests.admin_cases import Changelist
from trunks.routing import Target, save_policy

from .factories import new_package

CHANGELISTS = {
    "trunks.package": Changelist(
        "denver", "type__exact=bundle&enterprise__id__exact={ent}", "Denver Bundle"
    ),
    "trunks.trunk": Changelist(
        "sbc",
        "status__exact=pending&package__type__exact=bundle&enterprise__id__exact={ent}",
        "Denver SBC 1",
    ),
    "trunks.routingpolicy": Changelist(
        "main", "is_default__exact=1&enterprise__id__exact={ent}", "Main route"
    ),
}


def records(enterprise, admin_user, general_user):
    order = new_package(admin_user, name="Denver Bundle", customer_reference="PO-4711")
    trunk = order.trunk_order.trunk
    save_policy(
        trunk.package,
        by=admin_user,
        name="Main route",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    return {}
