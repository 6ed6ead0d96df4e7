"""The dashboard: My Applications, the left-side menu, My Account and Enterprise Settings."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from accounts.models import Application
from audit.models import AuditEvent
from core import navigation
from tests.totp import totp_code, totp_secret

# Personas are looked up by name, so the database use must be declared for pytest-django
# to order these tests before the browser tests, which flush the database.
pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("dashboard")
MY_ACCOUNT_URL = reverse("accounts:my_account")
SETTINGS_URL = reverse("accounts:enterprise_settings")
# The settings form as the factory's enterprise has it: every switch off.
SAVED = {"time_zone": "America/New_York"}


class _LinkCollector(HTMLParser):
    """The (href, text) of each link inside elements of a CSS class; aria-hidden text is skipped."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr"}

    def __init__(self, css_class):
        super().__init__()
        self.css_class = css_class
        self.open = []  # (inside the wanted element, hidden from screen readers) per open element
        self.links = []
        self._href = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        attrs = dict(attrs)
        inside, hidden = self.open[-1] if self.open else (False, False)
        inside = inside or self.css_class in (attrs.get("class") or "").split()
        hidden = hidden or attrs.get("aria-hidden") == "true"
        self.open.append((inside, hidden))
        if inside and tag == "a":
            self._href, self._text = attrs.get("href"), []

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None
        if self.open:
            self.open.pop()

    def handle_data(self, data):
        if self._href is not None and not self.open[-1][1]:
            self._text.append(data)


def links_in(page, css_class):
    collector = _LinkCollector(css_class)
    collector.feed(page)
    return collector.links


def menu_links(page):
    """The left-side menu's links."""
    return links_in(page, "sidebar")


# My Applications


@pytest.fixture
def applications(enterprise, other_enterprise):
    engage = Application.objects.create(
        name="Engage", icon="EN", launch_url="https://apps.example.com/engage"
    )
    insights = Application.objects.create(
        name="Insights", icon="IN", launch_url="https://apps.example.com/insights"
    )
    smartflows = Application.objects.create(
        name="SmartFlows", icon="SF", launch_url="https://apps.example.com/smartflows"
    )
    enterprise.applications.set([engage, insights])
    other_enterprise.applications.set([smartflows])


def test_it_shows_the_contracted_applications_as_tiles(general_client, applications):
    page = general_client.get(DASHBOARD_URL).text
    assert "My Applications" in page
    assert links_in(page, "tiles") == [
        ("https://apps.example.com/engage", "Engage"),
        ("https://apps.example.com/insights", "Insights"),
    ]
    assert '<span class="tile__icon" aria-hidden="true">EN</span>' in page
    assert "SmartFlows" not in page
    assert "apps.example.com/smartflows" not in page


def test_it_says_when_no_applications_are_contracted(general_client):
    page = general_client.get(DASHBOARD_URL).text
    assert "No applications are contracted for your account yet." in page
    assert "#my-applications" not in dict(menu_links(page))


def test_the_applications_menu_entry_leads_to_the_tiles(general_client, applications):
    page = general_client.get(DASHBOARD_URL).text
    assert (f"{DASHBOARD_URL}#my-applications", "Applications") in menu_links(page)
    assert 'id="my-applications"' in page


# The left-side menu


def expected_menu(user):
    """What core.navigation promises this user, in its order."""
    return [
        (entry.url(), entry.label)
        for section in ("main", "admin")
        for entry in navigation.entries()
        if entry.section == section
        if (entry.permission is None or user.has_perm(entry.permission))
        and (entry.shown_when is None or entry.shown_when(user))
    ]


ADMIN_ENTRIES = [
    (entry.url_name, entry.label) for entry in navigation.entries() if entry.section == "admin"
]


@pytest.mark.parametrize("persona", ["admin_user", "general_user", "read_only_user"])
def test_the_menu_shows_what_the_role_allows(client, applications, persona, request):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    links = menu_links(client.get(DASHBOARD_URL).text)
    assert links == expected_menu(user)
    assert (reverse("support:help"), "Help & Support") in links


def test_administrators_see_every_administration_entry(admin_client):
    page = admin_client.get(DASHBOARD_URL).text
    assert ADMIN_ENTRIES, "the menu has an Administration section"
    assert "Administration" in page
    links = menu_links(page)
    for url_name, label in ADMIN_ENTRIES:
        assert (reverse(url_name), label) in links


def test_general_users_see_no_administration_entry(general_client):
    page = general_client.get(DASHBOARD_URL).text
    assert "Administration" not in page
    links = menu_links(page)
    for url_name, label in ADMIN_ENTRIES:
        assert (reverse(url_name), label) not in links


def test_read_only_users_see_the_administration_pages_they_may_look_at(client, read_only_user):
    client.force_login(read_only_user)
    page = client.get(DASHBOARD_URL).text
    assert "Administration" in page
    links = menu_links(page)
    assert (reverse("accounts:users"), "User Management") in links
    assert (SETTINGS_URL, "Enterprise Settings") in links
    assert (reverse("audit:audit_log"), "Audit Log") not in links


def test_the_current_page_is_marked_in_the_menu(general_client):
    page = general_client.get(reverse("support:contact")).text
    assert f'<a href="{reverse("support:help")}" aria-current="page">' in page


def test_my_account_is_in_the_top_right(general_client):
    page = general_client.get(DASHBOARD_URL).text
    assert (MY_ACCOUNT_URL, "My Account") in links_in(page, "topbar")


def test_it_greets_the_user_with_their_enterprise(general_client):
    page = general_client.get(DASHBOARD_URL).text
    assert "Welcome, Bob" in page
    assert "Acme Telecom · Account ACC000001" in page


def test_staff_who_sign_in_land_in_the_back_office(client, staff_user, password):
    client.post(reverse("account_login"), {"login": staff_user.email, "password": password})
    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(totp_secret(staff_user))}
    )
    assert response.status_code == 302
    assert response.url == reverse("admin:index")
    assert client.get(DASHBOARD_URL).url == reverse("admin:index")


# My Account


def test_my_account_saves_name_phone_and_time_zone(general_client, general_user):
    response = general_client.post(
        MY_ACCOUNT_URL,
        {"name": "Bob Builder", "phone": "(303) 555-1234", "time_zone": "America/Denver"},
        follow=True,
    )
    assert "Your details were saved." in response.text
    general_user.refresh_from_db()
    assert general_user.name == "Bob Builder"
    assert general_user.phone == "+13035551234"
    assert general_user.time_zone == "America/Denver"
    assert str(general_user.zone) == "America/Denver"


@pytest.mark.parametrize(
    "phone, message",
    [
        ("12345", "12345 is not a valid phone number."),
        ("call me", "Enter a phone number, for example +13035551234."),
    ],
)
def test_my_account_refuses_a_bad_phone_number(general_client, general_user, phone, message):
    response = general_client.post(
        MY_ACCOUNT_URL, {"name": "Robert", "phone": phone, "time_zone": "Europe/Paris"}
    )
    assert response.status_code == 200
    page = response.text
    error_at = page.index('id="id_phone_error"')
    assert message in page[error_at : error_at + 300]
    assert page.rindex('<div class="field field--invalid">', 0, error_at) > page.index(
        'name="name"'
    )
    general_user.refresh_from_db()
    assert (general_user.name, general_user.phone, general_user.time_zone) == (
        "Bob General",
        "",
        "",
    )


def test_my_account_requires_a_name(general_client, general_user):
    response = general_client.post(
        MY_ACCOUNT_URL, {"name": "  ", "phone": "", "time_zone": "America/Denver"}
    )
    assert response.status_code == 200
    page = response.text
    error_at = page.index('id="id_name_error"')
    assert "Enter your name." in page[error_at : error_at + 200]
    general_user.refresh_from_db()
    assert (general_user.name, general_user.time_zone) == ("Bob General", "")


def test_my_account_refuses_an_extension_rather_than_dropping_it(general_client, general_user):
    response = general_client.post(
        MY_ACCOUNT_URL, {"name": "Bob General", "phone": "303-555-0142 x12", "time_zone": ""}
    )
    assert response.status_code == 200
    page = response.text
    error_at = page.index('id="id_phone_error"')
    assert (
        "Extensions are not supported: enter the number without x12."
        in page[error_at : error_at + 300]
    )
    general_user.refresh_from_db()
    assert general_user.phone == ""


# Enterprise Settings


def test_enterprise_settings_is_under_my_account_for_administrators(admin_client):
    page = admin_client.get(MY_ACCOUNT_URL).text
    assert (SETTINGS_URL, "Enterprise Settings") in links_in(page, "account-menu__panel")


def test_enterprise_settings_shows_the_toggle(admin_client):
    response = admin_client.get(SETTINGS_URL)
    assert response.status_code == 200
    assert "Application Data Record File Delivery" in response.text
    assert 'name="adr_delivery_enabled"' in response.text
    assert "Disabled" in response.text


def test_the_adr_toggle_stores_who_and_when_and_is_audited(admin_client, admin_user, enterprise):
    before = timezone.now()
    response = admin_client.post(SETTINGS_URL, SAVED | {"adr_delivery_enabled": "on"}, follow=True)
    assert "Enterprise Settings were saved." in response.text
    assert "Enabled by alice@acme.test" in response.text

    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is True
    assert enterprise.adr_delivery_changed_by == admin_user
    assert before <= enterprise.adr_delivery_changed_at <= timezone.now()
    event = AuditEvent.objects.get(action=actions.SETTINGS_CHANGED)
    assert (event.actor, event.enterprise, event.changes_in_words) == (
        admin_user,
        enterprise,
        "Application Data Record File Delivery: off → on",
    )

    admin_client.post(SETTINGS_URL, SAVED)
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is False
    events = AuditEvent.objects.filter(action=actions.SETTINGS_CHANGED)
    assert [e.changes_in_words for e in events] == [
        "Application Data Record File Delivery: on → off",
        "Application Data Record File Delivery: off → on",
    ]


def test_saving_unchanged_settings_changes_nothing(admin_client, admin_user, enterprise):
    long_ago = timezone.now() - timedelta(days=3)
    enterprise.adr_delivery_enabled = True
    enterprise.adr_delivery_changed_at = long_ago
    enterprise.save()
    response = admin_client.post(SETTINGS_URL, SAVED | {"adr_delivery_enabled": "on"}, follow=True)
    assert "Nothing changed." in response.text
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_changed_at == long_ago
    assert not AuditEvent.objects.filter(action=actions.SETTINGS_CHANGED).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_general_user_may_not_change_enterprise_settings(general_client, enterprise, method):
    response = getattr(general_client, method)(SETTINGS_URL, {"adr_delivery_enabled": "on"})
    assert response.status_code == 403
    enterprise.refresh_from_db()
    assert enterprise.adr_delivery_enabled is False
    assert enterprise.adr_delivery_changed_by is None
    assert not AuditEvent.objects.filter(action=actions.SETTINGS_CHANGED).exists()


def test_general_users_are_not_offered_enterprise_settings(general_client):
    page = general_client.get(MY_ACCOUNT_URL).text
    assert SETTINGS_URL not in page
