"""View Orders: a tab per order kind, an order's page with its timeline, and cancelling."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone

from audit.records import client_ip
from core.htmx import redirect_after_post
from core.navigation import tabs
from core.tenancy import enterprise_permission_required, get_for_member

from . import kinds, services
from .models import Order
from .permissions import VIEW_ORDERS


def _kind_or_404(request, key):
    try:
        kind = kinds.get(key)
    except KeyError:
        raise Http404 from None
    if not request.user.has_perm(kind.view_permission):
        raise PermissionDenied("Your role does not allow this.")
    return kind


def _tabs(request):
    return tabs(
        request,
        [
            (kind.tab_label, reverse("orders:orders_tab", args=[kind.key]))
            for kind in kinds.visible_to(request.user)
        ],
    )


@enterprise_permission_required(VIEW_ORDERS)
def view_orders(request):
    visible = kinds.visible_to(request.user)
    if visible:
        return redirect("orders:orders_tab", visible[0].key)
    return render(request, "orders/view_orders.html", {"tabs": [], "kind": None})


@enterprise_permission_required(VIEW_ORDERS)
def orders_tab(request, kind):
    kind = _kind_or_404(request, kind)
    table = kind.table(request)
    if table.wants_csv:
        return table.csv_response(f"{kind.key}-orders-{timezone.localdate():%Y-%m-%d}.csv")
    return render(
        request,
        "orders/view_orders.html",
        {"tabs": _tabs(request), "kind": kind, "table": table.context()},
    )


def _order(request, public_id):
    order = get_for_member(
        request,
        Order.objects.select_related("placed_by"),
        permission=VIEW_ORDERS,
        public_id=public_id,
    )
    _kind_or_404(request, order.kind)
    return order


@enterprise_permission_required(VIEW_ORDERS)
def order_detail(request, public_id):
    order = _order(request, public_id)
    kind = order.kind_info
    may_place = request.user.has_perm(kind.place_permission)
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "kind": kind,
            "events": order.events.all(),
            "part": kind.detail(order) if kind.detail else {},
            "may_cancel": may_place and order.customer_may_cancel,
            "order_again_url": (
                kind.order_again_url(order)
                if may_place and order.may_order_again and kind.order_again_url
                else None
            ),
        },
    )


@enterprise_permission_required(VIEW_ORDERS)
def cancel_order(request, public_id):
    order = _order(request, public_id)
    if not request.user.has_perm(order.kind_info.place_permission):
        raise PermissionDenied("Your role does not allow this.")
    # Said before the confirmation too: an order staff have started is no longer cancelled here.
    error = services.refusal(order, Order.Status.CANCELLED, by=request.user)
    if order.status == Order.Status.CANCELLED:
        error = f"Order {order.reference} is cancelled already."
    if request.method == "POST" and error is None:
        try:
            services.cancel(order, by=request.user, ip_address=client_ip(request))
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
        else:
            messages.success(request, f"Order {order.reference} was cancelled.")
            return redirect_after_post(request, "orders:order_detail", order.public_id)
    return render(
        request,
        "orders/cancel.html",
        {"order": order, "error": error, "cancelling": order.kind_info.lifecycle.cancelling},
    )


urlpatterns = [
    path("orders/", view_orders, name="view_orders"),
    path("orders/<uuid:public_id>/", order_detail, name="order_detail"),
    path("orders/<uuid:public_id>/cancel/", cancel_order, name="cancel_order"),
    path("orders/<slug:kind>/", orders_tab, name="orders_tab"),
]
