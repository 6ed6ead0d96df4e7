"""Add/Port Numbers, Order Type Get New Number: the form's errors by field, Preview numbers,
Submit Order, a second submit of the same form, and the last matching number taken meanwhile."""

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from orders.models import Order
from phone_numbers.models import E911Address, Kind, NumberCount, PhoneNumber, SupplyReservation
from phone_numbers.supply import Search, supplier
from trunks.models import Package
from trunks.routing import Target, save_policy
from trunks.tests.factories import new_package

ADD = reverse("phone_numbers:add")
PREVIEW = reverse("phone_numbers:preview")


@pytest.fixture
def package(admin_user):
    return new_package(admin_user, name="Denver Bundle").trunk_order.trunk.package


def form_data(into, **changes):
    """What a filled-in Get New Number form posts."""
    data = {
        "order_type": "new",
        "package": str(into.public_id),
        "kind": Kind.US_DOMESTIC,
        "country": "US",
        "quantity": "2",
        "customer_reference": "",
        "address_street": "1801 California St",
        "address_unit": "Suite 2400",
        "address_city": "Denver",
        "address_state": "CO",
        "address_zip": "80202",
        "address_country": "United States",
        "area_code": "",
        "city": "",
        "state": "",
        "contains": "",
        "vanity": "",
        "routing": "",
        "cnam": "",
        "e911_address": "",
        "e911_street": "",
        "e911_unit": "",
        "e911_city": "",
        "e911_state": "",
        "e911_zip": "",
        "submission_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def number_orders():
    """The orders of numbers (the package fixture is a trunk order)."""
    return Order.objects.filter(kind="numbers")


def field_errors(page, field):
    """The error messages shown beside the field called field."""
    start = page.index(f'id="id_{field}"')
    next_field = re.compile(r'<div class="field[ "]|</fieldset>').search(page, start)
    block = page[start : next_field.start()]
    return [
        re.sub(r"\s+", " ", error).strip() for error in re.findall(r"<li>(.*?)</li>", block, re.S)
    ]


def free_number(**search):
    """A number the sandbox offers now, and the digits that match it alone."""
    offer = supplier().search(Search(kind=Kind.US_DOMESTIC, country="US", quantity=1, **search), 1)
    return offer[0].e164


def test_plus_add_opens_get_new_number_for_the_package_and_kind(admin_client, package):
    page = admin_client.get(ADD, {"package": package.public_id, "kind": "toll_free"}).text
    assert "<h1>Add/Port Numbers</h1>" in page
    assert '<option value="new" selected>Get New Number</option>' in page
    assert f'<option value="{package.public_id}" selected>Denver Bundle</option>' in page
    assert '<option value="toll_free" selected>Toll-Free</option>' in page
    # The breadcrumbs lead back to the package.
    assert reverse("trunks:package_detail", args=[package.public_id]) in page


def test_the_form_takes_as_many_queries_for_many_packages_as_for_one(
    admin_client, admin_user, package, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20) as one:
        admin_client.get(ADD, {"package": package.public_id})
    for number in range(4):
        usage = new_package(
            admin_user,
            name=f"Usage {number}",
            type=Package.Type.USAGE,
            signaling=[{"host": f"34.120.11.{number}", "port": 5060, "transport": "udp"}],
        )
        trunk = usage.trunk_order.trunk
        save_policy(
            trunk.package,
            by=admin_user,
            name="Main",
            is_default=True,
            fallback_number="",
            targets=[Target(trunk, 1, 100)],
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = admin_client.get(ADD, {"package": package.public_id}).text
    assert page.count("Policy: Main") == 4


def test_without_a_package_the_user_chooses_one(admin_client, package):
    page = admin_client.get(ADD).text
    assert '<option value="" selected>Choose a package</option>' in page
    assert '<option value="us_domestic" selected>US Domestic</option>' in page


def test_outbound_only_packages_take_no_numbers(admin_client, admin_user, package):
    dialer = new_package(admin_user, name="Dialer", type=Package.Type.OUTBOUND_ONLY)
    dialer = dialer.trunk_order.trunk.package
    assert admin_client.get(ADD, {"package": dialer.public_id}).status_code == 404
    assert "Dialer" not in admin_client.get(ADD).text


def test_another_enterprises_package_is_404(admin_client, outsider):
    theirs = new_package(outsider, name="Theirs").trunk_order.trunk.package
    assert admin_client.get(ADD, {"package": theirs.public_id}).status_code == 404
    assert admin_client.get(ADD, {"package": "not-an-id"}).status_code == 404
    assert admin_client.get(ADD, {"kind": "bogus"}).status_code == 404
    # Temporary numbers are lent while a port is pending, not ordered.
    assert admin_client.get(ADD, {"kind": "temporary"}).status_code == 404


def test_another_enterprises_package_cannot_be_posted(admin_client, outsider, package):
    theirs = new_package(outsider, name="Theirs").trunk_order.trunk.package
    page = admin_client.post(ADD, form_data(package, package=str(theirs.public_id))).text
    assert field_errors(page, "package") == ["Choose the package from the list."]
    assert not PhoneNumber.objects.exists()


def test_read_only_may_not_order(client, read_only_user, package):
    client.force_login(read_only_user)
    assert client.get(ADD).status_code == 403
    assert client.post(ADD, form_data(package)).status_code == 403
    assert client.post(PREVIEW, form_data(package)).status_code == 403
    assert not number_orders().exists()


def test_the_required_fields_say_what_is_missing(admin_client, package):
    data = form_data(
        package, package="", country="", quantity="", address_street="", address_city=""
    )
    page = admin_client.post(ADD, data).text
    assert "Please correct 5 fields" in page
    assert field_errors(page, "package") == ["Choose the package."]
    assert field_errors(page, "country") == ["Choose the country."]
    assert field_errors(page, "quantity") == ["Enter the quantity."]
    assert field_errors(page, "address_street") == ["Enter the street."]
    assert field_errors(page, "address_city") == ["Enter the city."]
    assert not number_orders().exists()


@pytest.mark.parametrize(
    ("quantity", "error"),
    [
        ("0", "Order at least 1 number."),
        ("101", "Order at most 100 numbers at a time."),
        ("two", "Quantity must be a whole number."),
    ],
)
def test_the_quantity_is_from_1_to_100(admin_client, package, quantity, error):
    page = admin_client.post(ADD, form_data(package, quantity=quantity)).text
    assert field_errors(page, "quantity") == [error]
    assert not number_orders().exists()


@pytest.mark.parametrize(
    ("changes", "field", "error"),
    [
        ({"country": "ZZ"}, "country", "Choose the country from the list."),
        (
            {"country": "FR"},
            "country",
            "US Domestic, Toll-Free and Temporary numbers are in the United States.",
        ),
        ({"kind": "international"}, "country", "Choose a country from the list."),
        ({"area_code": "30"}, "area_code", "Enter the area code as three digits, e.g. 303."),
        (
            {"contains": "CAB"},
            "contains",
            "Enter digits only; letters are for vanity toll-free numbers (1-800-FLOWERS).",
        ),
        ({"vanity": "FLOWERS"}, "vanity", "Vanity letters are for toll-free numbers only."),
        (
            {"address_state": "ZZ"},
            "address_state",
            "“ZZ” is not a US state: enter its two-letter code, e.g. CO, or its name.",
        ),
        (
            {"address_zip": "802"},
            "address_zip",
            "“802” is not a US ZIP code: it looks like 80202 or 80202-1234.",
        ),
        (
            {"cnam": "Acme Telecommunications"},
            "cnam",
            "A Caller ID name has at most 15 characters; “Acme Telecommunications” has 23.",
        ),
        (
            {"cnam": "Acme <Sales>"},
            "cnam",
            "A Caller ID name may hold only letters, digits, spaces and . , &amp; &#x27; -, "
            "not “&lt;&gt;”.",
        ),
        (
            {"e911_street": "PO Box 12", "e911_city": "Denver", "e911_state": "CO"},
            "e911_street",
            "A PO box cannot receive emergency services: enter a street address.",
        ),
        (
            {"e911_street": "1801 California St", "e911_city": "Denver", "e911_state": "CO"},
            "e911_zip",
            "Enter the ZIP code, e.g. 80202.",
        ),
    ],
)
def test_bad_input_is_refused_beside_its_field(admin_client, package, changes, field, error):
    page = admin_client.post(ADD, form_data(package, **changes)).text
    assert field_errors(page, field) == [error]
    assert not number_orders().exists()
    assert not SupplyReservation.objects.exists()


def test_the_routing_must_be_the_packages_own(admin_client, admin_user, package):
    other = new_package(admin_user, name="Chicago Usage", type=Package.Type.USAGE)
    trunk = other.trunk_order.trunk
    policy = save_policy(
        trunk.package,
        by=admin_user,
        name="Main",
        is_default=True,
        fallback_number="",
        targets=[Target(trunk, 1, 100)],
    )
    page = admin_client.post(ADD, form_data(package, routing=f"policy:{policy.public_id}")).text
    assert field_errors(page, "routing") == ["Choose a routing policy of this package."]
    assert not number_orders().exists()


def test_preview_shows_matching_numbers_and_reserves_none(admin_client, package):
    response = admin_client.post(
        PREVIEW, form_data(package, quantity="3", area_code="303"), headers={"HX-Request": "true"}
    )
    page = response.text
    assert "<html" not in page
    numbers = re.findall(r"<li>\(303\) \d{3}-\d{4}", page)
    assert len(numbers) == 3
    assert "Submit Order reserves 3 matching numbers" in page
    assert not SupplyReservation.objects.exists()
    assert not number_orders().exists()


def test_preview_works_without_javascript(admin_client, package):
    data = form_data(package, quantity="2", area_code="720", address_street="9 Elm St")
    page = admin_client.post(f"{PREVIEW}?package={package.public_id}", data).text
    # The whole page again, as it was filled in, with the numbers under the search.
    assert "<h1>Add/Port Numbers</h1>" in page
    assert 'value="9 Elm St"' in page
    assert f'<option value="{package.public_id}" selected>Denver Bundle</option>' in page
    assert len(re.findall(r"<li>\(720\) \d{3}-\d{4}", page)) == 2
    assert f'action="{ADD}?package={package.public_id}"' in page


def test_preview_says_what_is_wrong_with_the_search(admin_client, package):
    page = admin_client.post(
        PREVIEW, form_data(package, contains="ABC"), headers={"HX-Request": "true"}
    ).text
    assert "Correct the search to preview numbers" in page
    assert "Enter digits only" in page


def test_preview_says_when_fewer_numbers_match(admin_client, package):
    number = free_number()
    page = admin_client.post(
        PREVIEW,
        form_data(package, quantity="2", contains=number[2:]),
        headers={"HX-Request": "true"},
    ).text
    assert "Only 1 number matches now: change the search or order fewer." in page


def test_submit_order_places_the_order_with_pending_numbers(
    admin_client, admin_user, package, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    data = form_data(
        package,
        quantity="3",
        area_code="303",
        cnam="Acme Sales",
        customer_reference="PO-77",
        e911_street="1801 california street",
        e911_unit="suite 2400",
        e911_city="Denver",
        e911_state="Colorado",
        e911_zip="80202",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(ADD, data)

    order = number_orders().get()
    assert response.status_code == 302
    assert response.url == reverse("orders:order_detail", args=[order.public_id])
    assert order.reference.startswith("NO-")
    assert order.customer_reference == "PO-77"
    assert order.placed_by == admin_user
    number_order = order.number_order
    assert (number_order.package, number_order.kind, number_order.quantity) == (
        package,
        Kind.US_DOMESTIC,
        3,
    )
    assert (number_order.address_street, number_order.address_state) == (
        "1801 California St",
        "CO",
    )
    assert number_order.address_country == "US"
    address = E911Address.objects.get()
    assert (address.street, address.unit, address.state) == ("1801 CALIFORNIA ST", "STE 2400", "CO")
    numbers = PhoneNumber.objects.filter(order=order)
    assert numbers.count() == 3
    assert {number.status for number in numbers} == {PhoneNumber.Status.PENDING}
    assert all(number.e164.startswith("+1303") for number in numbers)
    assert {(n.package, n.cnam, n.e911_address) for n in numbers} == {
        (package, "Acme Sales", address)
    }
    assert SupplyReservation.objects.count() == 3
    assert (
        NumberCount.objects.get(package=package, kind=Kind.US_DOMESTIC, status="pending").count == 3
    )
    assert run_jobs() == 1
    (message,) = mailoutbox
    assert message.to == ["alice@acme.test"]
    assert order.reference in message.subject

    page = admin_client.get(response.url).text
    assert f"Order {order.reference} was submitted. We e-mailed you a confirmation." in page


def test_the_order_routes_to_the_chosen_trunk(admin_client, package):
    trunk = package.trunks.get()
    admin_client.post(ADD, form_data(package, quantity="1", routing=f"trunk:{trunk.public_id}"))
    assert PhoneNumber.objects.get().trunk == trunk


def test_a_toll_free_vanity_number(admin_client, package):
    data = form_data(
        package, kind=Kind.TOLL_FREE, quantity="1", vanity="1-800-FLOWERS", area_code=""
    )
    admin_client.post(ADD, data)
    number = PhoneNumber.objects.get()
    assert number.e164 == "+18003569377"
    assert number.kind == Kind.TOLL_FREE


def test_submitting_the_form_twice_places_one_order(admin_client, package):
    data = form_data(package, quantity="1")
    first = admin_client.post(ADD, data)
    second = admin_client.post(ADD, data, follow=True)

    order = number_orders().get()
    assert second.redirect_chain[-1][0] == first.url
    assert f"This form was already submitted as order {order.reference}." in second.text
    assert PhoneNumber.objects.count() == 1


def test_the_last_number_taken_meanwhile_is_said_at_the_form(admin_client, package, outsider):
    number = free_number()
    data = form_data(package, quantity="1", contains=number[2:])
    # Another customer orders it between this user's preview and Submit Order.
    theirs = new_package(outsider, name="Theirs").trunk_order.trunk.package
    other = Client()
    other.force_login(outsider)
    other.post(ADD, form_data(theirs, quantity="1", contains=number[2:]))
    assert PhoneNumber.objects.get().enterprise == outsider.enterprise

    data.update(e911_street="1801 California St", e911_city="Denver", e911_state="CO")
    data.update(e911_zip="80202")
    page = admin_client.post(ADD, data).text
    assert "No numbers match your search any more. Widen the search and try again." in page
    assert number_orders().count() == 1
    assert PhoneNumber.objects.count() == 1
    # Nothing of the refused order stays, not even its new E911 address.
    assert not E911Address.objects.exists()
