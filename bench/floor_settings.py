"""The portal's settings, serving also the floor pages of bench/floor_urls.py."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
