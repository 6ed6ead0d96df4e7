"""The one gateway to the carriers numbers are ported from.

Before a port order is placed, the portal asks it three things:

- `lookup(e164s)`: for each number, whether our vendors can port it (and why not), the current
  carrier with its SPID, the line type (wireline, wireless, VoIP) and the rate center;
- `customer_record(btn)`: the Customer Service Record (CSR) the current carrier holds for a
  billing telephone number, or None when it cannot be read; the port form compares what the
  customer entered with it before the order is submitted;
- `earliest_port_date(kind, today)`: the first day the carrier may be asked to port on.

Once the order's documents are in, each batch is one port request to its carrier. The carrier
knows a request by its PON (our batch reference, PO-7K3M9Q-1) and its version (0, then 1, 2, ...
for each supplement sent after a rejection):

- `submit(request)`: send the PortRequest. The answer is RECEIVED (with the carrier's own
  reference) or, at once, REJECTED. A carrier refuses a PON and version it already has, so the
  portal never sends one twice: before sending again after an attempt that may have reached the
  carrier (a worker killed mid-call, a timeout), it asks `find`.
- `find(pon, version)`: the carrier's answer for that request if it has it, else None.
- `status(pon, version)`: where the request stands now: RECEIVED, FOC (with the FOC date: the
  carrier commits to release the numbers on it), REJECTED (with the reasons), COMPLETED (the
  numbers are ours) or CANCELLED. The portal asks every minute (porting.submission.poll_carriers).
- `cancel(pon, version)`: withdraw the request; the answer is CANCELLED, or the request as it
  stands when it is too late (COMPLETED).

Every call raises CarrierUnavailable when the carrier cannot be reached or answers with an
error: the portal tries again later (with backoff), and alerts staff when it keeps failing.
Rejection reasons are codes of REJECTION_REASONS, so the portal can point the customer at the
field to correct; a carrier's adapter maps its own codes to these (unknown ones to "other",
with the carrier's words as the message).

settings.PORT_CARRIER_GATEWAY names the class; the sandbox (porting.carriers.sandbox, rules in
its docstring) is the default, for the demo and the tests.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from ..models import ADDRESS_FIELDS


class LineType:
    WIRELINE = "wireline"
    WIRELESS = "wireless"
    VOIP = "voip"

    LABELS = {WIRELINE: "Wireline", WIRELESS: "Wireless", VOIP: "VoIP"}


@dataclass(frozen=True)
class Portability:
    e164: str
    portable: bool
    reason: str = ""  # why not, in words: "rate center not portable"
    carrier: str = ""  # the current (losing) carrier
    spid: str = ""  # its service provider ID, four characters
    line_type: str = LineType.WIRELINE
    rate_center: str = ""


@dataclass(frozen=True)
class CustomerRecord:
    """What the current carrier has on file for a billing telephone number."""

    btn: str
    account_holder: str
    account_number: str
    # The service address as the carrier holds it: number, street, unit, city, state,
    # postal_code, country (ISO alpha-2).
    address: dict
    # The PIN that guards the account's wireless numbers, if it has one.
    pin: str = ""


# Why a carrier rejects a port request: the code, the customer's words, and the port order
# fields to correct (none: the fix is not a field, e.g. a new LOA).
REJECTION_REASONS = {
    "account_holder_mismatch": (
        "The account holder's name does not match the current carrier's record.",
        ("account_holder",),
    ),
    "address_mismatch": (
        "The service address does not match the current carrier's record.",
        ADDRESS_FIELDS,
    ),
    "btn_mismatch": (
        "The current carrier has no account with this Billing Telephone Number (BTN).",
        ("btn",),
    ),
    "account_number_mismatch": (
        "The account number does not match the current carrier's record.",
        ("account_number",),
    ),
    "pin_invalid": (
        "The account PIN is missing or wrong: wireless numbers need the PIN on the account.",
        ("account_pin",),
    ),
    "btn_ported_partial": (
        "The BTN itself is ported in a partial port: give a new BTN for the services that stay.",
        ("new_btn",),
    ),
    "authorized_person_mismatch": (
        "The authorized person is not on the current carrier's account.",
        ("authorized_name", "authorized_title"),
    ),
    "port_type_incorrect": (
        "Partial or full port does not match the account: check Partial Port.",
        ("partial",),
    ),
    "loa_illegible": ("The LOA could not be read: upload a clear signed copy.", ()),
    "other": ("The current carrier rejected the request.", ()),
}


class RequestState:
    RECEIVED = "received"
    FOC = "foc"
    REJECTED = "rejected"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Rejection:
    code: str  # a key of REJECTION_REASONS
    message: str  # the carrier's words


@dataclass(frozen=True)
class PortRequest:
    """What a batch asks its carrier: the account, the numbers, the date."""

    pon: str
    version: int
    kind: str
    carrier: str
    spid: str
    numbers: tuple[str, ...]
    has_wireless: bool
    account_holder: str
    account_number: str
    account_pin: str
    btn: str
    # number, street, unit, city, state, postal_code, country: as CustomerRecord.address.
    address: dict
    authorized_name: str
    authorized_title: str
    partial: bool
    new_btn: str
    requested_at: datetime


@dataclass(frozen=True)
class CarrierAnswer:
    pon: str
    version: int
    state: str  # a RequestState
    carrier_reference: str = ""
    foc_date: date | None = None
    rejections: tuple[Rejection, ...] = field(default_factory=tuple)

    def in_words(self):
        words = {
            RequestState.RECEIVED: "received",
            RequestState.FOC: f"FOC confirmed for {self.foc_date}",
            RequestState.REJECTED: "rejected: "
            + "; ".join(rejection.message for rejection in self.rejections),
            RequestState.COMPLETED: "completed",
            RequestState.CANCELLED: "cancelled",
        }[self.state]
        reference = f" ({self.carrier_reference})" if self.carrier_reference else ""
        return f"{words}{reference}"

    def as_json(self):
        return {
            "state": self.state,
            "carrier_reference": self.carrier_reference,
            "foc_date": self.foc_date.isoformat() if self.foc_date else None,
            "rejections": [
                {"code": rejection.code, "message": rejection.message}
                for rejection in self.rejections
            ],
        }


class CarrierUnavailable(Exception):
    """The carrier could not be reached or answered with an error: try again later."""


class CarrierGateway(Protocol):
    def lookup(self, e164s: list[str]) -> dict[str, Portability]: ...

    def customer_record(self, btn: str) -> CustomerRecord | None: ...

    def earliest_port_date(self, kind: str, today: date) -> date: ...

    def submit(self, request: PortRequest) -> CarrierAnswer: ...

    def find(self, pon: str, version: int) -> CarrierAnswer | None: ...

    def status(self, pon: str, version: int) -> CarrierAnswer: ...

    def cancel(self, pon: str, version: int) -> CarrierAnswer: ...


@cache
def _gateway_class(path):
    return import_string(path)


def gateway() -> CarrierGateway:
    """The carrier gateway settings.PORT_CARRIER_GATEWAY names."""
    return _gateway_class(settings.PORT_CARRIER_GATEWAY)()
