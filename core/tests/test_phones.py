import pytest
from django.core.exceptions import ValidationError

from core.phones import display_phone, normalize_phone


@pytest.mark.parametrize(
    "value", ["(303) 555-0142", "303-555-0142", "+1 303 555 0142", "+13035550142"]
)
def test_it_stores_numbers_in_e164(value):
    assert normalize_phone(value) == "+13035550142"


@pytest.mark.parametrize(
    "value", ["303-555-0142 x12", "303-555-0142 ext. 12", "+1 303 555 0142;ext=12"]
)
def test_it_refuses_an_extension_rather_than_dropping_it(value):
    with pytest.raises(ValidationError) as refused:
        normalize_phone(value)
    assert refused.value.messages == ["Extensions are not supported: enter the number without x12."]


def test_it_shows_home_numbers_nationally_and_others_internationally():
    assert display_phone("+13035550142") == "(303) 555-0142"
    assert display_phone("+442071838750") == "+44 20 7183 8750"
