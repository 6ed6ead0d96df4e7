"""The left-side menu: the entries a user may open, the current one marked."""

from django.urls import reverse

from core.navigation import sidebar_html


def _entry(label, url, current=False, icon=""):
    return {"label": label, "url": url, "current": current, "icon": icon}


def test_the_sidebar_marks_the_current_entry_and_escapes_labels():
    menu = {
        "main": [
            _entry("Dashboard", "/", icon="/static/core/icons.svg#home"),
            _entry("Audit <Log>", "/audit-log/", current=True),
        ],
        "admin": [],
        "account": [],
    }

    html = sidebar_html(menu)

    assert html == (
        '<ul><li><a href="/"><svg class="icon" aria-hidden="true">'
        '<use href="/static/core/icons.svg#home"></use></svg>Dashboard</a></li>'
        '<li><a href="/audit-log/" aria-current="page">Audit &lt;Log&gt;</a></li></ul>'
    )
    assert "Administration" not in html


def test_administrators_see_the_administration_part(admin_client):
    page = admin_client.get(reverse("accounts:users")).text
    sidebar = page.split('<nav class="sidebar"', 1)[1].split("</nav>", 1)[0]
    administration = sidebar.split('<p class="sidebar__heading">Administration</p>', 1)[1]
    assert f'<a href="{reverse("accounts:users")}" aria-current="page">' in administration
