"""Every numbers page says where it lies: its menu entry marked, breadcrumbs back to where the
customer came from; and the lists explain themselves on a phone (each cell labelled)."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from phone_numbers.tests.inventory_factories import add_numbers, package_of

pytestmark = pytest.mark.django_db


def current_menu_entry(response):
    html = response.content.decode()
    nav = html[html.index('aria-label="Main menu"') :]
    return re.findall(r'<a href="[^"]*" aria-current="page">.*?</svg>([^<]+)</a>', nav)


def breadcrumbs(response):
    html = response.content.decode()
    match = re.search(r'<nav class="breadcrumbs" aria-label="Breadcrumb">(.*?)</nav>', html, re.S)
    assert match, "no breadcrumbs"
    return [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li[^>]*>(.*?)</li>", match[1])
    ]


@pytest.fixture
def selection(admin_user):
    denver = package_of(admin_user, "Denver Usage")
    package_of(admin_user, "Chicago Usage")
    (number,) = add_numbers(denver, ["+13035550100"])
    return {"kind": "us_domestic", "number": number.public_id, "action": "move"}


def test_a_manage_step_opened_as_a_page_lies_in_the_inventory(client, admin_user, selection):
    client.force_login(admin_user)
    response = client.get(f"{reverse('phone_numbers:manage')}?{urlencode(selection)}")
    assert current_menu_entry(response) == ["Inventory"]
    assert breadcrumbs(response) == ["Inventory: US Domestic", "Move to Another Package"]
    assert f'<a href="{reverse("phone_numbers:us_domestic")}">Inventory: US Domestic</a>' in (
        response.content.decode()
    )

    affected = client.get(f"{reverse('phone_numbers:affected')}?{urlencode(selection)}")
    assert current_menu_entry(affected) == ["Inventory"]
    assert breadcrumbs(affected) == ["Inventory: US Domestic", "Affected numbers"]
    assert "(303) 555-0100" in affected.content.decode()


def test_add_port_numbers_from_the_dashboard_lies_under_the_dashboard(client, admin_user):
    client.force_login(admin_user)
    response = client.get(f"{reverse('phone_numbers:add')}?kind=toll_free")
    assert current_menu_entry(response) == ["Dashboard"]
    assert breadcrumbs(response) == ["Dashboard", "Add/Port Numbers"]


def test_add_port_numbers_of_a_package_lies_under_its_package(client, admin_user):
    denver = package_of(admin_user, "Denver Usage")
    client.force_login(admin_user)
    query = urlencode({"kind": "us_domestic", "package": denver.public_id})
    response = client.get(f"{reverse('phone_numbers:add')}?{query}")
    assert current_menu_entry(response) == ["Usage"]
    assert breadcrumbs(response) == ["Usage", "Denver Usage", "Add/Port Numbers"]


def test_the_bulk_file_columns_are_labelled_cells(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("phone_numbers:bulk_upload")).content.decode()
    table = html[html.index('id="bulk-columns"') :]
    table = table[: table.index("</table>")]
    cells = re.findall(r"<td( data-label=\"[^\"]+\")?>", table)
    assert len(cells) == 14
    assert all(cells), "every cell says which column it is in"
    assert '<td data-label="Column"><code>forward_to</code></td>' in table


def test_the_inventory_lead_ends_a_name_ending_in_a_full_stop_once(client, admin_user):
    admin_user.enterprise.name = "Demo Communications Inc."
    admin_user.enterprise.save()
    client.force_login(admin_user)
    html = client.get(reverse("phone_numbers:us_domestic")).content.decode()
    assert "numbers of Demo Communications Inc. Select the check boxes" in html
    assert "Inc.." not in html
