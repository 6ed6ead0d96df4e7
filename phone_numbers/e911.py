"""E911 addresses: where emergency services are sent when a number dials 911.

An address is attached to numbers only once it is a dispatchable US street address in USPS
Publication 28 form (capitals, standard suffixes and unit designators: "1801 CALIFORNIA ST",
"STE 2400"), as normalized by usaddress-scourgify. Before that it must name a US state, a ZIP
code of 5 or 5+4 digits and a street with a house number: a PO box or a street without a number
cannot be found by a 911 dispatcher.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from scourgify import normalize_address_record
from scourgify.exceptions import AddressNormalizationError

from trunks.addresses import SUBDIVISIONS

from .models import E911Address

FIELDS = ("street", "unit", "city", "state", "zip_code")
ZIP_CODE = re.compile(r"\d{5}(-\d{4})?")
HOUSE_NUMBER = re.compile(r"\d+[A-Z]?(-\d+[A-Z]?)?\s")
EXAMPLE = "enter e.g. 1801 California St."
PO_BOX = re.compile(r"\b(P\.?\s*O\.?\s*BOX|POST OFFICE BOX)\b", re.IGNORECASE)


def normalize(fields):
    """Return the address of fields (street, unit, city, state, zip_code) in Pub 28 form.

    Raises ValidationError by field ({"street": ..., "state": ...}) when it cannot be validated.
    """
    values = {name: " ".join(str(fields.get(name) or "").split()) for name in FIELDS}
    errors = {}
    if not values["street"]:
        errors["street"] = "Enter the street address, e.g. 1801 California St."
    elif PO_BOX.search(values["street"]):
        errors["street"] = "A PO box cannot receive emergency services: enter a street address."
    if not values["city"]:
        errors["city"] = "Enter the city."
    state = SUBDIVISIONS["US"].get(values["state"].lower())
    if not values["state"]:
        errors["state"] = "Enter the state, e.g. CO."
    elif state is None:
        errors["state"] = (
            f"“{values['state']}” is not a US state: enter its two-letter code, e.g. CO, "
            "or its name."
        )
    if not values["zip_code"]:
        errors["zip_code"] = "Enter the ZIP code, e.g. 80202."
    elif not ZIP_CODE.fullmatch(values["zip_code"]):
        errors["zip_code"] = (
            f"“{values['zip_code']}” is not a US ZIP code: it looks like 80202 or 80202-1234."
        )
    if errors:
        raise ValidationError(errors)
    try:
        record = normalize_address_record(
            {
                "address_line_1": values["street"],
                "address_line_2": values["unit"] or None,
                "city": values["city"],
                "state": state,
                "postal_code": values["zip_code"],
            }
        )
    except AddressNormalizationError:
        raise ValidationError(
            {"street": f"This street address could not be recognised: {EXAMPLE}"}
        ) from None
    street = record["address_line_1"] or ""
    if not HOUSE_NUMBER.match(street):
        raise ValidationError(
            {"street": f"Enter the house or building number with the street: {EXAMPLE}"}
        )
    return {
        "street": street,
        "unit": record["address_line_2"] or "",
        "city": record["city"] or values["city"].upper(),
        "state": state,
        "zip_code": record["postal_code"] or values["zip_code"],
    }


def add_address(enterprise, fields, *, by):
    """Return the enterprise's E911 address for fields, validated and in Pub 28 form.

    The same address entered twice (in any spelling that normalizes alike) is the same row, so
    that numbers at one place share one address. Raises ValidationError by field. `by` is the
    acting user, kept for the history of the numbers the address is then attached to.
    """
    address = normalize(fields)
    label = " ".join(str(fields.get("label") or "").split())
    with transaction.atomic():
        existing = (
            E911Address.objects.filter(enterprise=enterprise, **address, country="US")
            .order_by("id")
            .first()
        )
        if existing is not None:
            if label and not existing.label:
                existing.label = label
                existing.save(update_fields=["label"])
            return existing
        return E911Address.objects.create(enterprise=enterprise, label=label, **address)
