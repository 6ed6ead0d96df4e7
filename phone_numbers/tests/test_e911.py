import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from phone_numbers.cnam import clean_cnam
from phone_numbers.e911 import add_address, normalize
from phone_numbers.models import E911Address

DENVER = {
    "street": "1801 california street",
    "unit": "suite 2400",
    "city": "denver",
    "state": "Colorado",
    "zip_code": "80202-1234",
}


def errors_of(fields):
    with pytest.raises(ValidationError) as caught:
        normalize(fields)
    return {name: " ".join(messages) for name, messages in caught.value.message_dict.items()}


def test_it_normalizes_to_usps_publication_28():
    assert normalize(DENVER) == {
        "street": "1801 CALIFORNIA ST",
        "unit": "STE 2400",
        "city": "DENVER",
        "state": "CO",
        "zip_code": "80202-1234",
    }


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"state": "XX"}, "state", "“XX” is not a US state"),
        ({"state": "Ontario"}, "state", "is not a US state"),
        ({"state": ""}, "state", "Enter the state"),
        ({"zip_code": "8020"}, "zip_code", "“8020” is not a US ZIP code"),
        ({"zip_code": "80202-12"}, "zip_code", "is not a US ZIP code"),
        ({"zip_code": "K1A 0B1"}, "zip_code", "is not a US ZIP code"),
        ({"street": ""}, "street", "Enter the street address"),
        ({"street": "California Street"}, "street", ""),
        ({"street": "PO Box 12"}, "street", "A PO box cannot receive emergency services"),
        ({"city": " "}, "city", "Enter the city."),
    ],
)
def test_it_refuses_what_cannot_be_validated(change, field, words):
    errors = errors_of({**DENVER, **change})
    assert list(errors) == [field]
    assert words in errors[field]


def test_it_names_every_wrong_field_at_once():
    errors = errors_of({"street": "", "city": "", "state": "Narnia", "zip_code": "1"})
    assert set(errors) == {"street", "city", "state", "zip_code"}


def test_it_adds_the_address_once_however_spelled(acme_scope, admin_user):
    first = add_address(acme_scope, {**DENVER, "label": "Head office"}, by=admin_user)
    again = add_address(
        acme_scope,
        {**DENVER, "street": "1801 California St.", "unit": "Ste 2400", "state": "co"},
        by=admin_user,
    )
    assert again == first
    assert str(first) == "1801 CALIFORNIA ST STE 2400, DENVER, CO 80202-1234"
    assert first.label == "Head office"
    assert first.enterprise == acme_scope
    assert E911Address.objects.count() == 1


def test_it_keeps_each_enterprise_s_own_address(acme_scope, admin_user, other_enterprise):
    with scopes_disabled():
        E911Address.objects.create(
            enterprise=other_enterprise,
            street="1801 CALIFORNIA ST",
            unit="STE 2400",
            city="DENVER",
            state="CO",
            zip_code="80202-1234",
        )
    address = add_address(acme_scope, DENVER, by=admin_user)
    assert address.enterprise == acme_scope
    with scopes_disabled():
        assert E911Address.objects.count() == 2


def test_it_saves_nothing_it_refuses(acme_scope, admin_user):
    with pytest.raises(ValidationError):
        add_address(acme_scope, {**DENVER, "zip_code": "ABCDE"}, by=admin_user)
    assert not E911Address.objects.exists()


def test_cnam_keeps_up_to_15_allowed_characters():
    assert clean_cnam("  Acme   Telecom ") == "Acme Telecom"
    assert clean_cnam("O'Hara & Sons-1") == "O'Hara & Sons-1"
    assert clean_cnam("") == ""


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("Acme Telecommunications", "at most 15 characters"),
        ("Acme <script>", "not “<>”"),
        ("Café", "not “é”"),
    ],
)
def test_cnam_refuses_too_long_or_forbidden(value, words):
    with pytest.raises(ValidationError) as caught:
        clean_cnam(value)
    assert words in caught.value.messages[0]
