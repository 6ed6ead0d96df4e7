"""What the trunk pages share: fetching a package or trunk of the enterprise, placing orders."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from core.htmx import redirect_after_post
from core.tenancy import get_for_member
from orders.models import Order
from orders.services import AlreadySubmitted

from ..models import Package, RoutingPolicy, Trunk
from ..permissions import VIEW_TRUNKS


def package_of(request, public_id, *, permission=VIEW_TRUNKS):
    return get_for_member(
        request, Package.objects.all(), permission=permission, public_id=public_id
    )


def trunk_of(request, public_id, *, permission=VIEW_TRUNKS):
    return get_for_member(
        request,
        Trunk.objects.select_related("package").prefetch_related("addresses"),
        permission=permission,
        public_id=public_id,
    )


def policy_of(request, public_id, *, permission=VIEW_TRUNKS):
    return get_for_member(
        request,
        RoutingPolicy.objects.select_related("package"),
        permission=permission,
        public_id=public_id,
    )


def _to_earlier(request, order):
    messages.info(request, f"This form was already submitted as order {order.reference}.")
    return redirect("orders:order_detail", order.public_id)


def submitted_again(request):
    """The page of the order this very form placed before, when it is posted again.

    Checked before the form, whose checks the first submit changed the answers of (the package
    name is taken now). Two submits at the same instant are caught by place_order instead.
    """
    if request.method != "POST":
        return None
    try:
        key = uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return None
    earlier = Order.objects.filter(submission_key=key).first()
    return _to_earlier(request, earlier) if earlier else None


def place(request, form, call):
    """Place an order through call(); the order's page, or None with the form's errors set."""
    try:
        order = call()
    except AlreadySubmitted as duplicate:
        return _to_earlier(request, duplicate.order)
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(
        request,
        f"Order {order.reference} was submitted. We e-mailed you a confirmation.",
    )
    return redirect_after_post(request, "orders:order_detail", order.public_id)
