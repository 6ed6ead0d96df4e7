"""Dashboard sections: each on its page, shown to whoever has its permission, with its context."""

import pytest

from core import dashboard
from core.dashboard import DashboardSection


@pytest.fixture
def sections(monkeypatch):
    monkeypatch.setattr(dashboard, "_sections", [])
    return dashboard


def test_a_page_shows_its_own_sections_with_the_pages_objects(sections, rf, admin_user):
    sections.register(DashboardSection("home.html", context=lambda request: {"on": "home"}))
    sections.register(
        DashboardSection(
            "package.html",
            page="package",
            context=lambda request, package: {"package": package},
        )
    )
    request = rf.get("/")
    request.user = admin_user

    assert sections.sections_for(request) == [{"template": "home.html", "context": {"on": "home"}}]
    assert sections.sections_for(request, "package", package="Denver Bundle") == [
        {"template": "package.html", "context": {"package": "Denver Bundle"}}
    ]


def test_a_section_with_nothing_to_show_is_left_out(sections, rf, admin_user):
    sections.register(
        DashboardSection("numbers.html", page="package", context=lambda request, package: None)
    )
    request = rf.get("/")
    request.user = admin_user
    assert sections.sections_for(request, "package", package="Dialer") == []


def test_a_section_needs_its_permission(sections, rf, read_only_user):
    sections.register(DashboardSection("users.html", permission="accounts.manage_users"))
    request = rf.get("/")
    request.user = read_only_user
    assert sections.sections_for(request) == []
