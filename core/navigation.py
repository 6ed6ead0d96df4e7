"""The menus: each app registers its entries, so the menus show only what exists.

Sections: "main" (the left-side menu), "admin" (its Administration part) and "account" (the
My Account menu in the top right corner). Apps register from their AppConfig.ready():

    navigation.register(MenuEntry("Help & Support", "support:help", "help", order=90))
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

SECTIONS = ("main", "admin", "account")


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    icon: str = ""
    section: str = "main"
    order: int = 100
    permission: str | None = None
    url_fragment: str = ""
    shown_when: Callable | None = None

    def url(self):
        return reverse(self.url_name) + self.url_fragment

    def is_current(self, path):
        """The entry of this page or of a page below it (Contact Us is under Help & Support)."""
        if self.url_fragment:
            return False
        url = reverse(self.url_name)
        return path == url or (url != "/" and path.startswith(url))


_entries: list[MenuEntry] = []


def register(*entries):
    for entry in entries:
        if entry.section not in SECTIONS:
            raise ValueError(f"Unknown menu section {entry.section!r} for {entry.label!r}.")
        if any(e.label == entry.label and e.section == entry.section for e in _entries):
            raise ValueError(f"The {entry.section} menu already has an entry {entry.label!r}.")
        _entries.append(entry)
    _entries.sort(key=lambda e: e.order)


def entries():
    return list(_entries)


def menu_for(user, path):
    """The menu entries this user may open, grouped by section, the current one marked."""
    sections = {section: [] for section in SECTIONS}
    for entry in _entries:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.shown_when and not entry.shown_when(user):
            continue
        sections[entry.section].append(
            {
                "label": entry.label,
                "icon": entry.icon,
                "url": entry.url(),
                "current": entry.is_current(path),
            }
        )
    return sections


def tabs(request, entries):
    """Tabs over a page, from (label, URL) pairs; the tab of this page is marked current.

    Render them with {% include "components/tabs.html" with tabs=... label="..." %}.
    """
    return [{"label": label, "url": url, "current": request.path == url} for label, url in entries]
