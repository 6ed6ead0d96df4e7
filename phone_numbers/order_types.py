"""The Order Type menu of the Add/Port Numbers tab.

Get New Number is this app's; an app above adds its own from its AppConfig.ready() (porting:
Move/Port Current Numbers), so this app never imports it. Choosing another type opens that
type's form for the same package and kind: at once with JavaScript (portal.js follows the
select's data-navigate map), and without it when the form is posted (the view redirects).
"""

import json
import uuid
from dataclasses import dataclass

from django import forms
from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from core.tenancy import get_for_member
from trunks.models import Package


@dataclass(frozen=True)
class OrderType:
    key: str
    label: str
    url_name: str  # the form's URL; it takes ?package=<public_id>&kind=<kind>
    permission: str


_types: list[OrderType] = []


def register(order_type):
    if any(other.key == order_type.key for other in _types):
        raise ValueError(f"The order type {order_type.key!r} is registered twice.")
    _types.append(order_type)


def available_to(user):
    return [order_type for order_type in _types if user.has_perm(order_type.permission)]


def form_url(url_name, *, package="", kind=""):
    """An order type's form (its URL name) for a package (its public_id) and kind."""
    kept = {key: value for key, value in (("package", package), ("kind", kind)) if value}
    suffix = f"?{urlencode(kept)}" if kept else ""
    return reverse(url_name) + suffix


def url_of(order_type, query):
    """The order type's form for the package and kind of query (a QueryDict or dict)."""
    return form_url(order_type.url_name, package=query.get("package"), kind=query.get("kind"))


def other_type_url(request, current):
    """Where a posted Order Type other than current leads, or None."""
    chosen = request.POST.get("order_type") or request.GET.get("order_type")
    for order_type in available_to(request.user):
        if order_type.key == chosen and order_type.key != current:
            return url_of(order_type, request.GET)
    return None


def order_type_field(request, current):
    """The Order Type select of a form, current chosen."""
    types = available_to(request.user)
    urls = {order_type.key: url_of(order_type, request.GET) for order_type in types}
    return forms.ChoiceField(
        label="Order Type",
        choices=[(order_type.key, order_type.label) for order_type in types],
        initial=current,
        widget=forms.Select(attrs={"data-navigate": json.dumps(urls)}),
    )


def package_of(request, permission):
    """The package the form was opened for (?package=<public_id>), or None when it was opened
    from the dashboard; another enterprise's package, or an Outbound Only one, is a 404. Sets
    the menu entry the page belongs to."""
    value = request.GET.get("package", "")
    if not value:
        request.menu_entry = "dashboard"
        return None
    try:
        public_id = uuid.UUID(value)
    except ValueError:
        raise Http404 from None
    package = get_for_member(
        request,
        Package.objects.exclude(type=Package.Type.OUTBOUND_ONLY),
        permission=permission,
        public_id=public_id,
    )
    request.menu_entry = f"trunks:{package.type}_packages"
    return package
