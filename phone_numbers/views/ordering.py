"""The Add/Port Numbers tab, Order Type Get New Number: preview the matching numbers, then
Submit Order.

"+Add" under Local, International or Toll-Free Numbers opens it with the kind and, where the
user clicked in a package, the package: /numbers/add/?package=<public_id>&kind=us_domestic.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from audit.records import client_ip
from core.phones import display_phone
from core.tenancy import enterprise_permission_required
from orders.placing import submit_order_form

from ..e911 import add_address
from ..forms.ordering import ORDERABLE_KINDS, GetNewNumberForm, NumberSearchForm
from ..models import Kind
from ..order_types import order_type_field, other_type_url, package_of
from ..ordering import order_numbers
from ..permissions import ORDER_NUMBERS
from ..supply import HOME_COUNTRY, supplier

NEW_NUMBER = "new"  # this form's Order Type


def _kind_of(request):
    kind = request.GET.get("kind") or Kind.US_DOMESTIC
    if kind not in ORDERABLE_KINDS:
        raise Http404
    return Kind(kind)


def _order_form(request, data=None, initial=None):
    package, kind = package_of(request, ORDER_NUMBERS), _kind_of(request)
    initial = initial or {
        "package": package,
        "kind": kind,
        "country": "" if kind == Kind.INTERNATIONAL else HOME_COUNTRY,
    }
    form = GetNewNumberForm(data, user=request.user, initial=initial)
    form.fields["order_type"] = order_type_field(request, NEW_NUMBER)
    return form, package


def _page(request, form, package, **context):
    query = urlencode({key: request.GET[key] for key in ("package", "kind") if key in request.GET})
    suffix = f"?{query}" if query else ""
    return render(
        request,
        "phone_numbers/add.html",
        {
            "form": form,
            "package": package,
            "add_url": reverse("phone_numbers:add") + suffix,
            "preview_url": reverse("phone_numbers:preview") + suffix,
            **context,
        },
    )


# The service's names for what the form calls routing.
FORM_FIELDS = {"routing_policy": "routing", "trunk": "routing"}


def _place(request, form):
    data = form.cleaned_data
    e911_address = data["e911_address"]
    try:
        # A new E911 address is kept only with the order: not when the numbers are gone.
        with transaction.atomic():
            if data["new_e911"]:
                e911_address = add_address(request.enterprise, data["new_e911"], by=request.user)
            return order_numbers(
                by=request.user,
                ip_address=client_ip(request),
                package=data["package"],
                search=form.search(),
                address=form.address(),
                routing_policy=data["routing_policy"],
                trunk=data["trunk"],
                cnam=data["cnam"],
                e911_address=e911_address,
                reference=data["customer_reference"],
                submission_key=data["submission_key"],
            )
    except ValidationError as error:
        # An error of no field (NotEnough: another order has just taken the numbers) is shown
        # above the form; one of a field beside the form's field of that name.
        if not hasattr(error, "error_dict"):
            raise
        raise ValidationError(
            {FORM_FIELDS.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from None


def _place_of(offer):
    return ", ".join(part for part in (offer.city, offer.state) if part)


@enterprise_permission_required(ORDER_NUMBERS)
def add(request):
    other_type = other_type_url(request, NEW_NUMBER)
    if other_type:
        return redirect(other_type)
    form, package = _order_form(request, request.POST or None)
    response = submit_order_form(request, form, lambda: _place(request, form))
    return response or _page(request, form, package)


@enterprise_permission_required(ORDER_NUMBERS)
@require_POST
def preview(request):
    """The numbers the search matches now, reserving none: a part of the page for htmx, the
    whole page again (the form as it was filled in) without JavaScript."""
    search_form = NumberSearchForm(request.POST)
    offers = []
    if search_form.is_valid():
        search = search_form.search()
        offers = [
            {"number": display_phone(offer.e164), "place": _place_of(offer)}
            for offer in supplier().search(search, limit=search.quantity)
        ]
    context = {"search_form": search_form, "offers": offers}
    if request.htmx:
        return render(request, "phone_numbers/_preview.html", context)
    # Shown again unchecked: the address and services are checked when the order is submitted.
    form, package = _order_form(request, initial=request.POST.dict())
    return _page(request, form, package, **context)


urlpatterns = [
    path("numbers/add/", add, name="add"),
    path("numbers/add/preview/", preview, name="preview"),
]
