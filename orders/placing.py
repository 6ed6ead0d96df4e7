"""Placing an order from a page: one call for every kind's order form.

    form = PortOrderForm(request.POST or None)
    response = submit_order_form(
        request, form, lambda: services.order_port(..., **form.order_kwargs())
    )
    return response or render(request, "...", {"form": form})

It answers a form posted again (the same submission key) with the order it placed the first
time, before the form is checked again (the first submit changed the answers: the name is taken
now); two submits at the same instant are caught by place_order, which raises AlreadySubmitted.
A refusal of the service (ValidationError) is shown on the form.
"""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from core.htmx import redirect_after_post

from .models import Order
from .services import AlreadySubmitted


def submit_order_form(request, form, place, *, refusal=None):
    """On a valid POST of form, place the order with place() and open its page.

    Returns the response to send, or None to show the form again (a GET, a refusal, errors).
    """
    if request.method != "POST":
        return None
    key = request.POST.get("submission_key", "")
    earlier = _order_of_submission(key)
    if earlier is not None:
        return _to_earlier(request, earlier)
    if refusal:
        return None
    if not form.is_valid():
        return _earlier_twin(request, key)
    try:
        order = place()
    except AlreadySubmitted as duplicate:
        return _to_earlier(request, duplicate.order)
    except ValidationError as error:
        form.add_error(None, error)
        return _earlier_twin(request, key)
    messages.success(
        request, f"Order {order.reference} was submitted. We e-mailed you a confirmation."
    )
    return redirect_after_post(request, "orders:order_detail", order.public_id)


def _order_of_submission(key):
    try:
        key = uuid.UUID(key)
    except ValueError:
        return None
    return Order.objects.filter(submission_key=key).first()


def _earlier_twin(request, key):
    """The first order's page when a twin submit committed while this one was being checked.

    What the twin placed (a package name now taken) is then what made this form invalid: the
    user sent one form, and sees the order it placed rather than an error about it.
    """
    earlier = _order_of_submission(key)
    return _to_earlier(request, earlier) if earlier is not None else None


def _to_earlier(request, order):
    messages.info(request, f"This form was already submitted as order {order.reference}.")
    return redirect("orders:order_detail", order.public_id)
