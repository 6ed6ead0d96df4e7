"""Trunk Order forms: Create New Package, and a trunk for an existing package."""

from django.shortcuts import render
from django.urls import path, reverse

from audit.records import client_ip
from core.tenancy import enterprise_permission_required
from orders.placing import submit_order_form

from .. import services
from ..forms.trunk import NewPackageForm, TrunkOrderForm
from ..models import TrunkOrder
from ..order_kind import order_again_initial
from ..permissions import ORDER_TRUNKS
from .common import package_of
from .packages import package_type


@enterprise_permission_required(ORDER_TRUNKS)
def new_package(request, type):
    type = package_type(type)
    form = NewPackageForm(request.POST or None, user=request.user)
    response = submit_order_form(
        request,
        form,
        lambda: services.order_new_package(
            enterprise=request.enterprise,
            by=request.user,
            ip_address=client_ip(request),
            package_name=form.cleaned_data["package_name"],
            package_type=type,
            trunk=form.trunk_fields(),
            signaling=form.cleaned_data["signaling"],
            media=form.cleaned_data["media"],
            **form.order_kwargs(),
        ),
    )
    return response or render(
        request,
        "trunks/order_form.html",
        {
            "form": form,
            "heading": f"New {type.label} package",
            "back_url": reverse(f"trunks:{type}_packages"),
            "package_type": type,
        },
    )


@enterprise_permission_required(ORDER_TRUNKS)
def add_trunk(request, public_id):
    package = package_of(request, public_id)
    refusal = services.bundle_refusal(package)
    form = TrunkOrderForm(
        request.POST or None,
        user=request.user,
        initial=order_again_initial(request, TrunkOrder.Type.NEW),
    )
    response = submit_order_form(
        request,
        form,
        lambda: services.order_trunk(
            package,
            by=request.user,
            ip_address=client_ip(request),
            trunk=form.trunk_fields(),
            signaling=form.cleaned_data["signaling"],
            media=form.cleaned_data["media"],
            **form.order_kwargs(),
        ),
        refusal=refusal,
    )
    return response or render(
        request,
        "trunks/order_form.html",
        {
            "form": form,
            "back_url": reverse("trunks:package_detail", args=[package.public_id]),
            "refusal": refusal,
            "heading": f"{services.add_trunk_label(package)}: {package.name}",
            "package": package,
        },
    )


urlpatterns = [
    # Below its type's list, so that its menu entry is marked.
    path("packages/<slug:type>/new/", new_package, name="new_package"),
    path("packages/<uuid:public_id>/trunks/new/", add_trunk, name="add_trunk"),
]
