"""The Inventory's Trunks tab: every trunk of the enterprise (core.inventory has the page)."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from core import inventory
from core.tenancy import enterprise_permission_required

from ..permissions import VIEW_TRUNKS
from ..tables import TrunkTable


@enterprise_permission_required(VIEW_TRUNKS)
def trunks_tab(request):
    table = TrunkTable(request.user, request.GET)
    if table.wants_csv:
        return table.csv_response(f"trunks-{timezone.localdate():%Y-%m-%d}.csv")
    return render(
        request,
        "trunks/inventory.html",
        {"table": table.context(), "inventory_tabs": inventory.tab_strip(request)},
    )


urlpatterns = [
    path("inventory/trunks/", trunks_tab, name="inventory"),
]
