"""My Numbers on the dashboard and on each package page: Local, International and Toll-Free
Numbers with their counts (read from NumberCount, never counted per request), +Add and Manage."""

import re

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from django_scopes import scope

from phone_numbers import counts
from phone_numbers.dashboard import my_numbers, package_numbers
from phone_numbers.models import Kind, PhoneNumber
from trunks.models import Package
from trunks.tests.factories import SIGNALING, new_package

DASHBOARD = reverse("dashboard")


def a_package(user, name, type=Package.Type.BUNDLE, host=5):
    signaling = [{**SIGNALING[0], "host": f"34.120.10.{host}"}]
    return new_package(user, name=name, type=type, signaling=signaling).trunk_order.trunk.package


def add_numbers(package, kind, how_many, status=PhoneNumber.Status.ACTIVE, first=0):
    """how_many numbers of kind in package, and the package's counts made true again."""
    country = "GB" if kind == Kind.INTERNATIONAL else "US"
    start = "+44207946" if kind == Kind.INTERNATIONAL else "+1303555"
    PhoneNumber.objects.bulk_create(
        PhoneNumber(
            enterprise=package.enterprise,
            package=package,
            kind=kind,
            country=country,
            status=status,
            e164=f"{start}{first + line:04d}",
        )
        for line in range(how_many)
    )
    counts.recompute(package.enterprise_id)


def card(page, id="my-numbers"):
    """The section id: My Numbers ends after its three kinds' sections."""
    start = page.index(f'id="{id}"')
    end = page.index("</section>", start)
    if id == "my-numbers":
        for _kind in range(3):
            end = page.index("</section>", end + 1)
    return re.sub(r"\s+", " ", page[start:end])


def add_url(kind, package=None):
    query = {"kind": kind, **({"package": package.public_id} if package else {})}
    return f"{reverse('phone_numbers:add')}?{urlencode(query)}".replace("&", "&amp;")


def manage_url(kind, package=None):
    query = f"?package={package.public_id}" if package else ""
    return f"{reverse(f'phone_numbers:{kind}')}{query}"


@pytest.fixture
def denver(admin_user):
    return a_package(admin_user, "Denver Bundle")


@pytest.fixture
def chicago(admin_user):
    return a_package(admin_user, "Chicago Usage", Package.Type.USAGE, host=6)


def test_the_dashboard_counts_each_kind_per_package(admin_client, outsider, denver, chicago):
    add_numbers(denver, Kind.US_DOMESTIC, 3)
    add_numbers(denver, Kind.US_DOMESTIC, 2, PhoneNumber.Status.PENDING, first=10)
    add_numbers(chicago, Kind.US_DOMESTIC, 1, first=20)
    add_numbers(chicago, Kind.TOLL_FREE, 4, first=30)
    add_numbers(denver, Kind.US_DOMESTIC, 7, PhoneNumber.Status.DISCONNECTED, first=40)
    theirs = a_package(outsider, "Theirs")
    add_numbers(theirs, Kind.US_DOMESTIC, 9, first=50)

    page = admin_client.get(DASHBOARD).text
    local = card(page, "my-numbers-us_domestic")
    assert '<h3 id="my-numbers-us_domestic-title">Local Numbers</h3>' in local
    assert "<p>4 numbers, 2 pending</p>" in local
    assert (
        f'<dt>Chicago Usage</dt> <dd> <a href="{manage_url("us_domestic", chicago)}">1 number</a>'
        in local
    )
    assert (
        f'<dt>Denver Bundle</dt> <dd> <a href="{manage_url("us_domestic", denver)}">'
        "3 numbers, 2 pending</a>" in local
    )
    assert f'<a class="button button--small" href="{add_url("us_domestic")}">+Add' in local
    assert f'href="{add_url("us_domestic", denver)}">+Add' in local
    assert f'href="{manage_url("us_domestic")}">Manage' in local
    assert "Theirs" not in page

    toll_free = card(page, "my-numbers-toll_free")
    assert "Toll-Free Numbers" in toll_free and "<p>4 numbers</p>" in toll_free
    international = card(page, "my-numbers-international")
    assert "International Numbers" in international and "<p>0 numbers</p>" in international
    # The guide's order: Local, International, Toll-Free.
    assert page.index("Local Numbers") < page.index("International Numbers")
    assert page.index("International Numbers") < page.index("Toll-Free Numbers")


def test_outbound_only_packages_hold_no_numbers(admin_client, admin_user, denver):
    a_package(admin_user, "Dialer", Package.Type.OUTBOUND_ONLY, host=7)
    assert "Dialer" not in card(admin_client.get(DASHBOARD).text)


def test_read_only_sees_the_counts_but_cannot_add(client, read_only_user, denver):
    add_numbers(denver, Kind.US_DOMESTIC, 2)
    client.force_login(read_only_user)
    section = card(client.get(DASHBOARD).text)
    assert "2 numbers" in section
    assert "+Add" not in section
    assert section.count("Manage<span") == 3


def test_the_section_costs_one_query_however_many_numbers(
    rf, admin_user, denver, chicago, django_assert_num_queries
):
    add_numbers(denver, Kind.US_DOMESTIC, 300)
    add_numbers(chicago, Kind.TOLL_FREE, 200, first=300)
    request = rf.get(DASHBOARD)
    request.user = admin_user
    with scope(enterprise=admin_user.enterprise), django_assert_num_queries(1):
        section = my_numbers(request)
    assert [kind["active"] for kind in section["sections"]] == [300, 0, 200]


def test_the_dashboard_takes_as_many_queries_for_many_packages_as_for_one(
    admin_client, admin_user, denver, django_assert_max_num_queries
):
    add_numbers(denver, Kind.US_DOMESTIC, 1)
    with django_assert_max_num_queries(30) as one:
        admin_client.get(DASHBOARD)
    for number in range(5):
        package = a_package(admin_user, f"Package {number}", host=20 + number)
        add_numbers(package, Kind.TOLL_FREE, 50, first=100 * (number + 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        admin_client.get(DASHBOARD)


def test_the_package_page_shows_its_own_numbers(admin_client, denver, chicago):
    add_numbers(denver, Kind.US_DOMESTIC, 3)
    add_numbers(denver, Kind.INTERNATIONAL, 1, PhoneNumber.Status.PENDING, first=10)
    add_numbers(chicago, Kind.US_DOMESTIC, 5, first=20)

    page = admin_client.get(reverse("trunks:package_detail", args=[denver.public_id])).text
    section = card(page)
    assert "My Numbers" in section
    local = card(page, "my-numbers-us_domestic")
    assert "<p>3 numbers</p>" in local
    assert f'href="{add_url("us_domestic", denver)}">+Add' in local
    assert f'href="{manage_url("us_domestic", denver)}">Manage' in local
    assert "<p>0 numbers, 1 pending</p>" in card(page, "my-numbers-international")
    assert "<p>0 numbers</p>" in card(page, "my-numbers-toll_free")


def test_an_outbound_only_package_page_has_no_numbers(admin_client, admin_user):
    dialer = a_package(admin_user, "Dialer", Package.Type.OUTBOUND_ONLY, host=7)
    page = admin_client.get(reverse("trunks:package_detail", args=[dialer.public_id])).text
    assert "My Numbers" not in page


def number_url(number):
    return reverse("phone_numbers:number_detail", args=[number.public_id])


def test_the_package_page_lists_its_first_numbers(admin_client, outsider, denver, chicago):
    add_numbers(denver, Kind.US_DOMESTIC, 12)
    add_numbers(denver, Kind.US_DOMESTIC, 1, PhoneNumber.Status.DISCONNECTED, first=12)
    add_numbers(denver, Kind.INTERNATIONAL, 1, PhoneNumber.Status.PENDING, first=20)
    add_numbers(chicago, Kind.US_DOMESTIC, 2, first=30)
    add_numbers(a_package(outsider, "Theirs"), Kind.US_DOMESTIC, 2, first=40)
    with scope(enterprise=denver.enterprise):
        local = list(PhoneNumber.objects.filter(package=denver, kind=Kind.US_DOMESTIC))
        disconnected = [n for n in local if n.status == PhoneNumber.Status.DISCONNECTED]
        listed = [n for n in local if n not in disconnected][:10]
        unlisted = [n for n in local if n not in disconnected][10:]
        international = PhoneNumber.objects.get(package=denver, kind=Kind.INTERNATIONAL)
        chicagos = list(PhoneNumber.objects.filter(package=chicago))
    theirs = PhoneNumber.objects.filter(enterprise=outsider.enterprise)

    page = admin_client.get(reverse("trunks:package_detail", args=[denver.public_id])).text
    local_card = card(page, "my-numbers-us_domestic")
    for number in listed:
        assert (
            f'<td data-label="Number"><a class="phone-number" href="{number_url(number)}">'
            f'{number.display}</a></td> <td data-label="Kind">US Domestic</td> '
            '<td data-label="Status"><span class="badge badge--ok">Active</span></td>'
        ) in local_card
    for number in unlisted + disconnected + chicagos + list(theirs):
        assert number_url(number) not in page
    assert (
        f'<a href="{manage_url("us_domestic", denver)}">Show all 12 numbers'
        '<span class="visually-hidden"> of Local Numbers</span></a>'
    ) in local_card

    international_card = card(page, "my-numbers-international")
    assert f'href="{number_url(international)}"' in international_card
    assert '<span class="badge badge--warn">Pending</span>' in international_card
    assert "Show all 1 number<" in international_card
    # A kind without numbers has no list and no link.
    toll_free_card = card(page, "my-numbers-toll_free")
    assert "<table" not in toll_free_card and "Show all" not in toll_free_card


def test_the_package_section_costs_two_queries_however_many_numbers(
    rf, admin_user, denver, django_assert_num_queries
):
    add_numbers(denver, Kind.US_DOMESTIC, 3)
    add_numbers(denver, Kind.TOLL_FREE, 300, first=100)
    add_numbers(denver, Kind.INTERNATIONAL, 20, first=400)
    request = rf.get("/")
    request.user = admin_user
    # The counts, then the three kinds' first numbers.
    with scope(enterprise=admin_user.enterprise), django_assert_num_queries(2):
        section = package_numbers(request, denver)
    local, international, toll_free = section["sections"]
    assert [local["total"], international["total"], toll_free["total"]] == [3, 20, 300]
    assert [len(local["numbers"]), len(international["numbers"])] == [3, 10]
    assert [row["number"].e164 for row in toll_free["numbers"]] == [
        f"+1303555{line:04d}" for line in range(100, 110)
    ]


def test_the_counts_follow_an_order(admin_client, denver):
    """Submit Order adds pending numbers: the dashboard shows them at once."""
    data = {
        "order_type": "new",
        "package": str(denver.public_id),
        "kind": Kind.TOLL_FREE,
        "country": "US",
        "quantity": "2",
        "address_street": "1801 California St",
        "address_city": "Denver",
        "address_state": "CO",
        "address_zip": "80202",
        "address_country": "United States",
        "submission_key": "4f1c2b1e-8a51-4c1e-9d5e-0c2b7a3f1a10",
    }
    assert admin_client.post(reverse("phone_numbers:add"), data).status_code == 302
    assert "<p>0 numbers, 2 pending</p>" in card(
        admin_client.get(DASHBOARD).text, "my-numbers-toll_free"
    )
