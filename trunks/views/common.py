"""What the trunk pages share: fetching a package, trunk or policy of the enterprise.

A page about a package, or a trunk or policy of one, belongs to the menu entry of the package's
type (Bundle, Usage, Outbound Only): fetching it here marks that entry (core.navigation).
"""

from django.db.models import F, Prefetch

from core.tables import rows_html, table_rows
from core.tenancy import get_for_member

from ..models import Package, RoutingPolicy, RoutingTarget, Trunk
from ..permissions import VIEW_TRUNKS
from ..tables import (
    POLICY_ACTIONS_COLUMN,
    POLICY_LIST_COLUMNS,
    TRUNK_LIST_COLUMNS,
    with_addresses,
)


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


def trunk_list(trunks, user):
    """The columns and rows of a page's trunk list (trunks/_trunk_rows.html)."""
    rows = table_rows(TRUNK_LIST_COLUMNS, with_addresses(trunks), user)
    return {"columns": TRUNK_LIST_COLUMNS, "rows": rows, "body": rows_html(rows)}


def policy_list(policies, user, *, can_order):
    """The columns and rows of a page's routing policy list (trunks/_policy_list.html): each
    policy with its trunks in order (one query, a plain list per policy). A target brings its
    trunk's name alone: a whole trunk per target cost more to build than the rest of the row."""
    targets = RoutingTarget.objects.annotate(trunk_name=F("trunk__name")).only(
        "policy", "priority", "weight"
    )
    policies = policies.prefetch_related(
        Prefetch("targets", queryset=targets, to_attr="target_list")
    )
    columns = POLICY_LIST_COLUMNS + ([POLICY_ACTIONS_COLUMN] if can_order else [])
    rows = table_rows(columns, policies, user)
    return {"columns": columns, "rows": rows, "body": rows_html(rows)}
