"""The form plumbing every kind's order form shares: OrderForm and submit_order_form."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from core.tenancy import enterprise_scope
from orders.forms import OrderForm
from orders.models import Order
from orders.placing import submit_order_form

from .kinds import place

KEY = "6f1c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10"


class CircuitForm(OrderForm):
    circuit = forms.CharField()


def request_for(user, method="post", data=None):
    request = getattr(RequestFactory(), method)("/order/", data or {})
    request.user = user
    request.htmx = HtmxDetails(request)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def post(user, **data):
    return request_for(user, data={"circuit": "C-1", "submission_key": KEY, **data})


def submit(request, *, place_as, refusal=None, fails_with=None):
    form = CircuitForm(request.POST or None)

    def placing():
        if fails_with:
            raise ValidationError(fails_with)
        return place(place_as, **form.order_kwargs())

    with enterprise_scope(place_as.enterprise):
        return form, submit_order_form(request, form, placing, refusal=refusal)


def shown(request):
    return [str(message) for message in get_messages(request)]


def test_an_order_form_has_the_customers_reference_and_a_fresh_token():
    first, second = CircuitForm(), CircuitForm()
    assert "customer_reference" in first.fields
    assert first["submission_key"].value() != second["submission_key"].value()
    assert first["submission_key"].field.widget.is_hidden


def test_a_get_shows_the_form(general_user):
    form, response = submit(request_for(general_user, "get"), place_as=general_user)
    assert response is None
    assert not form.is_bound


def test_a_valid_form_places_the_order_and_opens_its_page(general_user):
    request = post(general_user, customer_reference="PO-5")
    form, response = submit(request, place_as=general_user)
    order = Order.objects.get()
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    assert (str(order.submission_key), order.customer_reference) == (KEY, "PO-5")
    assert shown(request) == [
        f"Order {order.reference} was submitted. We e-mailed you a confirmation."
    ]


def test_the_same_form_posted_again_opens_the_first_order(general_user):
    submit(post(general_user), place_as=general_user)
    first = Order.objects.get()
    request = post(general_user, circuit="")  # not even checked again
    form, response = submit(request, place_as=general_user)
    assert response.url == reverse("orders:order_detail", args=[first.public_id])
    assert shown(request) == [f"This form was already submitted as order {first.reference}."]
    assert Order.objects.count() == 1


def test_errors_and_refusals_leave_the_form_to_be_shown(general_user):
    form, response = submit(post(general_user, circuit=""), place_as=general_user)
    assert response is None and "circuit" in form.errors
    form, response = submit(post(general_user), place_as=general_user, refusal="Not now.")
    assert response is None
    assert not Order.objects.exists()


def test_a_refusal_of_the_service_is_shown_on_the_form(general_user):
    form, response = submit(
        post(general_user), place_as=general_user, fails_with="This Bundle is full."
    )
    assert response is None
    assert form.non_field_errors() == ["This Bundle is full."]


def test_a_twin_submit_that_commits_while_this_one_is_checked_opens_its_order(general_user):
    class TakenByTheTwin(CircuitForm):
        def clean_circuit(self):
            # The twin request commits now, and what it placed makes this form invalid.
            place(general_user, customer_reference="", submission_key=KEY)
            raise ValidationError("This circuit is taken.")

    request = post(general_user)
    form = TakenByTheTwin(request.POST)
    with enterprise_scope(general_user.enterprise):
        response = submit_order_form(request, form, lambda: None)
    twin = Order.objects.get()
    assert response.url == reverse("orders:order_detail", args=[twin.public_id])
    assert shown(request) == [f"This form was already submitted as order {twin.reference}."]
