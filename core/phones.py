"""Phone numbers: stored in E.164, shown formatted for the reader."""

from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError

DEFAULT_REGION = "US"


def normalize_phone(value, region=DEFAULT_REGION):
    """Return value in E.164, or raise ValidationError with a plain-words reason.

    E.164 has no room for an extension: a number with one is refused, never stored without it.
    """
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            "Enter a phone number, for example +13035551234.", code="invalid_phone"
        ) from None
    if number.extension:
        raise ValidationError(
            "Extensions are not supported: enter the number without x%(extension)s.",
            code="phone_extension",
            params={"extension": number.extension},
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            "%(value)s is not a valid phone number.",
            code="invalid_phone",
            params={"value": value},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# Lists show a number per row, often the same ones: parsing costs more than the rest of a row.
@lru_cache(maxsize=4096)
def display_phone(e164, region=DEFAULT_REGION):
    """National format for numbers of the home region, international for the rest."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
