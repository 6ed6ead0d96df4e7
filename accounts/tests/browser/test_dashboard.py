import pytest
from playwright.sync_api import expect

from accounts.models import Application

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def applications(enterprise):
    engage = Application.objects.create(
        name="Engage",
        icon="E",
        description="Messaging campaigns.",
        launch_url="https://engage.example.com/",
    )
    insights = Application.objects.create(
        name="Insights", icon="In", launch_url="https://insights.example.com/"
    )
    Application.objects.create(name="Voice Bots", icon="VB", launch_url="https://bots.example.com/")
    enterprise.applications.add(engage, insights)


def test_it_shows_the_contracted_applications(
    page, applications, general_user, signed_in, screenshot
):
    signed_in(page, general_user)

    my_applications = page.get_by_role("region", name="My Applications")
    expect(my_applications.get_by_role("link")).to_have_count(2)
    engage = my_applications.get_by_role("link", name="Engage")
    expect(engage).to_have_attribute("href", "https://engage.example.com/")
    expect(engage).to_contain_text("Messaging campaigns.")
    expect(my_applications.get_by_role("link", name="Insights")).to_be_visible()
    expect(my_applications.get_by_text("Voice Bots")).to_have_count(0)
    menu = page.get_by_role("navigation", name="Main menu")
    expect(menu.get_by_role("link", name="Applications")).to_be_visible()
    screenshot(page, "dashboard-applications")


def test_it_folds_the_menu_on_a_narrow_screen(page, general_user, signed_in):
    signed_in(page, general_user)
    menu = page.get_by_role("navigation", name="Main menu")
    menu_button = page.get_by_role("button", name="Menu")
    expect(menu).to_be_visible()
    expect(menu_button).to_be_hidden()

    page.set_viewport_size({"width": 390, "height": 800})

    expect(menu).to_be_hidden()
    menu_button.click()
    expect(menu.get_by_role("link", name="Help & Support")).to_be_visible()
