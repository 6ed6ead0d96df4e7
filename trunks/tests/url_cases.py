from tests.url_cases import Case
from trunks.models import Package
from trunks.routing import Target, save_policy
from trunks.tests.factories import new_package

# Read Only users see trunks but order nothing.
ORDERING = {"read_only": 403}


def objects(enterprise, admin_user, general_user):
    order = new_package(admin_user, name="Denver Usage", type=Package.Type.USAGE)
    trunk = order.trunk_order.trunk
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    return {
        "package": {"public_id": trunk.package.public_id},
        "trunk": {"public_id": trunk.public_id},
        "policy": {"public_id": policy.public_id},
        "package_type": {"type": "bundle"},
    }


CASES = {
    "trunks:bundle_packages": Case(),
    "trunks:usage_packages": Case(),
    "trunks:outbound_packages": Case(),
    "trunks:inventory": Case(),
    "trunks:new_package": Case(kwargs="package_type", names_object=False, allowed=ORDERING),
    "trunks:package_detail": Case(kwargs="package"),
    "trunks:add_trunk": Case(kwargs="package", allowed=ORDERING),
    "trunks:routing_manager": Case(kwargs="package"),
    "trunks:policy_create": Case(kwargs="package", allowed=ORDERING),
    "trunks:policy_edit": Case(kwargs="policy", allowed=ORDERING),
    "trunks:policy_delete": Case(kwargs="policy", allowed=ORDERING),
    "trunks:trunk_detail": Case(kwargs="trunk"),
    # The trunk is Pending: the pages say why it cannot be changed yet.
    "trunks:change_trunk": Case(kwargs="trunk", allowed=ORDERING),
    "trunks:disconnect_trunk": Case(kwargs="trunk", allowed=ORDERING),
}
