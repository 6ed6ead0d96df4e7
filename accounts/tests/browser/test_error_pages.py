import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def forget_expected_status(browser_problems, status):
    """The browser reports the page's own 403 or 404 on the console: that one is expected."""
    browser_problems[:] = [
        problem for problem in browser_problems if f"status of {status}" not in problem
    ]


def test_a_missing_page_has_the_menu_and_a_way_back(
    page, general_user, signed_in, browser_problems, screenshot
):
    signed_in(page, general_user, "/")
    page.goto("/no-such-page/")

    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Dashboard")).to_be_visible()
    screenshot(page, "error-404")
    forget_expected_status(browser_problems, 404)

    page.get_by_role("link", name="Go to the Dashboard").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", name="My Applications")).to_be_visible()


def test_a_refused_page_says_why_and_leads_back(
    page, general_user, signed_in, live_server, browser_problems, screenshot
):
    signed_in(page, general_user, "/help/")
    # As if a link on Help & Support had led there (typed addresses send no referrer).
    page.goto("/users/", referer=f"{live_server.url}/help/")

    expect(page.get_by_role("heading", name="You can't open this page")).to_be_visible()
    expect(page.get_by_text("Your role does not allow this.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    screenshot(page, "error-403")
    forget_expected_status(browser_problems, 403)

    page.get_by_role("link", name="Back to the previous page").click()
    expect(page).to_have_url(re.compile(r"/help/$"))


def test_a_failure_shows_the_styled_500_page_with_a_way_back(
    page, general_user, signed_in, browser_problems, monkeypatch, settings, screenshot
):
    assert settings.DEBUG is False

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    signed_in(page, general_user, "/help/")
    monkeypatch.setattr("accounts.views.dashboard.render", fail)
    page.goto("/")

    expect(page.get_by_role("heading", name="Something went wrong")).to_be_visible()
    expect(page.get_by_text("the database went away")).to_have_count(0)
    # The portal's stylesheet was applied: the page is not bare text.
    assert page.evaluate("document.styleSheets.length") > 0
    screenshot(page, "error-500")
    forget_expected_status(browser_problems, 500)

    monkeypatch.undo()
    page.get_by_role("link", name="Go to the Dashboard").click()
    expect(page.get_by_role("heading", name="My Applications")).to_be_visible()
