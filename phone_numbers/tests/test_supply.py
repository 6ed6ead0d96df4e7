"""The supply gateway and its sandbox: searches, determinism, reservations; the number rules."""

import phonenumbers
import pytest
from django.core.exceptions import ValidationError

from phone_numbers.models import Kind, SupplyReservation
from phone_numbers.rules import check_e164, forward_target
from phone_numbers.supply import (
    NotEnough,
    check_search,
    keypad_digits,
    supplier,
    toll_free_area_codes,
)
from phone_numbers.supply.sandbox import SandboxSupplier

from .factories import search

pytestmark = pytest.mark.django_db


def e164s(offers):
    return [offer.e164 for offer in offers]


def test_the_same_search_offers_the_same_numbers_and_another_seed_others():
    wanted = search(10, area_code="303")

    first = e164s(SandboxSupplier("seed-a").search(wanted, 10))

    assert first == e164s(SandboxSupplier("seed-a").search(wanted, 10))
    assert first != e164s(SandboxSupplier("seed-b").search(wanted, 10))
    assert len(set(first)) == 10


def test_the_setting_chooses_the_supplier_and_its_seed(settings):
    settings.SANDBOX_SUPPLY_SEED = "seed-a"
    assert isinstance(supplier(), SandboxSupplier)
    assert e164s(supplier().search(search(5), 5)) == e164s(
        SandboxSupplier("seed-a").search(search(5), 5)
    )


def test_us_numbers_are_valid_and_placed_where_the_geocoder_says():
    offers = SandboxSupplier().search(search(20, city="denver", state="co"), 20)

    assert len(offers) == 20
    for offer in offers:
        number = phonenumbers.parse(offer.e164)
        assert phonenumbers.is_valid_number_for_region(number, "US")
        assert (offer.city, offer.state) == ("Denver", "CO")
        assert phonenumbers.geocoder.description_for_number(number, "en") == "Denver, CO"
        exchange = offer.e164[5:8]
        assert exchange[1:] != "11" and exchange != "555"


def test_area_code_and_contains_filter_the_numbers():
    offers = SandboxSupplier().search(search(20, area_code="720", contains="42"), 20)

    assert len(offers) == 20
    assert all(o.e164.startswith("+1720") and "42" in o.e164[2:] for o in offers)


def test_a_consecutive_block_is_one_run_of_numbers():
    offers = SandboxSupplier().search(search(25, area_code="212", consecutive=True), 25)

    lines = [int(o.e164) for o in offers]
    assert lines == list(range(lines[0], lines[0] + 25))


def test_toll_free_numbers_use_the_prefixes_of_the_metadata():
    assert toll_free_area_codes() == ("800", "833", "844", "855", "866", "877", "888")
    offers = SandboxSupplier().search(search(30, kind=Kind.TOLL_FREE), 30)

    assert len(offers) == 30
    for offer in offers:
        assert offer.e164[2:5] in toll_free_area_codes()
        number = phonenumbers.parse(offer.e164)
        assert phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.TOLL_FREE


def test_vanity_letters_are_the_keypad_digits_ending_the_number():
    assert keypad_digits("FLOWERS") == "3569377"

    flowers = SandboxSupplier().search(search(1, kind=Kind.TOLL_FREE, vanity="flowers"), 10)
    pizza = SandboxSupplier().search(search(1, kind=Kind.TOLL_FREE, vanity="PIZZA"), 10)

    assert flowers and all(o.e164[5:] == "3569377" for o in flowers)
    assert len(pizza) == 10 and all(o.e164.endswith("74992") for o in pizza)


def test_international_numbers_are_valid_numbers_of_the_country():
    offers = SandboxSupplier().search(search(10, kind=Kind.INTERNATIONAL, country="GB"), 10)
    essen = SandboxSupplier().search(
        search(5, kind=Kind.INTERNATIONAL, country="DE", city="Essen"), 5
    )

    assert len(offers) == 10
    for offer in offers:
        number = phonenumbers.parse(offer.e164)
        assert phonenumbers.region_code_for_number(number) == "GB"
        assert phonenumbers.is_valid_number(number)
    assert len(essen) == 5 and {o.city for o in essen} == {"Essen"}


def test_reserved_numbers_are_not_offered_until_released():
    sandbox = SandboxSupplier()
    wanted = search(3, area_code="303")
    first = e164s(sandbox.search(wanted, 6))

    reserved = sandbox.reserve(wanted, "NO-TEST01")

    assert e164s(reserved) == first[:3]
    assert e164s(sandbox.search(wanted, 3)) == first[3:6]
    assert set(SupplyReservation.objects.values_list("order_reference", flat=True)) == {"NO-TEST01"}
    sandbox.release(e164s(reserved))
    assert e164s(sandbox.search(wanted, 6)) == first


def test_reserving_more_than_match_reserves_nothing():
    sandbox = SandboxSupplier()
    [first, *_] = sandbox.search(search(1, kind=Kind.TOLL_FREE, vanity="FLOWERS"), 10)
    wanted = search(2, kind=Kind.TOLL_FREE, vanity="FLOWERS", area_code=first.e164[2:5])

    with pytest.raises(NotEnough) as refused:
        sandbox.reserve(wanted, "NO-TEST02")

    assert (refused.value.wanted, refused.value.found) == (2, 1)
    assert not SupplyReservation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"quantity": 0}, "quantity", "Enter a quantity from 1 to 100."),
        ({"quantity": 101}, "quantity", "Enter a quantity from 1 to 100."),
        ({"kind": Kind.INTERNATIONAL, "country": "XX"}, "country", "Choose a country"),
        ({"country": "GB"}, "country", "are in the United States"),
        ({"contains": "CALL"}, "contains", "letters are for vanity toll-free numbers"),
        ({"vanity": "FLOWERS"}, "vanity", "Vanity letters are for toll-free numbers only."),
        ({"area_code": "30"}, "area_code", "three digits"),
        ({"kind": Kind.TOLL_FREE, "area_code": "303"}, "area_code", "Toll-free prefixes are 800"),
        ({"state": "Colorado"}, "state", "two-letter code"),
    ],
)
def test_a_bad_search_is_refused_by_field(fields, field, message):
    quantity = fields.get("quantity", 1)
    other = {key: value for key, value in fields.items() if key != "quantity"}

    with pytest.raises(ValidationError) as refused:
        check_search(search(quantity, **other))

    assert message in refused.value.message_dict[field][0]


def test_a_search_is_tidied_up():
    tidy = check_search(
        search(1, kind=Kind.TOLL_FREE, vanity=" flow-ers ", contains=" 35-69 ", state="")
    )
    assert (tidy.vanity, tidy.contains) == ("FLOWERS", "3569")


def test_e164_is_checked():
    assert check_e164("+13035550123") == "+13035550123"
    for bad in ("3035550123", "+1 303 555 0123", "+1303555012"):
        with pytest.raises(ValidationError):
            check_e164(bad)


def test_a_forward_target_is_a_valid_number_outside_the_selection(acme_scope, admin_user):
    from phone_numbers.models import PhoneNumber

    numbers = PhoneNumber.objects.all()
    assert forward_target("(303) 555-0123", numbers) == "+13035550123"
    assert forward_target("  ", numbers) == ""
    with pytest.raises(ValidationError):
        forward_target("555-0123", numbers)
