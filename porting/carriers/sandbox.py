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

Port requests (submit, find, status, cancel)
- Every request received is kept (SandboxPortRequest, one row each, written at once as the
  carrier's own system would, whatever the portal's transaction does). A PON and version
  received before is kept again and answered as the first time: a test sees a request sent
  twice as two rows.
- The request is checked against the Customer Service Record of its BTN (the table above):
    no record for the BTN                                     btn_mismatch
    account holder, account number or address differs         account_holder_mismatch,
      (as the port form's own pre-check compares them)        account_number_mismatch,
                                                              address_mismatch
    wireless numbers, and the PIN is not the record's         pin_invalid (Northwind's BTN is
      (a record without a PIN takes any non-empty PIN)         wireless, its PIN 4821)
    a partial port that ports the BTN without a new BTN       btn_ported_partial
- Time: the sandbox's day lasts settings.PORT_SANDBOX_DAY_SECONDS real seconds (86400 for real
  time; 120 by default, so the demo moves in minutes). Two sandbox hours after receiving a
  request it answers: REJECTED with the reasons above, or FOC with the FOC date: the requested
  date (Eastern), or the earliest port date counted from the day it received the request if
  that is later. The request completes on the FOC date, at the requested time of day (9:00 AM
  Eastern when none was asked). Until its answer a request is RECEIVED.
- cancel: a request not completed yet is CANCELLED; a completed one stays COMPLETED.
- The carrier's reference of a request is "SBX-" and the first 8 hex digits of the SHA-256 of
  its PON and version.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.conf import settings
from django.utils import timezone
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
from phonenumbers.geodata import GEOCODE_DATA

from phone_numbers.supply import toll_free_area_codes

from .. import calendar
from ..models import PortKind, PortNumber, SandboxPortRequest
from ..rules import differences_from
from . import (
    REJECTION_REASONS,
    CarrierAnswer,
    CustomerRecord,
    LineType,
    Portability,
    PortRequest,
    Rejection,
    RequestState,
)

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
            pin="4821",
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

    def submit(self, request: PortRequest) -> CarrierAnswer:
        first = self._received(request.pon, request.version)
        received_at = first.received_at if first else timezone.now()
        rejections = _rejections(request, self.customer_record(request.btn))
        foc_date = completes_at = None
        if not rejections:
            foc_date, completes_at = self._foc(request, received_at)
        kept = SandboxPortRequest.objects.create(
            pon=request.pon,
            version=request.version,
            received_at=received_at,
            carrier_reference=_reference(request.pon, request.version),
            numbers=len(request.numbers),
            rejected=[{"code": r.code, "message": r.message} for r in rejections],
            foc_date=foc_date,
            completes_at=completes_at,
        )
        return CarrierAnswer(
            request.pon, request.version, RequestState.RECEIVED, kept.carrier_reference
        )

    def find(self, pon: str, version: int) -> CarrierAnswer | None:
        if self._received(pon, version) is None:
            return None
        return CarrierAnswer(pon, version, RequestState.RECEIVED, _reference(pon, version))

    def status(self, pon: str, version: int) -> CarrierAnswer:
        kept = self._received(pon, version)
        if kept is None:
            return CarrierAnswer(
                pon,
                version,
                RequestState.REJECTED,
                rejections=(Rejection("other", "Unknown PON."),),
            )
        now = timezone.now()
        answer = {"pon": pon, "version": version, "carrier_reference": kept.carrier_reference}
        if kept.cancelled_at:
            return CarrierAnswer(state=RequestState.CANCELLED, **answer)
        if now < kept.received_at + _sandbox_time(timedelta(hours=2)):
            return CarrierAnswer(state=RequestState.RECEIVED, **answer)
        if kept.rejected:
            rejections = tuple(Rejection(r["code"], r["message"]) for r in kept.rejected)
            return CarrierAnswer(state=RequestState.REJECTED, rejections=rejections, **answer)
        if now < kept.completes_at:
            return CarrierAnswer(state=RequestState.FOC, foc_date=kept.foc_date, **answer)
        return CarrierAnswer(state=RequestState.COMPLETED, foc_date=kept.foc_date, **answer)

    def cancel(self, pon: str, version: int) -> CarrierAnswer:
        answer = self.status(pon, version)
        if answer.state in (RequestState.COMPLETED, RequestState.CANCELLED):
            return answer
        SandboxPortRequest.objects.filter(pon=pon, version=version).update(
            cancelled_at=timezone.now()
        )
        return self.status(pon, version)

    def _received(self, pon, version):
        return (
            SandboxPortRequest.objects.filter(pon=pon, version=version)
            .order_by("received_at", "id")
            .first()
        )

    def _foc(self, request, received_at):
        """The FOC date, and the real time the request completes on it."""
        requested = request.requested_at.astimezone(calendar.EASTERN)
        earliest = self.earliest_port_date(
            request.kind, received_at.astimezone(calendar.EASTERN).date()
        )
        foc_date = max(requested.date(), earliest)
        at = requested.time() if foc_date == requested.date() else time(9)
        completes = datetime.combine(foc_date, at, tzinfo=calendar.EASTERN)
        return foc_date, received_at + _sandbox_time(max(completes - received_at, timedelta(0)))


def _sandbox_time(duration):
    """The real time a sandbox duration takes."""
    return duration * settings.PORT_SANDBOX_DAY_SECONDS / 86400


def _reference(pon, version):
    return "SBX-" + hashlib.sha256(f"{pon}/{version}".encode()).hexdigest()[:8].upper()


def _rejections(request, record):
    if record is None:
        return [_rejection("btn_mismatch")]
    values = {
        "account_holder": request.account_holder,
        "account_number": request.account_number,
        **{f"address_{part}": value for part, value in request.address.items()},
    }
    differences = differences_from(values, record)
    rejections = []
    if "account_holder" in differences:
        rejections.append(_rejection("account_holder_mismatch", differences["account_holder"]))
    if "account_number" in differences:
        rejections.append(_rejection("account_number_mismatch", differences["account_number"]))
    address = [message for name, message in differences.items() if name.startswith("address_")]
    if address:
        rejections.append(_rejection("address_mismatch", " ".join(address)))
    pin = request.account_pin.strip()
    if request.has_wireless and (not pin or (record.pin and pin != record.pin)):
        rejections.append(_rejection("pin_invalid"))
    if request.partial and request.btn in request.numbers and not request.new_btn:
        rejections.append(_rejection("btn_ported_partial"))
    return rejections


def _rejection(code, detail=""):
    message = REJECTION_REASONS[code][0]
    return Rejection(code, f"{message} {detail}".strip())


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
