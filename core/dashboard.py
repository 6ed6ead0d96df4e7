"""Dashboard sections: each app registers the cards it shows on the dashboard.

    dashboard.register(DashboardSection("numbers/_dashboard.html", order=20,
                                        permission=VIEW_NUMBERS, context=my_numbers))

`context(request)` returns the variables of the section's template, given to it as `section`.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardSection:
    template: str
    order: int = 100
    permission: str | None = None
    context: Callable | None = None


_sections: list[DashboardSection] = []


def register(section):
    if any(s.template == section.template for s in _sections):
        raise ValueError(f"The dashboard section {section.template} is already registered.")
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sections():
    return list(_sections)


def sections_for(request):
    """The sections this user may see, each with its template and its context."""
    shown = []
    for section in _sections:
        if section.permission and not request.user.has_perm(section.permission):
            continue
        context = section.context(request) if section.context else {}
        shown.append({"template": section.template, "context": context})
    return shown
