"""Status badges: a status's label in a pill whose tone says how things stand.

A model declares the tone of each of its statuses once, beside the statuses, and gives
`status_badge`; pages show `{{ obj.status_badge }}` and data tables Column(badge=...) with the
same tones, so a status looks the same everywhere.
"""

import html

from django.utils.safestring import mark_safe


def badge(label, tone=""):
    """A badge's HTML, its label escaped. tone is one of portal.css's: "ok", "warn", "danger",
    "muted", or "" for the plain badge."""
    modifier = f" badge--{tone}" if tone else ""
    return mark_safe(f'<span class="badge{modifier}">{html.escape(str(label))}</span>')  # noqa: S308
