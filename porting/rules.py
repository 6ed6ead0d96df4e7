"""What a port order must hold before it is submitted, and how it compares with what the
current carrier has on file.

check_submission() is the one place these rules live: the port form shows its errors beside
the fields, and services.submit() calls it again in the transaction that places the order.
"""

import re

from django.core.exceptions import ValidationError

from phone_numbers.rules import check_e164
from trunks.addresses import COUNTRY_NAMES, check_location

from . import calendar, checking
from .carriers import gateway
from .models import ADDRESS_FIELDS

# What must be filled in to submit; a draft may leave any of it empty.
REQUIRED = {
    "address_number": "Enter the house number of the service address.",
    "address_street": "Enter the street of the service address.",
    "address_city": "Enter the city of the service address.",
    "current_carrier": "Enter the carrier the numbers are with now.",
    "account_holder": "Enter the account holder's name as the current carrier's bill shows it.",
    "btn": "Enter the Billing Telephone Number (BTN) of the account, e.g. +13075551212.",
    "account_number": "Enter the account number with the current carrier.",
    "authorized_name": "Enter the name of the person who authorizes the port.",
    "authorized_title": "Enter the title of the person who authorizes the port.",
    "requested_at": "Choose the requested port date and time.",
}
# Address words the carriers' records spell either way.
ABBREVIATIONS = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "BOULEVARD": "BLVD",
    "PLACE": "PL",
    "ROAD": "RD",
    "DRIVE": "DR",
    "LANE": "LN",
    "COURT": "CT",
    "PARKWAY": "PKWY",
    "HIGHWAY": "HWY",
    "SUITE": "STE",
    "FLOOR": "FL",
    "APARTMENT": "APT",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
}
COMPANY_SUFFIXES = {"INC", "INCORPORATED", "LLC", "LTD", "CORP", "CORPORATION", "CO", "COMPANY"}


def check_address(values):
    """The service address's state, postal code and country as stored (the country's ISO
    code); ValidationError by form field."""
    country = values.get("address_country") or "US"
    try:
        state, postal_code, _name = check_location(
            state=values.get("address_state", ""),
            zip_code=values.get("address_postal_code", ""),
            country=COUNTRY_NAMES.get(country, country),
        )
    except ValidationError as error:
        names = {"state": "address_state", "zip_code": "address_postal_code"}
        raise ValidationError(
            {
                names.get(field, "address_country"): messages
                for field, messages in error.message_dict.items()
            }
        ) from None
    return {"address_state": state, "address_postal_code": postal_code}


def check_submission(*, kind, values, port_list, now):
    """Raise ValidationError by field for what keeps the order from being submitted.

    values are the PortOrder fields as the form cleaned them.
    """
    errors = {field: message for field, message in REQUIRED.items() if not values.get(field)}
    try:
        check_address(values)
    except ValidationError as error:
        errors.update(error.message_dict)
    for field in ("btn", "new_btn"):
        if values.get(field):
            try:
                check_e164(values[field])
            except ValidationError as error:
                errors[field] = error.messages
    errors.update(_numbers_errors(values, port_list))
    if values.get("requested_at") and "requested_at" not in errors:
        try:
            calendar.check_slot(kind, values["requested_at"], now)
        except ValidationError as error:
            errors["requested_at"] = error.messages
    if errors:
        raise ValidationError(errors)
    differences = record_differences(values)
    if differences and not values.get("record_differences_confirmed"):
        raise ValidationError(
            {
                **differences,
                "record_differences_confirmed": (
                    "What you entered differs from the current carrier's record, and the "
                    "carrier rejects a port that does not match it. Correct it, or tick this "
                    "box if you know the record is out of date."
                ),
            }
        )


def _numbers_errors(values, port_list):
    if port_list is None or port_list.total == 0:
        return {"port_numbers": "Add the numbers to port: click Port Numbers."}
    errors = {}
    pin_given = bool(values.get("account_number") and values.get("account_pin"))
    if port_list.error_count:
        count = port_list.error_count
        errors["port_numbers"] = (
            f"{count:,} number{'s have' if count != 1 else ' has'} errors: open Review Numbers "
            "to see why, and correct or remove them."
        )
    elif checking.conflicts_now(port_list):
        errors["port_numbers"] = (
            "Some numbers have been added to your inventory or to another port order since "
            "they were checked: save the Port Numbers list again to see which."
        )
    if port_list.wireless_count and not pin_given:
        count = port_list.wireless_count
        errors["account_pin"] = (
            f"{count:,} of the numbers {'are' if count != 1 else 'is'} wireless: enter the "
            "account number and PIN, or the current carrier rejects the port."
        )
    btn = values.get("btn")
    if btn and "port_numbers" not in errors:
        btn_ported = port_list.numbers.filter(e164=btn).exists()
        if values.get("partial") and btn_ported and not values.get("new_btn"):
            errors["new_btn"] = (
                "The BTN is one of the numbers you port, and a partial port leaves services "
                "behind: enter the new BTN for the services that stay."
            )
        elif values.get("partial") and btn_ported and values.get("new_btn"):
            if port_list.numbers.filter(e164=values["new_btn"]).exists():
                errors["new_btn"] = (
                    "The new BTN stays with the current carrier: it cannot be one of the "
                    "numbers you port."
                )
        elif not values.get("partial") and not btn_ported:
            errors["partial"] = (
                "A full port moves every number of the account, the BTN too: add the BTN to "
                "the numbers, or keep Partial Port checked."
            )
    return errors


def record_differences(values):
    """{field: message} where the entries differ from the current carrier's Customer Service
    Record for the BTN; {} when they match or the carrier has no record to compare with."""
    btn = values.get("btn")
    record = gateway().customer_record(btn) if btn else None
    if record is None:
        return {}
    return differences_from(values, record)


def differences_from(values, record):
    """{field: message} where the port order's values differ from the CustomerRecord: what the
    carrier compares, as it compares it (case, punctuation and street abbreviations aside)."""
    differences = {}
    if _company(values.get("account_holder")) != _company(record.account_holder):
        differences["account_holder"] = (
            f"The current carrier's record has the account holder as “{record.account_holder}”."
        )
    if _plain(values.get("account_number")) != _plain(record.account_number):
        differences["account_number"] = (
            f"The current carrier's record has the account number {record.account_number}."
        )
    entered = {name.removeprefix("address_"): values.get(name, "") for name in ADDRESS_FIELDS}
    for part, label in (
        ("number", "house number"),
        ("street", "street"),
        ("unit", "unit"),
        ("city", "city"),
        ("state", "state"),
        ("postal_code", "postal code"),
    ):
        on_file = record.address.get(part, "")
        if _address_words(entered.get(part)) != _address_words(on_file):
            differences[f"address_{part}"] = (
                f"The current carrier's record has the {label} as “{on_file}”."
                if on_file
                else f"The current carrier's record has no {label}."
            )
    return differences


def _plain(value):
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


def _address_words(value):
    words = re.sub(r"[^A-Z0-9 ]", " ", (value or "").upper()).split()
    return " ".join(ABBREVIATIONS.get(word, word) for word in words)


def _company(value):
    words = re.sub(r"[^A-Z0-9 ]", " ", (value or "").upper()).split()
    return " ".join(word for word in words if word not in COMPANY_SUFFIXES)
