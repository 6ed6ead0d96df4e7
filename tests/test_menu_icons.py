"""Menu icons: each entry of the left-side menu names a drawing of its own app's sprite."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from core import navigation
from core.navigation import MenuEntry


def drawings(sprite):
    """The ids of the <symbol>s of a static SVG file; none when there is no such file."""
    path = finders.find(sprite)
    return set(re.findall(r'<symbol id="([\w-]+)"', open(path).read())) if path else set()


def test_every_menu_entry_names_an_icon_of_an_apps_own_sprite():
    for entry in navigation.entries():
        if entry.section in ("main", "admin"):
            sprite, _, symbol = entry.icon.partition("#")
            app = sprite.split("/")[0]
            assert sprite == f"{app}/icons.svg", f"{entry.label}: {entry.icon!r}"
            assert app in settings.PORTAL_APPS, f"{entry.label}: {entry.icon!r}"
            # The app's own static file, not one of the project's static folder.
            assert finders.find(sprite) == str(settings.BASE_DIR / app / "static" / sprite)
            assert symbol in drawings(sprite), f"{entry.label}: no icon {entry.icon!r}"


def test_an_icon_is_named_with_its_sprite():
    with pytest.raises(ValueError, match="icons.svg#"):
        navigation.register(MenuEntry("Sprockets", "dashboard", "sprocket"))
    assert "Sprockets" not in [entry.label for entry in navigation.entries()]


def test_the_menu_shows_the_icons_to_screens_only(admin_client):
    page = admin_client.get(reverse("dashboard")).text
    assert (
        '<svg class="icon" aria-hidden="true"><use href="/static/accounts/icons.svg#users"></use>'
        "</svg>User Management</a>"
    ) in page
