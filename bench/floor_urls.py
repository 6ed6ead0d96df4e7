"""The floor of a list page: what the layout and a bare 50-row list cost, with nothing else.

bench/pages.py serves these beside the portal's own pages (floor_settings.py) and times them as
it times the list pages, against the sign-in page. A list page can be no faster than the floor
of the same rows: the floor has no filters, no pager, no column choice and no page template.

With BENCH_EMPTY_TABLES set (bench/pages.py --empty-tables), every DataTable reads no rows: the
list pages then cost what they cost around their rows (filters, pager, page, layout), a bound no
faster way of reading and writing the rows can pass.
"""

import os
from html import escape

from django.http import HttpResponse
from django.shortcuts import render
from django.template import engines
from django.urls import include, path
from django.utils.safestring import SafeString

from accounts.models import User
from core.tables import DataTable
from core.tenancy import enterprise_member_required

if os.environ.get("BENCH_EMPTY_TABLES"):
    DataTable._rows = lambda self, cursor, *, backwards=False: []

# The layout with nothing in it but the rows given.
PAGE = engines["django"].from_string(
    '{% extends "layouts/app.html" %}{% block heading %}Floor{% endblock %}'
    "{% block content %}<table>{{ rows }}</table>{% endblock %}"
)
FIELDS = ("name", "email", "role__name", "last_login", "is_active", "public_id")


def _rows(users):
    return SafeString(
        "".join(
            f"<tr><td>{escape(name)}</td><td>{escape(email)}</td><td>{escape(role)}</td>"
            f"<td>{last_login or 'Never'}</td><td>{'Active' if active else 'Deactivated'}</td>"
            f'<td><a href="/users/{public_id}/edit/">Edit</a></td></tr>'
            for name, email, role, last_login, active, public_id in users
        )
    )


def _users(request):
    """The enterprise's users in a list page's order. The views read one more than the 50 they
    write, as a list page does to know whether a next page follows."""
    return User.objects.filter(enterprise=request.enterprise).order_by("name", "id")


@enterprise_member_required
def layout(request):
    return render(request, "layouts/app.html")


@enterprise_member_required
def instances(request):
    users = list(_users(request).select_related("role")[:51])[:50]
    rows = [(u.name, u.email, u.role.name, u.last_login, u.is_active, u.public_id) for u in users]
    return HttpResponse(PAGE.render({"rows": _rows(rows)}, request))


@enterprise_member_required
def values(request):
    rows = list(_users(request).values_list(*FIELDS)[:51])[:50]
    return HttpResponse(PAGE.render({"rows": _rows(rows)}, request))


urlpatterns = [
    path("floor/layout/", layout),
    path("floor/instances/", instances),
    path("floor/values/", values),
    path("", include("portal.urls")),
]
