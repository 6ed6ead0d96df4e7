"""The Inventory's number tabs and a number's page ("Manage"): its services and its history."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from core import inventory
from core.tenancy import enterprise_permission_required, get_for_member

from ..forms.bulk import BulkUploadForm
from ..forms.manage import ACTIONS
from ..models import Kind, PhoneNumber
from ..permissions import MANAGE_NUMBERS, VIEW_NUMBERS
from ..selection import Selection, tab_url
from ..tables import SELECTION_FORM, TABLES, TABS

HISTORY_LENGTH = 50


@enterprise_permission_required(VIEW_NUMBERS)
def number_tab(request, kind):
    table = TABLES[kind](request.user, request.GET)
    if table.wants_csv:
        slug = Kind(kind).value.replace("_", "-")
        return table.csv_response(f"{slug}-numbers-{timezone.localdate():%Y-%m-%d}.csv")
    can_manage = request.user.has_perm(MANAGE_NUMBERS)
    matching = (
        Selection.all_matching_filter(request.user, kind, request.GET) if can_manage else None
    )
    return render(
        request,
        "phone_numbers/inventory.html",
        {
            "kind": Kind(kind),
            "table": table.context(),
            "inventory_tabs": inventory.tab_strip(request),
            "can_manage": can_manage,
            "actions": ACTIONS.values(),
            "matching": matching,
            "selection_form": SELECTION_FORM,
            # The guide's US Domestic Numbers tab takes a bulk file dropped on it.
            "bulk_form": BulkUploadForm() if can_manage and kind == Kind.US_DOMESTIC else None,
        },
    )


@enterprise_permission_required(VIEW_NUMBERS)
def number_detail(request, public_id):
    number = get_for_member(
        request,
        PhoneNumber.objects.select_related(
            "package", "routing_policy", "trunk", "e911_address", "order"
        ),
        public_id=public_id,
    )
    request.menu_entry = "inventory"
    events = number.events.select_related("order")[:HISTORY_LENGTH]
    return render(
        request,
        "phone_numbers/number_detail.html",
        {
            "number": number,
            "events": events,
            "history_length": HISTORY_LENGTH,
            "tab_url": tab_url(number.kind),
            "can_manage": request.user.has_perm(MANAGE_NUMBERS)
            and number.status != PhoneNumber.Status.DISCONNECTED,
            "actions": ACTIONS.values(),
        },
    )


urlpatterns = [
    *(
        path(f"inventory/{slug}/", number_tab, {"kind": kind}, name=kind.value)
        for kind, slug, _order in TABS
    ),
    path("numbers/<uuid:public_id>/", number_detail, name="number_detail"),
]
