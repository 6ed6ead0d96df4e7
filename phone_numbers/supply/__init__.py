"""Where new numbers come from: one small gateway to the number supplier.

The portal asks a supplier for numbers matching a Search: `search()` previews them (no side
effect), `reserve()` takes exactly `search.quantity` of them for an order or raises NotEnough,
`release()` gives numbers back. settings.NUMBER_SUPPLIER names the class; the sandbox
(phone_numbers.supply.sandbox) is the default, for the demo and the tests.

The pool of numbers that are nobody's yet belongs to no enterprise: the supplier keeps what it
has handed out in SupplyReservation, a table with no enterprise that no view lists and only the
supplier and the ordering service (phone_numbers.ordering) reach. Every number of an enterprise
that is not disconnected has its reservation there, so the supplier never offers it again without
reading any enterprise's numbers.
"""

import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Protocol

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from ..models import Kind

HOME_COUNTRY = "US"
# The most numbers one order may ask for.
MAX_QUANTITY = 100
KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
# A vanity word fills at most the seven digits after the toll-free prefix (800-FLOWERS).
MAX_VANITY = 7
MAX_CONTAINS = 10


@dataclass(frozen=True)
class Search:
    kind: str
    country: str
    quantity: int
    area_code: str = ""
    city: str = ""
    state: str = ""
    contains: str = ""  # digits anywhere in the national number
    vanity: str = ""  # toll-free only: letters (and digits) ending the number, 800-FLOWERS
    consecutive: bool = False  # one block of consecutive numbers


@dataclass(frozen=True)
class Offer:
    e164: str
    city: str = ""
    state: str = ""


class NotEnough(ValidationError):
    """Fewer numbers match the search than it asks for, or another order has just taken them.

    A ValidationError, so an order form shows it like any other refusal.
    """

    def __init__(self, wanted, found):
        self.wanted = wanted
        self.found = found
        if found:
            message = (
                f"Only {found} number{'s' if found != 1 else ''} match your search; you asked "
                f"for {wanted}. Ask for fewer or widen the search."
            )
        else:
            message = "No numbers match your search any more. Widen the search and try again."
        super().__init__(message, code="not_enough")


class NumberSupplier(Protocol):
    def search(self, search: Search, limit: int) -> list[Offer]:
        """Up to limit numbers matching search that are nobody's; reserves nothing."""

    def reserve(self, search: Search, reference: str) -> list[Offer]:
        """Exactly search.quantity numbers, reserved for the order reference; else NotEnough.

        Runs inside the caller's transaction: if it rolls back, the numbers are free again.
        """

    def release(self, e164s) -> None:
        """Give the numbers back to the pool."""


def supplier() -> NumberSupplier:
    """The supplier settings.NUMBER_SUPPLIER names."""
    return import_string(settings.NUMBER_SUPPLIER)()


def keypad_digits(word):
    """The digits of a vanity word on a phone's keypad: FLOWERS -> 3569377."""
    return "".join(KEYPAD.get(character, character) for character in word.upper())


@cache
def toll_free_area_codes():
    """The NANP toll-free prefixes, as phonenumbers' metadata has them: 800, 833, ... 888."""
    return tuple(
        str(npa)
        for npa in range(200, 1000)
        if phonenumbers.number_type(phonenumbers.parse(f"+1{npa}2345678"))
        == phonenumbers.PhoneNumberType.TOLL_FREE
    )


@cache
def international_countries():
    """The countries International numbers come from: every region phonenumbers knows but ours."""
    return tuple(
        sorted(
            region
            for region in phonenumbers.SUPPORTED_REGIONS
            if region != HOME_COUNTRY and phonenumbers.example_number(region) is not None
        )
    )


def check_search(search):
    """Return search tidied up (upper case, no spaces), or raise ValidationError by field."""
    search = replace(
        search,
        country=search.country.strip().upper(),
        area_code=search.area_code.strip(),
        city=" ".join(search.city.split()),
        state=search.state.strip().upper(),
        contains=re.sub(r"[\s\-().]", "", search.contains),
        vanity=re.sub(r"[\s\-]", "", search.vanity).upper(),
    )
    errors = {}
    if search.kind not in Kind.values:
        errors["kind"] = "Choose the kind of number."
    if not 1 <= search.quantity <= MAX_QUANTITY:
        errors["quantity"] = f"Enter a quantity from 1 to {MAX_QUANTITY}."
    if search.kind == Kind.INTERNATIONAL:
        if search.country not in international_countries():
            errors["country"] = "Choose a country from the list."
    elif search.country != HOME_COUNTRY:
        errors["country"] = "US Domestic, Toll-Free and Temporary numbers are in the United States."
    if search.area_code and not re.fullmatch(r"\d{3}", search.area_code):
        errors["area_code"] = "Enter the area code as three digits, e.g. 303."
    elif (
        search.area_code
        and search.kind == Kind.TOLL_FREE
        and search.area_code not in toll_free_area_codes()
    ):
        errors["area_code"] = "Toll-free prefixes are " + ", ".join(toll_free_area_codes()) + "."
    if search.state and not re.fullmatch(r"[A-Z]{2}", search.state):
        errors["state"] = "Enter the state as its two-letter code, e.g. CO."
    if search.contains:
        if re.search(r"[A-Za-z]", search.contains):
            errors["contains"] = (
                "Enter digits only; letters are for vanity toll-free numbers (1-800-FLOWERS)."
            )
        elif not re.fullmatch(rf"\d{{1,{MAX_CONTAINS}}}", search.contains):
            errors["contains"] = f"Enter 1 to {MAX_CONTAINS} digits."
    if search.vanity:
        if search.kind != Kind.TOLL_FREE:
            errors["vanity"] = "Vanity letters are for toll-free numbers only."
        elif not re.fullmatch(rf"[A-Z0-9]{{1,{MAX_VANITY}}}", search.vanity):
            errors["vanity"] = f"Enter up to {MAX_VANITY} letters or digits, e.g. FLOWERS."
    if search.kind == Kind.TOLL_FREE and (search.city or search.state):
        errors["city"] = "Toll-free numbers have no city or state: leave them empty."
    if errors:
        raise ValidationError(errors)
    return search
