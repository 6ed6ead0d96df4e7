"""Inventory: the page of what an enterprise has, a tab per kind of thing each app registers.

    inventory.register(InventoryTab("trunks", "Trunks", "trunks:inventory",
                                    permission=VIEW_TRUNKS, order=10))

The Inventory menu entry opens the first tab the user may see. A tab is the app's own view under
/inventory/; its template extends "core/inventory.html" and gets the tab strip from tab_strip().
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse

from .navigation import MenuEntry, tabs
from .tenancy import enterprise_member_required


@dataclass(frozen=True)
class InventoryTab:
    key: str
    label: str
    url_name: str
    permission: str | None = None
    order: int = 100


_tabs: list[InventoryTab] = []


def register(tab):
    if any(other.key == tab.key for other in _tabs):
        raise ValueError(f"The Inventory tab {tab.key!r} is registered twice.")
    _tabs.append(tab)
    _tabs.sort(key=lambda t: t.order)


def all_tabs():
    return list(_tabs)


def visible_to(user):
    """The tabs this user may open, in order."""
    return [tab for tab in _tabs if not tab.permission or user.has_perm(tab.permission)]


def tab_strip(request):
    """The tabs over an Inventory page, the current one marked."""
    return tabs(request, [(tab.label, reverse(tab.url_name)) for tab in visible_to(request.user)])


# Registered by core's AppConfig; shown to whoever may open at least one tab.
MENU_ENTRY = MenuEntry(
    "Inventory",
    "inventory",
    "core/icons.svg#inventory",
    order=40,
    shown_when=lambda user: bool(visible_to(user)),
)


@enterprise_member_required
def inventory(request):
    """Open the first tab the user may see, keeping the query (an old link's filters)."""
    visible = visible_to(request.user)
    if not visible:
        raise PermissionDenied("Your role does not allow this.")
    url = reverse(visible[0].url_name)
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url)


urlpatterns = [
    path("inventory/", inventory, name="inventory"),
]
