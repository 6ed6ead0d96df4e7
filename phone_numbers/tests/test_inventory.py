"""The Inventory's number tabs: filters, sorts, pages, the CSV, and a number's page."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phone_numbers.models import E911Address, Kind, NumberEvent, PhoneNumber
from phone_numbers.tables import USDomesticTable
from phone_numbers.tests.inventory_factories import add_numbers, package_of
from tests.downloads import csv_rows
from trunks.models import Package

US = reverse("phone_numbers:us_domestic")


def rows_of(page):
    """The numbers (E.164) listed on a tab, in order, read from their check boxes' labels."""
    return [
        line.split('aria-label="Select ')[1].split('"')[0]
        for line in page.split("data-select-number")[:-1]
    ]


def listed(client, url=US, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.text


@pytest.fixture
def denver(admin_user):
    return package_of(admin_user, "Denver Usage")


@pytest.fixture
def chicago(admin_user):
    return package_of(admin_user, "Chicago Usage")


def test_every_number_tab_is_an_inventory_tab(admin_client):
    page = listed(admin_client, reverse("phone_numbers:us_domestic"))
    for name, label in [
        ("trunks:inventory", "Trunks"),
        ("phone_numbers:us_domestic", "US Domestic"),
        ("phone_numbers:temporary", "Temporary"),
        ("phone_numbers:international", "International"),
        ("phone_numbers:toll_free", "Toll-Free"),
    ]:
        assert f'href="{reverse(name)}"' in page
        assert f">{label}</a>" in page
    assert reverse("phone_numbers:us_domestic") == "/inventory/us-domestic/"
    for label in ("Package", "Status", "Service", "Starts with", "Ends with", "Contains", "City"):
        assert f">{label}</label>" in page
    assert "invalid name" not in page


def test_a_tab_lists_its_kind_of_the_users_enterprise_only(admin_client, denver, outsider):
    add_numbers(denver, ["+13035550100"])
    add_numbers(denver, ["+18005550100"], kind=Kind.TOLL_FREE)
    theirs = package_of(outsider, "Globex Usage")
    add_numbers(theirs, ["+13035550199"])

    page = listed(admin_client)
    assert "(303) 555-0100" in page
    assert "(800) 555-0100" not in page
    assert "(303) 555-0199" not in page
    toll_free = listed(admin_client, reverse("phone_numbers:toll_free"))
    assert "(800) 555-0100" in toll_free


def test_numbers_without_e911_are_flagged(admin_client, denver, enterprise):
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    add_numbers(denver, ["+13035550100"], e911_address=address)
    add_numbers(denver, ["+13035550101"])
    page = listed(admin_client)
    first, second = page.split("data-select-number")[1:3]
    assert "1801 CALIFORNIA ST, DENVER, CO 80202" in first
    assert '<span class="badge badge--danger">No E911</span>' in second


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"prefix": "303"}, ["+13035550100", "+13035550101"]),
        ({"prefix": "1 (720)"}, ["+17205550102"]),
        ({"prefix": "3035550"}, ["+13035550100", "+13035550101"]),
        ({"prefix": "30355501"}, ["+13035550100", "+13035550101"]),
        ({"prefix": "312555019"}, []),
        ({"prefix": "31"}, ["+13125550103"]),
        ({"ending": "0101"}, ["+13035550101"]),
        ({"contains": "2055"}, ["+17205550102"]),
        ({"state": "il"}, ["+13125550103"]),
        ({"city": "chicago"}, ["+13125550103"]),
        ({"service": "no_e911"}, ["+13035550101", "+13125550103", "+17205550102"]),
        ({"service": "e911"}, ["+13035550100"]),
        ({"service": "cnam"}, ["+13035550101"]),
        ({"service": "forward"}, ["+17205550102"]),
        ({"service": "sms"}, ["+13125550103"]),
        ({"status": "pending"}, ["+13125550103"]),
        ({"status": "disconnected"}, ["+13035550199"]),
    ],
)
def test_filters(admin_client, denver, chicago, enterprise, params, expected):
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    add_numbers(denver, ["+13035550100"], e911_address=address, city="Denver", state="CO")
    add_numbers(denver, ["+13035550101"], cnam="ACME", city="Denver", state="CO")
    add_numbers(chicago, ["+17205550102"], forward_to="+13035559999", city="Denver", state="CO")
    add_numbers(
        chicago,
        ["+13125550103"],
        sms_enabled=True,
        status=PhoneNumber.Status.PENDING,
        city="Chicago",
        state="IL",
    )
    add_numbers(denver, ["+13035550199"], status=PhoneNumber.Status.DISCONNECTED)

    assert rows_of(listed(admin_client, **params)) == [display(e164) for e164 in expected]


def display(e164):
    return PhoneNumber(e164=e164).display


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("44", ["+442071234567"]), ("4", ["+442071234567", "+4930123456"]), ("99", ["+99512345678"])],
)
def test_international_numbers_start_with_their_country_code(
    admin_client, denver, prefix, expected
):
    add_numbers(
        denver,
        ["+33123456789", "+442071234567", "+4930123456", "+99512345678"],
        kind=Kind.INTERNATIONAL,
    )
    page = listed(admin_client, reverse("phone_numbers:international"), prefix=prefix)
    assert rows_of(page) == [display(e164) for e164 in expected]


def test_the_package_filter_lists_the_enterprises_packages(admin_client, denver, chicago):
    add_numbers(denver, ["+13035550100"])
    add_numbers(chicago, ["+13125550100"])
    page = listed(admin_client, package=str(chicago.public_id))
    assert rows_of(page) == [display("+13125550100")]
    assert f'<option value="{denver.public_id}">Denver Usage</option>' in page


def test_a_number_in_service_is_one_enterprises_at_a_time(denver, outsider):
    theirs = package_of(outsider, "Globex Usage")
    add_numbers(denver, ["+13035550100"], status=PhoneNumber.Status.DISCONNECTED)
    add_numbers(theirs, ["+13035550100"])
    with pytest.raises(IntegrityError), transaction.atomic():
        add_numbers(denver, ["+13035550100"], status=PhoneNumber.Status.PENDING)
    assert PhoneNumber.objects.filter(e164="+13035550100").count() == 2


def test_letters_in_a_digits_filter_are_refused_next_to_it(admin_client, denver):
    add_numbers(denver, ["+13035550100"])
    page = listed(admin_client, prefix="DEN")
    assert "Enter digits only, for example 303." in page
    assert rows_of(page) == []


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["+13035550100", "+13125550101", "+17205550102"]),
        ("-number", ["+17205550102", "+13125550101", "+13035550100"]),
        ("status", ["+13035550100", "+17205550102", "+13125550101"]),
        ("area_code", ["+13035550100", "+13125550101", "+17205550102"]),
        ("-added", ["+17205550102", "+13125550101", "+13035550100"]),
        ("package", ["+13035550100", "+17205550102", "+13125550101"]),
    ],
)
def test_sorts(admin_client, denver, chicago, sort, expected):
    add_numbers(denver, ["+13035550100"], area_code="303")
    add_numbers(chicago, ["+13125550101"], area_code="312", status=PhoneNumber.Status.PENDING)
    add_numbers(denver, ["+17205550102"], area_code="720")
    assert rows_of(listed(admin_client, sort=sort)) == [display(e164) for e164 in expected]


def test_pages_are_keyset_and_take_the_same_queries(
    admin_client, denver, django_assert_max_num_queries
):
    add_numbers(denver, [f"+1303555{n:04d}" for n in range(120)])
    listed(admin_client)  # The first request of a session also saves the session.
    with django_assert_max_num_queries(8) as first:
        page = listed(admin_client)
    assert rows_of(page)[0] == display("+13035550000")
    assert len(rows_of(page)) == 50
    next_url = (
        page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    )
    with django_assert_max_num_queries(len(first.captured_queries)) as second:
        response = admin_client.get(US + next_url)
    assert len(second.captured_queries) == len(first.captured_queries)
    assert rows_of(response.text)[0] == display("+13035550050")


def next_page_url(page):
    if 'rel="next"' not in page:
        return None
    href = page.split('rel="next"')[0].rsplit('href="', 1)[1].split('"')[0]
    return href.replace("&amp;", "&")


@pytest.mark.parametrize("sort", ["status", "-status"])
def test_the_status_sort_pages_through_each_number_once(admin_client, denver, sort):
    # Pages that start at the lowest status ("active") and cross from one status to the next.
    pending = add_numbers(
        denver, [f"+1303555{n:04d}" for n in range(60)], status=PhoneNumber.Status.PENDING
    )
    active = add_numbers(denver, [f"+1720555{n:04d}" for n in range(70)])
    add_numbers(
        denver, [f"+1312555{n:04d}" for n in range(5)], status=PhoneNumber.Status.DISCONNECTED
    )
    by_status = sorted(active, key=lambda n: n.pk) + sorted(pending, key=lambda n: n.pk)
    expected = [display(number.e164) for number in by_status]
    seen, url = [], f"{US}?sort={sort}"
    while url:
        page = admin_client.get(url).text
        seen += rows_of(page)
        url = next_page_url(page) and US + next_page_url(page)
    assert seen == (expected if sort == "status" else expected[::-1])


def link_url(page, rel):
    if f'rel="{rel}"' not in page:
        return None
    href = page.split(f'rel="{rel}"')[0].rsplit('href="', 1)[1].split('"')[0]
    return US + href.replace("&amp;", "&")


@pytest.mark.parametrize(
    "sort", ["number", "-number", "status", "-status", "package", "-package", "added", "-area_code"]
)
def test_a_city_pages_through_its_numbers_once_by_any_column(admin_client, denver, chicago, sort):
    # A page reads its ids first; a city's, by another column than the number, sorted from the
    # city's index.
    denver_numbers = add_numbers(
        denver, [f"+1303555{n:04d}" for n in range(40)], city="Denver", area_code="303"
    )
    denver_numbers += add_numbers(
        chicago,
        [f"+1720555{n:04d}" for n in range(40)],
        city="DENVER",
        area_code="720",
        status=PhoneNumber.Status.PENDING,
    )
    add_numbers(denver, [f"+1312555{n:04d}" for n in range(30)], city="Chicago", area_code="312")
    field = {"number": "e164", "package": "package_id", "added": "created_at"}.get(
        sort.lstrip("-"), sort.lstrip("-")
    )
    in_order = sorted(denver_numbers, key=lambda n: (getattr(n, field), n.pk))
    if sort.startswith("-"):
        in_order.reverse()
    expected = [display(number.e164) for number in in_order]
    listed(admin_client)  # The first request of a session also saves the session.
    seen, counts, url = [], set(), f"{US}?city=denver&sort={sort}"
    while url:
        with CaptureQueriesContext(connection) as queries:
            page = admin_client.get(url).text
        counts.add(len(queries.captured_queries))
        seen += rows_of(page)
        url = link_url(page, "next")
    assert seen == expected
    assert len(counts) == 1
    # And back from the last page to the first.
    assert rows_of(admin_client.get(link_url(page, "prev")).text) == expected[:50]


def test_the_csv_is_filtered_complete_and_formula_safe(admin_client, denver, enterprise):
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        unit="STE 2400",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    add_numbers(
        denver,
        ["+13035550100"],
        cnam="=HYPERLINK(1)"[:15],
        e911_address=address,
        city="Denver",
        state="CO",
    )
    add_numbers(denver, ["+13035550101"], forward_to="+13035559999")
    add_numbers(denver, ["+17205550102"])
    response = admin_client.get(US, {"format": "csv", "prefix": "303"})
    lines = csv_rows(response)
    assert "Manage" not in lines[0] and "Select" not in lines[0]
    rows = [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    assert [row["Number"] for row in rows] == ["+13035550100", "+13035550101"]
    first, second = rows
    assert first["Caller ID / CNAM"] == "'=HYPERLINK(1)"
    assert first["E911 address"] == "1801 CALIFORNIA ST STE 2400, DENVER, CO 80202"
    assert first["Package"] == "Denver Usage"
    assert first["Status"] == "Active"
    assert first["Routing"] == "Package default"
    assert second["Routing"] == "Forward to +13035559999"
    assert second["E911 address"] == "No E911"


def test_the_csv_cells_match_the_page(admin_client, denver, enterprise):
    """Each column's SQL twin says what its cell on the page says."""
    address = E911Address.objects.create(
        enterprise=enterprise,
        street="1801 CALIFORNIA ST",
        city="DENVER",
        state="CO",
        zip_code="80202",
    )
    add_numbers(
        denver, ["+13035550100"], e911_address=address, cnam="ACME", city="Denver", state="CO"
    )
    number = PhoneNumber.objects.get()
    lines = csv_rows(admin_client.get(US, {"format": "csv"}))
    row = dict(zip(lines[0], lines[1], strict=True))
    for column in [column for column in USDomesticTable.columns if column.export is not False]:
        if column.key in {"number", "added", "activated"}:
            continue
        assert row[column.label] == column.text_of(number), column.key


def test_the_user_chooses_the_columns(admin_client, admin_user, denver):
    add_numbers(denver, ["+13035550100"], area_code="303")
    assert ">Area code</a>" not in listed(admin_client)
    admin_client.post(
        reverse("table_columns", args=["inventory-us-domestic"]),
        {"columns": ["area_code", "status"], "next": US},
    )
    page = listed(admin_client)
    assert ">Area code</a>" in page
    assert ">Package</a>" not in page
    admin_user.refresh_from_db()
    assert admin_user.table_preferences["inventory-us-domestic"] == [
        "select",
        "number",
        "status",
        "area_code",
        "manage",
    ]


def test_read_only_users_see_numbers_but_no_manage_bar(client, read_only_user, denver):
    add_numbers(denver, ["+13035550100"])
    client.force_login(read_only_user)
    page = listed(client)
    assert "(303) 555-0100" in page
    assert "Select an Action" not in page
    assert "data-select-number" not in page


def test_the_manage_bar_counts_all_matching_numbers_from_the_kept_counts(
    admin_client, denver, chicago, django_assert_max_num_queries
):
    add_numbers(denver, ["+13035550100", "+13035550101"])
    add_numbers(chicago, ["+13125550100"])
    add_numbers(chicago, ["+13125550101"], status=PhoneNumber.Status.PENDING)
    assert "Select all 4 matching numbers, on every page" in listed(admin_client)
    page = listed(admin_client, package=str(chicago.public_id), status="pending")
    assert "Select all 1 matching number, on every page" in page
    assert f'name="package" value="{chicago.public_id}"' in page
    # Other filters are counted when the pop-up opens, not on every page.
    with django_assert_max_num_queries(8) as queries:
        page = listed(admin_client, prefix="303")
    assert "Select all numbers matching this filter, on every page" in page
    assert not any("COUNT(" in query["sql"] for query in queries.captured_queries)


def test_a_numbers_page_shows_its_services_and_history(admin_client, admin_user, denver):
    (number,) = add_numbers(denver, ["+13035550100"], cnam="ACME")
    for minute in range(60):
        NumberEvent.objects.create(
            enterprise=number.enterprise,
            number=number,
            actor=admin_user,
            actor_label="Alice Admin",
            action="cnam",
            description=f"Caller ID set, change {minute}",
        )
    page = listed(admin_client, reverse("phone_numbers:number_detail", args=[number.public_id]))
    assert "(303) 555-0100" in page
    assert "ACME" in page
    assert "No E911" in page
    assert "Denver Usage" in page
    assert "Caller ID set, change 59" in page
    assert "Caller ID set, change 9<" not in page
    assert "The latest 50 changes." in page
    # Its Select an Action menu acts on this one number.
    assert f'name="number" value="{number.public_id}"' in page
    assert "Move to Another Package" in page


def test_another_enterprises_number_is_not_found(admin_client, outsider):
    (number,) = add_numbers(package_of(outsider, "Globex Usage"), ["+13035550100"])
    response = admin_client.get(reverse("phone_numbers:number_detail", args=[number.public_id]))
    assert response.status_code == 404


def test_outbound_only_packages_are_not_in_the_package_filter(admin_client, admin_user, denver):
    outbound = package_of(admin_user, "Dialer", type=Package.Type.OUTBOUND_ONLY)
    assert outbound.name not in listed(admin_client)
