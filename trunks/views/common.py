"""What the trunk pages share: fetching a package, trunk or policy of the enterprise.

A page about a package, or a trunk or policy of one, belongs to the menu entry of the package's
type (Bundle, Usage, Outbound Only): fetching it here marks that entry (core.navigation).
"""

from core.tenancy import get_for_member

from ..models import Package, RoutingPolicy, Trunk
from ..permissions import VIEW_TRUNKS


def _under(request, package):
    request.menu_entry = f"trunks:{package.type}_packages"


def package_of(request, public_id, *, permission=VIEW_TRUNKS):
    package = get_for_member(
        request, Package.objects.all(), permission=permission, public_id=public_id
    )
    _under(request, package)
    return package


def trunk_of(request, public_id, *, permission=VIEW_TRUNKS):
    trunk = get_for_member(
        request,
        Trunk.objects.select_related("package").prefetch_related("addresses"),
        permission=permission,
        public_id=public_id,
    )
    _under(request, trunk.package)
    return trunk


def policy_of(request, public_id, *, permission=VIEW_TRUNKS):
    policy = get_for_member(
        request,
        RoutingPolicy.objects.select_related("package"),
        permission=permission,
        public_id=public_id,
    )
    _under(request, policy.package)
    return policy
