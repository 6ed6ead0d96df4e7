"""The left-side menu: each app adds its entries here, so the menu shows only what exists."""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str
    section: str = "main"
    permission: str | None = None
    url_fragment: str = ""
    shown_when: Callable | None = None

    def url(self):
        return reverse(self.url_name) + self.url_fragment


MENU = [
    MenuEntry("Dashboard", "dashboard", "⌂"),
    MenuEntry(
        "Applications",
        "dashboard",
        "▦",
        url_fragment="#my-applications",
        shown_when=lambda user: user.enterprise.applications.exists(),
    ),
    MenuEntry("Help & Support", "support:help", "?"),
]


def menu_for(user):
    """The menu entries this user may open, grouped by section."""
    sections = {"main": [], "admin": []}
    for entry in MENU:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.shown_when and not entry.shown_when(user):
            continue
        sections[entry.section].append(entry)
    return sections
