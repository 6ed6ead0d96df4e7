"""The customer guide's words are on the pages it sends the customer to, spelled as it spells
them: "Ordering Numbers", "Moving Numbers Between Packages", "Checking Your Inventory", My
Numbers, Caller ID/CNAM and 911, Remote Call Forward."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from phone_numbers.models import Kind
from phone_numbers.tests.inventory_factories import add_numbers, package_of

pytestmark = pytest.mark.django_db


def text_of(response):
    """What the reader sees: the page without its tags and with its spaces collapsed."""
    assert response.status_code == 200
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def button(response, label):
    """Whether the page has a button (or a link styled as one) saying exactly label."""
    html = response.content.decode()
    return re.search(rf'<(button|a)\b[^>]*class="button[^"]*"[^>]*>\s*{re.escape(label)}\s*<', html)


@pytest.fixture
def denver(admin_user):
    package = package_of(admin_user, "Denver Usage")
    add_numbers(package, ["+13035550100", "+13035550101"])
    return package


def test_ordering_numbers_words_on_the_dashboard_and_add_port_numbers(client, admin_user, denver):
    client.force_login(admin_user)
    dashboard = client.get(reverse("dashboard"))
    text = text_of(dashboard)
    # "under My Numbers ... the Local Numbers, International Numbers, or Toll-Free Numbers
    # section, click +Add"; "In the section, click Manage."
    for words in ("My Numbers", "Local Numbers", "International Numbers", "Toll-Free Numbers"):
        assert words in text
    assert button(dashboard, "+Add")
    assert button(dashboard, "Manage")
    # "the View Orders tile in the left-side menu", "In the left-side menu, click Inventory."
    assert "View Orders" in text
    assert "Inventory" in text

    add = client.get(reverse("phone_numbers:add") + "?" + urlencode({"kind": "us_domestic"}))
    text = text_of(add)
    for words in (
        "Add/Port Numbers",
        "Order Type",
        "Get New Number",
        "Country",
        "Service/Billing Address",
        "Quantity",
        "Caller ID",
        "CNAM",
        "E911",
    ):
        assert words in text, words
    assert re.search(r"<button[^>]*>Submit Order</button>", add.content.decode())


def test_moving_numbers_words_on_the_tab_and_in_the_pop_up(client, admin_user, denver):
    chicago = package_of(admin_user, "Chicago Usage")
    client.force_login(admin_user)
    tab = client.get(reverse("phone_numbers:us_domestic"))
    text = text_of(tab)
    assert "Select an Action" in text
    assert "Move to Another Package" in text
    # The guide spells the button GO, and OK to confirm.
    assert re.search(r"<button[^>]*>GO</button>", tab.content.decode())

    public_id = denver.phone_numbers.order_by("e164").first().public_id
    query = urlencode({"kind": "us_domestic", "number": public_id, "action": "move"})
    pop_up = client.get(f"{reverse('phone_numbers:manage')}?{query}")
    assert "Move to Another Package" in text_of(pop_up)
    assert "Show Affected Numbers" in text_of(pop_up)
    assert re.search(r"<button[^>]*>GO</button>", pop_up.content.decode())

    confirm = client.post(
        reverse("phone_numbers:manage"),
        {
            "kind": "us_domestic",
            "number": public_id,
            "action": "move",
            "change-package": chicago.public_id,
        },
    )
    assert "Show Affected Numbers" in text_of(confirm)
    assert re.search(r"<button[^>]*>OK</button>", confirm.content.decode())


def test_inventory_words_and_the_bulk_upload_of_the_us_domestic_tab(client, admin_user, denver):
    client.force_login(admin_user)
    tab = client.get(reverse("phone_numbers:us_domestic"))
    text = text_of(tab)
    # "The Inventory page appears with the Trunks tab"; the other tabs across the top.
    for words in ("Trunks", "US Domestic", "Temporary", "International", "Toll-Free", "Columns"):
        assert words in text, words
    assert button(tab, "Manage")
    # "On the US Domestic Numbers tab, you can bulk upload numbers by dragging and dropping a
    # .csv or .txt file into the field. For more information, check out Managing Bulk Actions."
    html = tab.content.decode()
    bulk_url = reverse("phone_numbers:bulk_upload")
    assert f'<form method="post" action="{bulk_url}" enctype="multipart/form-data"' in html
    assert 'type="file" name="file"' in html
    assert ".csv or .txt" in text
    assert f'<a href="{bulk_url}">Managing Bulk Actions</a>' in html

    # The other tabs take no file.
    toll_free = client.get(reverse("phone_numbers:toll_free"))
    assert bulk_url not in toll_free.content.decode()


def test_the_bulk_upload_is_only_for_those_who_manage_numbers(client, read_only_user, denver):
    client.force_login(read_only_user)
    tab = client.get(reverse("phone_numbers:us_domestic"))
    assert reverse("phone_numbers:bulk_upload") not in tab.content.decode()
    assert "Managing Bulk Actions" not in text_of(tab)


def test_ancillary_services_and_remote_call_forward_words(client, admin_user, denver):
    client.force_login(admin_user)
    text = text_of(client.get(reverse("phone_numbers:us_domestic")))
    # "Manage phone numbers for ancillary services (CID/CNAM and 911)", "Remote Call Forward".
    for words in (
        "Caller ID / CNAM",
        "E911",
        "Remote Call Forward",
        "Change Routing",
        "Disconnect",
    ):
        assert words in text, words

    number = denver.phone_numbers.get(e164="+13035550100")
    detail = text_of(client.get(reverse("phone_numbers:number_detail", args=[number.public_id])))
    for words in ("Caller ID / CNAM", "E911 address", "Remote Call Forward", "Select an Action"):
        assert words in detail, words

    bulk = text_of(client.get(reverse("phone_numbers:bulk_upload")))
    assert "Managing Bulk Actions" in bulk
    assert "Remote Call Forward" in bulk
    assert Kind.US_DOMESTIC.label in bulk
