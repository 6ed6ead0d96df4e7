"""The sandbox carrier gateway: fixed, deterministic answers for the demo, the tests and trials.

Everything follows from the digits of the number, so a tester can tell the answer beforehand.
The rules, for a number in E.164:

Which numbers it reads
- "+" then digits only: +1 and 10 digits (NANP), or another country code phonenumbers knows
  and 7 to 15 digits in all. Anything else (no "+", letters, a wrong length, an unknown or
  non-geographic country code such as +800) is not portable, reason "not a number the carrier
  knows", with no carrier.

Not portable, by the last two digits
    13  number disconnected
    44  rate center not portable (geographic NANP numbers only: toll-free and international
        numbers ending 44 are portable)
    66  pending order on the number
    97  carrier freeze
  Every other ending is portable: 3 or 4 numbers in 100 are not. The numbers of the demo and
  the tests, which mostly end 00, 01, 23, 34, 42 or 99, are portable.

Line type, by the digit before the last
    7  wireless (the form then asks for the account number and PIN)
    8  VoIP
    else wireline
  Toll-free numbers are always wireline.

Current carrier and SPID
- Geographic NANP numbers: by the area code (NPA) modulo 6, so the numbers of one area code
  share a carrier and a mixed list shows several:
    0  Summit Telephone             1234   (720, 312, ...)
    1  Harbor Light Communications  2468   (415, ...)
    2  Canyon State Telecom         3579   (212, ...)
    3  Lakeshore Telephone Co.      4680   (303, ...)
    4  Redwood Valley Networks      5791
    5  Bluegrass Connect            6802   (617, ...)
- Toll-free (+1 800, 833, 844, 855, 866, 877, 888): the RespOrg managing them, by the prefix:
  even (800, 844, 866, 888) Beacon Toll-Free Services, 8B01; odd (833, 855, 877) Keystone
  RespOrg, 8K02.
- Other countries: "Meridian Telecom (<country>)", e.g. Meridian Telecom (GB) for +44, with no
  SPID: SPIDs are the NANP's.

Rate center (geographic NANP numbers only; "" for the others)
  The city phonenumbers' geocoder names for the number's exchange (NPA-NXX) or its whole area
  code, "Cambridge, MA" (+1 617 496), "New York, NY" (+1 212); where it names only the state,
  the state and the area code, "Colorado (303)"; where it names nothing, "Area code 905".

Customer Service Records (customer_record), by BTN; any other BTN has none (None):
    +13037474100  Demo Communications Inc.  8842-1107   1600 Glenarm Pl, Suite 400,
                                                         Denver, CO 80202, US
    +12122671400  Acme Telecom              ACM-55210   120 Broadway, Floor 12,
                                                         New York, NY 10271, US
    +13122630170  Northwind Voice LLC       7720-0931   233 S Wacker Dr, Suite 5200,
                  (a wireless BTN)                       Chicago, IL 60606, US
    +16174962350  Globex                    GX-310455   1 Broadway, Cambridge, MA 02142, US

Earliest port date (earliest_port_date): the 3rd business day after today (US Domestic and
International), the 5th for Toll-Free; weekends and US federal holidays are not business days
(porting.calendar). Ordered on Monday, a US Domestic port may happen on Thursday.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.geodata import GEOCODE_DATA

from phone_numbers.supply import toll_free_area_codes

from .. import calendar
from ..models import PortKind, PortNumber
from . import CustomerRecord, LineType, Portability

UNREADABLE = "not a number the carrier knows"
NOT_PORTABLE = {
    "13": "number disconnected",
    "44": "rate center not portable",
    "66": "pending order on the number",
    "97": "carrier freeze",
}
# Toll-free and international numbers have no rate center.
NOT_PORTABLE_WITHOUT_RATE_CENTER = {
    ending: reason for ending, reason in NOT_PORTABLE.items() if ending != "44"
}
LINE_TYPES = {"7": LineType.WIRELESS, "8": LineType.VOIP}  # by the digit before the last
NANP_CARRIERS = (
    ("Summit Telephone", "1234"),
    ("Harbor Light Communications", "2468"),
    ("Canyon State Telecom", "3579"),
    ("Lakeshore Telephone Co.", "4680"),
    ("Redwood Valley Networks", "5791"),
    ("Bluegrass Connect", "6802"),
)
TOLL_FREE_CARRIERS = (("Beacon Toll-Free Services", "8B01"), ("Keystone RespOrg", "8K02"))
INTERNATIONAL_CARRIER = "Meridian Telecom ({region})"
NON_GEOGRAPHIC_REGION = "001"  # phonenumbers' region of +800, +882, ...
INTERNATIONAL_LENGTHS = range(7, 16)  # digits after the "+"
RATE_CENTER_LENGTH = PortNumber._meta.get_field("rate_center").max_length
BUSINESS_DAYS_AHEAD = {PortKind.TOLL_FREE: 5}
DEFAULT_BUSINESS_DAYS_AHEAD = 3

CUSTOMER_RECORDS = {
    record.btn: record
    for record in (
        CustomerRecord(
            btn="+13037474100",
            account_holder="Demo Communications Inc.",
            account_number="8842-1107",
            address={
                "number": "1600",
                "street": "Glenarm Pl",
                "unit": "Suite 400",
                "city": "Denver",
                "state": "CO",
                "postal_code": "80202",
                "country": "US",
            },
        ),
        CustomerRecord(
            btn="+12122671400",
            account_holder="Acme Telecom",
            account_number="ACM-55210",
            address={
                "number": "120",
                "street": "Broadway",
                "unit": "Floor 12",
                "city": "New York",
                "state": "NY",
                "postal_code": "10271",
                "country": "US",
            },
        ),
        CustomerRecord(
            btn="+13122630170",
            account_holder="Northwind Voice LLC",
            account_number="7720-0931",
            address={
                "number": "233",
                "street": "S Wacker Dr",
                "unit": "Suite 5200",
                "city": "Chicago",
                "state": "IL",
                "postal_code": "60606",
                "country": "US",
            },
        ),
        CustomerRecord(
            btn="+16174962350",
            account_holder="Globex",
            account_number="GX-310455",
            address={
                "number": "1",
                "street": "Broadway",
                "unit": "",
                "city": "Cambridge",
                "state": "MA",
                "postal_code": "02142",
                "country": "US",
            },
        ),
    )
}


@dataclass(frozen=True)
class Origin:
    """What the numbers of one area code, or one country, share."""

    carrier: str
    spid: str
    not_portable: dict  # reason by the last two digits
    line_types: dict  # line type by the digit before the last; else wireline
    has_rate_centers: bool = False
    # The rate center of the area code's exchanges the geocoder names no city for.
    rate_center: str = ""


class SandboxGateway:
    def lookup(self, e164s: list[str]) -> dict[str, Portability]:
        # Called with lists of up to 100,000 numbers: everything that depends on more than
        # the digits themselves is looked up in tables made once per process.
        area_codes = _area_codes()
        exchange_cities = _exchange_cities()
        countries = _countries()
        answers = {}
        for e164 in e164s:
            digits = e164[1:]
            origin = None
            if e164[:1] == "+" and digits.isdigit() and digits.isascii():
                if digits[0] == "1":
                    if len(digits) == 11:
                        origin = area_codes.get(digits[1:4])
                elif len(digits) in INTERNATIONAL_LENGTHS:
                    origin = countries.get(digits[:3])
            if origin is None:
                answers[e164] = Portability(e164, False, UNREADABLE)
                continue
            if origin.has_rate_centers:
                rate_center = exchange_cities.get(digits[1:7]) or origin.rate_center
            else:
                rate_center = ""
            reason = origin.not_portable.get(digits[-2:], "")
            line_type = origin.line_types.get(digits[-2], LineType.WIRELINE)
            answers[e164] = Portability(
                e164, not reason, reason, origin.carrier, origin.spid, line_type, rate_center
            )
        return answers

    def customer_record(self, btn: str) -> CustomerRecord | None:
        return CUSTOMER_RECORDS.get(btn)

    def earliest_port_date(self, kind: str, today: date) -> date:
        days = BUSINESS_DAYS_AHEAD.get(kind, DEFAULT_BUSINESS_DAYS_AHEAD)
        return calendar.add_business_days(today, days)


def _place(prefix):
    """The geocoder's place for a NANP prefix in English: "Cambridge, MA", "Colorado", ""."""
    return GEOCODE_DATA.get("1" + prefix, {}).get("en", "")


@cache
def _area_codes():
    """{NPA: Origin} for the NANP area codes 200 to 999."""
    toll_free = toll_free_area_codes()
    origins = {}
    for number in range(200, 1000):
        npa = str(number)
        if npa in toll_free:
            carrier, spid = TOLL_FREE_CARRIERS[number % len(TOLL_FREE_CARRIERS)]
            origins[npa] = Origin(carrier, spid, NOT_PORTABLE_WITHOUT_RATE_CENTER, {})
            continue
        carrier, spid = NANP_CARRIERS[number % len(NANP_CARRIERS)]
        place = _place(npa)
        if ", " in place:  # one city for the whole area code
            rate_center = place[:RATE_CENTER_LENGTH]
        else:
            rate_center = f"{place} ({npa})" if place else f"Area code {npa}"
        origins[npa] = Origin(
            carrier, spid, NOT_PORTABLE, LINE_TYPES, has_rate_centers=True, rate_center=rate_center
        )
    return origins


@cache
def _exchange_cities():
    """{NPA-NXX digits: "City, ST"} where the geocoder names a city for the exchange.

    The geocoder describes NANP prefixes of 4 to 7 digits after the 1; the longest describing
    an exchange decides.
    """
    places = {}
    prefixes = sorted(
        (key[1:] for key in GEOCODE_DATA if key[0] == "1" and 5 <= len(key) <= 7), key=len
    )
    for prefix in prefixes:
        missing = 6 - len(prefix)
        for tail in range(10**missing):
            places[prefix + (f"{tail:0{missing}d}" if missing else "")] = _place(prefix)
    return {
        exchange: place[:RATE_CENTER_LENGTH] for exchange, place in places.items() if ", " in place
    }


@cache
def _countries():
    """{first three digits: Origin} for the numbers of every country outside the NANP (+1).

    Country codes are prefix-free: at most one of the first one, two or three digits is one.
    Non-geographic codes (+800, +882, ...) have no origin.
    """
    origins = {}
    for number in range(200, 1000):
        first = str(number)
        for length in (1, 2, 3):
            regions = COUNTRY_CODE_TO_REGION_CODE.get(int(first[:length]))
            if regions:
                if regions[0] != NON_GEOGRAPHIC_REGION:
                    origins[first] = Origin(
                        INTERNATIONAL_CARRIER.format(region=regions[0]),
                        "",
                        NOT_PORTABLE_WITHOUT_RATE_CENTER,
                        LINE_TYPES,
                    )
                break
    return origins
