"""The menus: each app registers its entries, so the menus show only what exists.

Sections: "main" (the left-side menu), "admin" (its Administration part) and "account" (the
My Account menu in the top right corner). Apps register from their AppConfig.ready():

    navigation.register(MenuEntry("Help & Support", "support:help", "support/icons.svg#help"))

An entry of "main" or "admin" has an icon: a <symbol> of its app's own sprite, the static file
<app>/static/<app>/icons.svg (line drawings on a 24x24 grid), named "<app>/icons.svg#<id>".
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from html import escape

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

SECTIONS = ("main", "admin", "account")


@cache
def _page_of(url_name, script_prefix, urlconf):
    # Every page shows the menu: its addresses are reversed once per process, not per request.
    return reverse(url_name, urlconf)


@cache
def _icon_url(icon):
    # The static files' manifest is read once per process: so are the icons' addresses.
    sprite, symbol = icon.split("#")
    return f"{static(sprite)}#{symbol}"


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

    def page(self):
        return _page_of(self.url_name, get_script_prefix(), get_urlconf())

    def url(self):
        return self.page() + self.url_fragment

    def icon_url(self):
        """The address of the icon's drawing, for <use href="...">; "" without an icon."""
        return _icon_url(self.icon) if self.icon else ""

    def is_current(self, path):
        """The entry of this page or of a page below it (Contact Us is under Help & Support)."""
        if self.url_fragment:
            return False
        url = self.page()
        return path == url or (url != "/" and path.startswith(url))


_entries: list[MenuEntry] = []


def register(*entries):
    for entry in entries:
        if entry.section not in SECTIONS:
            raise ValueError(f"Unknown menu section {entry.section!r} for {entry.label!r}.")
        if entry.icon and not re.fullmatch(r"[\w/.-]+\.svg#[\w-]+", entry.icon):
            raise ValueError(f"{entry.label!r}: name an icon as '<app>/icons.svg#<id>'.")
        if any(e.label == entry.label and e.section == entry.section for e in _entries):
            raise ValueError(f"The {entry.section} menu already has an entry {entry.label!r}.")
        _entries.append(entry)
    _entries.sort(key=lambda e: e.order)


def entries():
    return list(_entries)


def menu_for(user, path, current=None):
    """The menu entries this user may open, grouped by section, the current one marked.

    current, a URL name, marks the entry of a page that lies outside its entry's URL (a trunk's
    page belongs to its package's type); a view sets it as request.menu_entry.
    """
    sections = {section: [] for section in SECTIONS}
    for entry in _entries:
        if entry.permission and not user.has_perm(entry.permission):
            continue
        if entry.shown_when and not entry.shown_when(user):
            continue
        sections[entry.section].append(
            {
                "label": entry.label,
                "icon": entry.icon_url(),
                "url": entry.url(),
                "current": entry.url_name == current or entry.is_current(path),
            }
        )
    return sections


def sidebar_html(menu):
    """The left-side menu of menu_for(): its main entries, then those of Administration.

    Made here: a template loop over the entries cost every page as much as the rest of its
    layout.
    """
    parts = [_menu_list(menu["main"])]
    if menu["admin"]:
        parts += ['<p class="sidebar__heading">Administration</p>', _menu_list(menu["admin"])]
    return SafeString("".join(parts))


def _menu_list(entries):
    items = []
    for entry in entries:
        current = ' aria-current="page"' if entry["current"] else ""
        icon = (
            f'<svg class="icon" aria-hidden="true"><use href="{escape(entry["icon"])}"></use></svg>'
            if entry["icon"]
            else ""
        )
        url = escape(entry["url"])
        items.append(f'<li><a href="{url}"{current}>{icon}{escape(entry["label"])}</a></li>')
    return f"<ul>{''.join(items)}</ul>"


def tabs(request, entries):
    """Tabs over a page, from (label, URL) pairs; the tab of this page is marked current.

    Render them with {% include "components/tabs.html" with tabs=... label="..." %}.
    """
    return [{"label": label, "url": url, "current": request.path == url} for label, url in entries]
