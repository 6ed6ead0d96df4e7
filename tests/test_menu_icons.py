"""Menu icons: each entry of the left-side menu names a drawing of static/portal/icons.svg."""

import re

from django.conf import settings
from django.urls import reverse

from core import navigation

ICONS = (settings.BASE_DIR / "static" / "portal" / "icons.svg").read_text()


def test_every_menu_entry_names_an_icon_that_exists():
    drawn = set(re.findall(r'<symbol id="([a-z-]+)"', ICONS))
    for entry in navigation.entries():
        if entry.section in ("main", "admin"):
            assert entry.icon in drawn, f"{entry.label}: no icon named {entry.icon!r}"


def test_the_menu_shows_the_icons_to_screens_only(admin_client):
    page = admin_client.get(reverse("dashboard")).text
    assert (
        '<svg class="icon" aria-hidden="true"><use href="/static/portal/icons.svg#users"></use>'
        "</svg>User Management</a>"
    ) in page
