"""Dashboard sections: each app registers the cards it shows on the dashboard.

    dashboard.register(DashboardSection("numbers/_dashboard.html", order=20,
                                        permission=VIEW_NUMBERS, context=my_numbers))

`context(request)` returns the variables of the section's template, given to it as `section`.

A section may belong to another page: `page="package"` puts it on each package's page, which
asks for `sections_for(request, "package", package=package)`; its context is then called with
the page's objects, `context(request, package=package)`, and returns None where the section has
nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DashboardSection:
    template: str
    order: int = 100
    permission: str | None = None
    context: Callable | None = None
    page: str = "dashboard"


_sections: list[DashboardSection] = []


def register(section):
    if any(s.template == section.template for s in _sections):
        raise ValueError(f"The dashboard section {section.template} is already registered.")
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sections():
    return list(_sections)


def sections_for(request, page="dashboard", **objects):
    """The sections of page this user may see, each with its template and its context."""
    shown = []
    for section in _sections:
        if section.page != page:
            continue
        if section.permission and not request.user.has_perm(section.permission):
            continue
        context = section.context(request, **objects) if section.context else {}
        if context is not None:
            shown.append({"template": section.template, "context": context})
    return shown
