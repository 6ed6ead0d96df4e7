"""Help & Support in a browser: the FAQs and Contact Us, reached from the left-side menu."""

import pytest
from playwright.sync_api import expect

from support.models import Contact, Faq

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_opens_help_and_support(page, general_user, signed_in, screenshot):
    Faq.objects.create(
        topic="Numbers", question="How do I port a number?", answer="Open Porting and..."
    )
    Faq.objects.create(topic="Numbers", question="A draft", answer="...", published=False)
    Contact.objects.create(
        team=Contact.Team.SUPPORT,
        label="24/7 NOC",
        phone="+1 800 555 0100",
        email="noc@carrier.example",
    )
    Contact.objects.create(team=Contact.Team.SALES, label="Sales", email="sales@carrier.example")
    signed_in(page, general_user)

    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Help & Support"
    ).click()

    expect(page.get_by_role("heading", name="Help & Support", level=1)).to_be_visible()
    page.get_by_text("How do I port a number?").click()
    expect(page.get_by_text("Open Porting and...")).to_be_visible()
    expect(page.get_by_text("A draft")).to_have_count(0)
    screenshot(page, "help")

    page.get_by_role("navigation", name="Help & Support").get_by_role(
        "link", name="Contact Us"
    ).click()

    expect(page.get_by_role("heading", name="Support", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="+1 800 555 0100")).to_be_visible()
    expect(page.get_by_role("link", name="noc@carrier.example")).to_be_visible()
    expect(page.get_by_role("heading", name="Sales", level=2)).to_be_visible()
    expect(page.get_by_role("link", name="sales@carrier.example")).to_be_visible()
    screenshot(page, "contact-us")


def test_contacts_are_set_apart(page, general_user, signed_in, screenshot):
    for label in ("Network Operations Center", "Porting desk"):
        Contact.objects.create(
            team=Contact.Team.SUPPORT, label=label, phone="+1 877-555-0100", email="a@b.example"
        )
    signed_in(page, general_user, "/help/contact/")
    screenshot(page, "contact-us")
    support = page.get_by_role("region", name="Support")
    expect(support.get_by_role("listitem")).to_have_count(2)
    second = support.get_by_role("listitem").nth(1)
    assert second.evaluate("el => getComputedStyle(el).borderTopStyle") == "solid"
