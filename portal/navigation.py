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

    def is_current(self, path):
        """The entry of this page or of a page below it (Contact Us is under Help & Support)."""
        if self.url_fragment:
            return False
        url = reverse(self.url_name)
        return path == url or (url != "/" and path.startswith(url))


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
    MenuEntry(
        "User Management",
        "accounts:users",
        "☺",
        section="admin",
        permission="accounts.manage_users",
    ),
    MenuEntry(
        "Enterprise Settings",
        "accounts:enterprise_settings",
        "⚙",
        section="admin",
        permission="accounts.manage_enterprise_settings",
    ),
    MenuEntry(
        "Audit Log",
        "accounts:audit_log",
        "☰",
        section="admin",
        permission="accounts.view_audit_log",
    ),
]


def menu_for(user, path):
    """The menu entries this user may open, grouped by section, the current one marked."""
    sections = {"main": [], "admin": []}
    for entry in MENU:
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
