"""The 403, 404 and 500 pages: in the portal's layout, with a way back, with DEBUG off."""

import pytest
from django.urls import get_resolver, reverse

from core import errors

USERS_URL = reverse("accounts:users")
MISSING_URL = "/no-such-page/"
MAIN_MENU = 'aria-label="Main menu"'


@pytest.fixture(autouse=True)
def debug_off(settings):
    settings.DEBUG = False


def test_the_handlers_are_the_portals():
    resolver = get_resolver("portal.urls")
    assert resolver.resolve_error_handler(403) is errors.permission_denied
    assert resolver.resolve_error_handler(404) is errors.page_not_found
    assert resolver.resolve_error_handler(500) is errors.server_error


def test_a_missing_page_shows_the_menu_and_the_way_to_the_dashboard(general_client):
    response = general_client.get(MISSING_URL)
    assert response.status_code == 404
    page = response.text
    assert '<h1 id="error-title">Page not found</h1>' in page
    assert MAIN_MENU in page
    assert "Sign Out" in page
    assert f'<a class="button" href="{reverse("dashboard")}">Go to the Dashboard</a>' in page


def test_a_missing_page_offers_sign_in_to_visitors(client, db):
    response = client.get(MISSING_URL)
    assert response.status_code == 404
    page = response.text
    assert "Page not found" in page
    assert MAIN_MENU not in page
    assert f'<a class="button" href="{reverse("account_login")}">Sign In</a>' in page


def test_an_object_of_no_one_is_a_404_in_the_layout(general_client):
    response = general_client.get("/jobs/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404
    assert MAIN_MENU in response.text
    # What the developer's exception said stays out of the page.
    assert "No Job matches" not in response.text


def test_a_refusal_says_why_and_shows_the_menu(general_client):
    response = general_client.get(USERS_URL)
    assert response.status_code == 403
    page = response.text
    assert "You can't open this page" in page
    assert "Your role does not allow this." in page
    assert "ask an Administrator of Acme Telecom" in page
    assert MAIN_MENU in page
    assert "Go to the Dashboard" in page


def test_staff_are_sent_back_to_the_back_office(client, staff_user):
    client.force_login(staff_user)
    response = client.get(USERS_URL)
    assert response.status_code == 403
    assert "Staff accounts use the back office." in response.text
    assert f'href="{reverse("admin:index")}">Go to the back office</a>' in response.text


def test_it_links_back_to_the_previous_page_of_the_portal(general_client):
    previous = "http://testserver" + reverse("dashboard")
    response = general_client.get(USERS_URL, HTTP_REFERER=previous)
    assert f'href="{previous}">Back to the previous page</a>' in response.text


def test_it_never_links_back_to_another_site(general_client):
    response = general_client.get(USERS_URL, HTTP_REFERER="https://evil.example/phish")
    assert "evil.example" not in response.text
    assert "Back to the previous page" not in response.text


def test_the_500_page_needs_no_database_and_no_request(rf):
    # Without the db fixture, any query would fail the test.
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "portal/portal.css" in page
    assert f'href="{reverse("dashboard")}">Go to the Dashboard</a>' in page


def test_a_failing_view_shows_the_500_page(client, general_user, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("accounts.views.dashboard.render", fail)
    client.force_login(general_user)
    client.raise_request_exception = False
    response = client.get(reverse("dashboard"))
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "the database went away" not in response.text
