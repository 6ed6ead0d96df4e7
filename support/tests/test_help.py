"""Help & Support: FAQs and Contact Us for signed-in users, edited by staff in the back office."""

import re

import pytest
from django.urls import reverse

from support.models import Contact, Faq

HELP_URL = reverse("support:help")
CONTACT_URL = reverse("support:contact")


@pytest.fixture
def faqs(db):
    Faq.objects.create(
        topic="Porting",
        question="How long does a port take?",
        answer="Most port orders are completed within 15 business days.\n\nCheck the BTN.",
        position=2,
    )
    Faq.objects.create(
        topic="Porting",
        question="Why upload a Letter of Agency?",
        answer="Without the LOA, order batches are not submitted.",
        position=1,
    )
    Faq.objects.create(
        topic="Billing",
        question="Where are my invoices?",
        answer="Users with the Billing role view them.",
    )
    Faq.objects.create(
        topic="Ordering",
        question="A draft nobody should see yet?",
        answer="Not published.",
        published=False,
    )


def test_it_lists_published_faqs_grouped_by_topic(general_client, faqs):
    response = general_client.get(HELP_URL)
    assert response.status_code == 200
    page = response.text
    headings = re.findall(r"<h2>([^<]+)</h2>", page)
    assert headings == ["Billing", "Getting Started", "Ordering", "Porting"]
    questions = re.findall(r"<summary>([^<]+)</summary>", page)
    assert questions[:2] == [
        "Where are my invoices?",
        "Who do I contact about a question on my invoice?",
    ]
    # Staff's FAQs of a topic come in their order, before those the apps write about it.
    loa = questions.index("Why upload a Letter of Agency?")
    assert questions[loa + 1] == "How long does a port take?"
    assert questions[loa + 2] == "How do I port my numbers from another carrier?"
    assert page.index("<h2>Porting</h2>") < page.index("Why upload a Letter of Agency?")
    assert "<p>Most port orders are completed within 15 business days.</p>" in page
    assert "A draft nobody should see yet?" not in page
    assert 'aria-current="page">FAQs</a>' in page


def test_each_app_brings_the_faqs_of_what_it_builds(general_client):
    page = general_client.get(HELP_URL).text
    questions = re.findall(r"<summary>([^<]+)</summary>", page)
    assert "How do I sign in to the portal?" in questions  # accounts
    assert "How do I order a trunk?" in questions  # trunks
    assert "Where can I see the status of my orders?" in questions  # orders
    assert "Who do I contact about a question on my invoice?" in questions  # support


def test_a_faq_staff_wrote_with_an_apps_question_replaces_it(general_client):
    Faq.objects.create(
        topic="Ordering", question="How do I order a trunk?", answer="Call your account manager."
    )
    Faq.objects.create(
        topic="Getting Started",
        question="How do I sign in to the portal?",
        answer="Hidden.",
        published=False,
    )
    page = general_client.get(HELP_URL).text
    assert page.count("How do I order a trunk?") == 1
    assert "<p>Call your account manager.</p>" in page
    assert "Create New Package" not in page
    assert "How do I sign in to the portal?" not in page


@pytest.fixture
def contacts(db):
    Contact.objects.create(
        team=Contact.Team.SUPPORT,
        label="Network Operations Center",
        phone="+1 877-555-0100",
        email="support@carrier.example",
        hours="24 hours a day, 7 days a week",
    )
    Contact.objects.create(
        team=Contact.Team.SALES, label="Account management", email="sales@carrier.example"
    )
    Contact.objects.create(team=Contact.Team.BILLING, label="Billing", phone="+1 877-555-0130")


def test_it_shows_the_contacts_of_support_sales_and_billing(general_client, contacts):
    response = general_client.get(CONTACT_URL)
    assert response.status_code == 200
    page = response.text
    # In the order the guide names them.
    assert re.findall(r"<h2[^>]*>([^<]+)</h2>", page) == ["Support", "Sales", "Billing"]
    assert "<h3>Network Operations Center</h3>" in page
    assert '<a href="tel:+1 877-555-0100">+1 877-555-0100</a>' in page
    assert '<a href="mailto:support@carrier.example">support@carrier.example</a>' in page
    assert "24 hours a day, 7 days a week" in page
    assert '<a href="mailto:sales@carrier.example">' in page
    assert 'aria-current="page">Contact Us</a>' in page
    # One list item per contact, so that they read (and show) apart.
    assert page.count('<ul class="contact-list">') == 3
    assert page.count("<li>\n            <h3>") == 3


def test_help_is_in_the_left_side_menu(general_client):
    page = general_client.get(reverse("dashboard")).text
    assert f'<a href="{HELP_URL}"' in page


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("model", ["faq", "contact"])
def test_staff_open_the_back_office_pages(staff_client, faqs, contacts, model):
    for page in ("changelist", "add"):
        response = staff_client.get(reverse(f"admin:support_{model}_{page}"))
        assert response.status_code == 200


def test_staff_add_a_faq_that_users_then_see(staff_client, general_user, client):
    response = staff_client.post(
        reverse("admin:support_faq_add"),
        {
            "topic": "Getting Started",
            "question": "How do I sign in?",
            "answer": "Use the email address your administrator invited.",
            "position": "1",
            "published": "on",
        },
    )
    assert response.status_code == 302
    assert Faq.objects.get().topic == "Getting Started"

    client.force_login(general_user)
    page = client.get(HELP_URL).text
    assert "<h2>Getting Started</h2>" in page
    assert "How do I sign in?" in page


def test_staff_must_give_a_contact_a_phone_or_an_email(staff_client):
    response = staff_client.post(
        reverse("admin:support_contact_add"),
        {"team": "sales", "label": "Nobody", "phone": "", "email": "", "position": "0"},
    )
    assert response.status_code == 200
    assert "Give a phone number, an email address or both." in response.text
    assert not Contact.objects.exists()


def test_staff_are_told_how_the_apps_faqs_and_theirs_combine(client, staff_user):
    client.force_login(staff_user)
    page = client.get(reverse("admin:support_faq_changelist")).text
    assert "A FAQ here with the same question replaces one of them" in page
