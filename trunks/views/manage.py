"""A trunk's page ("Manage"), with its change and disconnect orders."""

from django.shortcuts import render
from django.urls import path

from audit.records import client_ip
from core.tenancy import enterprise_permission_required
from orders.placing import submit_order_form

from .. import change_orders
from ..forms.trunk import ChangeTrunkForm, DisconnectForm
from ..models import TrunkOrder
from ..order_kind import order_again_initial
from ..permissions import ORDER_TRUNKS, VIEW_TRUNKS
from .common import trunk_of


@enterprise_permission_required(VIEW_TRUNKS)
def trunk_detail(request, public_id):
    trunk = trunk_of(request, public_id)
    orders = trunk.orders.select_related("order").order_by("-order__placed_at", "-id")[:20]
    return render(
        request,
        "trunks/trunk_detail.html",
        {
            "trunk": trunk,
            "orders": orders,
            "policies": change_orders.policies_using(trunk),
            "can_order": request.user.has_perm(ORDER_TRUNKS),
            "change_refusal": change_orders.open_order_refusal(trunk),
            "disconnect_refusal": change_orders.disconnect_refusal(trunk),
        },
    )


@enterprise_permission_required(ORDER_TRUNKS)
def change_trunk(request, public_id):
    trunk = trunk_of(request, public_id)
    refusal = change_orders.open_order_refusal(trunk)
    initial = change_orders.current_values(trunk)
    initial.update(order_again_initial(request, TrunkOrder.Type.CHANGE))
    form = ChangeTrunkForm(request.POST or None, initial=initial)
    response = submit_order_form(
        request,
        form,
        lambda: change_orders.request_change(
            trunk,
            by=request.user,
            ip_address=client_ip(request),
            values=form.values(),
            **form.order_kwargs(),
        ),
        refusal=refusal,
    )
    return response or render(
        request, "trunks/change_form.html", {"form": form, "trunk": trunk, "refusal": refusal}
    )


@enterprise_permission_required(ORDER_TRUNKS)
def disconnect_trunk(request, public_id):
    trunk = trunk_of(request, public_id)
    refusal = change_orders.disconnect_refusal(trunk)
    form = DisconnectForm(
        request.POST or None, initial=order_again_initial(request, TrunkOrder.Type.DISCONNECT)
    )
    response = submit_order_form(
        request,
        form,
        lambda: change_orders.request_disconnect(
            trunk, by=request.user, ip_address=client_ip(request), **form.order_kwargs()
        ),
        refusal=refusal,
    )
    return response or render(
        request, "trunks/disconnect_form.html", {"form": form, "trunk": trunk, "refusal": refusal}
    )


urlpatterns = [
    path("trunks/<uuid:public_id>/", trunk_detail, name="trunk_detail"),
    path("trunks/<uuid:public_id>/change/", change_trunk, name="change_trunk"),
    path("trunks/<uuid:public_id>/disconnect/", disconnect_trunk, name="disconnect_trunk"),
]
