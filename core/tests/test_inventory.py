"""The Inventory page: a tab per registered kind of thing, shown to who may see it."""

import pytest
from django.urls import reverse

from core import inventory
from core.inventory import InventoryTab
from core.permissions import BILLING
from tests.factories import UserFactory, role

INVENTORY = reverse("inventory")
TRUNKS_TAB = reverse("trunks:inventory")
# A tab the way the numbers app will add one; its page is any page that exists.
NUMBERS_TAB = InventoryTab("us-domestic", "US Domestic", "support:help", order=20)


@pytest.fixture
def billing_client(client, enterprise):
    """A member of Billing, from which staff took every permission: no tab is theirs."""
    billing = role(BILLING)
    billing.permissions = []
    billing.save()
    client.force_login(UserFactory(email="bill@acme.test", enterprise=enterprise, role=billing))
    return client


@pytest.fixture
def with_numbers_tab(monkeypatch):
    monkeypatch.setattr(inventory, "_tabs", inventory.all_tabs())
    inventory.register(NUMBERS_TAB)


def tab_strip(page):
    return page[page.index('<nav class="tabs"') : page.index("</nav>", page.index('class="tabs"'))]


def test_inventory_opens_on_the_trunks_tab(admin_client):
    response = admin_client.get(INVENTORY)
    assert response.status_code == 302
    assert response.url == TRUNKS_TAB
    page = admin_client.get(TRUNKS_TAB).text
    assert f'<a href="{TRUNKS_TAB}" aria-current="page">Trunks</a>' in tab_strip(page)


def test_an_old_link_keeps_its_filters(admin_client):
    response = admin_client.get(f"{INVENTORY}?status=active&format=csv")
    assert response.url == f"{TRUNKS_TAB}?status=active&format=csv"


def test_a_registered_tab_shows_beside_trunks(admin_client, with_numbers_tab):
    strip = tab_strip(admin_client.get(TRUNKS_TAB).text)
    assert strip.index(">Trunks<") < strip.index(">US Domestic<")
    assert f'<a href="{reverse("support:help")}">US Domestic</a>' in strip


def test_the_first_tab_the_user_may_see_opens(client, read_only_user, monkeypatch):
    monkeypatch.setattr(inventory, "_tabs", inventory.all_tabs())
    inventory.register(
        InventoryTab(
            "ports", "Ports", "orders:view_orders", permission="trunks.order_trunks", order=1
        )
    )
    client.force_login(read_only_user)
    response = client.get(INVENTORY)
    assert response.url == TRUNKS_TAB
    assert ">Ports<" not in tab_strip(client.get(TRUNKS_TAB).text)


def test_who_may_see_no_tab_has_no_inventory(billing_client):
    assert billing_client.get(INVENTORY).status_code == 403
    assert INVENTORY not in billing_client.get(reverse("dashboard")).text


def test_a_tab_without_a_permission_is_for_every_member(billing_client, with_numbers_tab):
    assert INVENTORY in billing_client.get(reverse("dashboard")).text
    assert billing_client.get(INVENTORY).url == reverse("support:help")


def test_the_menu_entry_is_current_on_every_tab(admin_client):
    page = admin_client.get(TRUNKS_TAB).text
    assert f'<a href="{INVENTORY}" aria-current="page">' in page


def test_a_tab_key_is_registered_once(monkeypatch):
    monkeypatch.setattr(inventory, "_tabs", inventory.all_tabs())
    with pytest.raises(ValueError, match="registered twice"):
        inventory.register(InventoryTab("trunks", "Trunks again", "trunks:inventory"))
