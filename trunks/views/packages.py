"""The package tiles of the left-side menu (Bundle, Usage, Outbound Only) and a package's page."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import path

from core.dashboard import sections_for
from core.tenancy import enterprise_permission_required

from ..models import Package, Trunk
from ..permissions import ORDER_TRUNKS, VIEW_TRUNKS
from ..services import add_trunk_label, bundle_refusal
from .common import package_of, policy_list, trunk_list


def live_trunks():
    return Trunk.objects.exclude(status=Trunk.Status.DISCONNECTED).order_by("role", "name")


def package_type(value):
    try:
        return Package.Type(value)
    except ValueError:
        raise Http404 from None


@enterprise_permission_required(VIEW_TRUNKS)
def package_list(request, type):
    type = package_type(type)
    packages = (
        Package.objects.filter(type=type)
        .prefetch_related(Prefetch("trunks", queryset=live_trunks(), to_attr="live_trunks"))
        .order_by("name", "id")
    )
    for package in packages:
        role = package.next_trunk_role({trunk.role for trunk in package.live_trunks})
        package.add_label = add_trunk_label(package, role) if role else ""
    return render(
        request,
        "trunks/package_list.html",
        {
            "type": type,
            "packages": packages,
            "can_order": request.user.has_perm(ORDER_TRUNKS),
        },
    )


@enterprise_permission_required(VIEW_TRUNKS)
def package_detail(request, public_id):
    package = package_of(request, public_id)
    can_order = request.user.has_perm(ORDER_TRUNKS)
    trunks = package.trunks.order_by("role", "name", "id")
    policies = package.routing_policies.all()
    return render(
        request,
        "trunks/package_detail.html",
        {
            "package": package,
            "trunks": trunk_list(trunks, request.user),
            # Only a package that takes inbound calls has routing policies.
            "policies": package.takes_inbound_calls
            and policy_list(policies, request.user, can_order=can_order),
            "can_order": can_order,
            "add_refusal": bundle_refusal(package),
            "add_label": add_trunk_label(package),
            # What other apps show on a package's page (My Numbers).
            "sections": sections_for(request, "package", package=package),
        },
    )


urlpatterns = [
    path("packages/bundle/", package_list, {"type": "bundle"}, name="bundle_packages"),
    path("packages/usage/", package_list, {"type": "usage"}, name="usage_packages"),
    path("packages/outbound/", package_list, {"type": "outbound"}, name="outbound_packages"),
    path("packages/<uuid:public_id>/", package_detail, name="package_detail"),
]
