"""The one gateway to the carriers numbers are ported from.

The portal asks it three things before a port order is placed:

- `lookup(e164s)`: for each number, whether our vendors can port it (and why not), the current
  carrier with its SPID, the line type (wireline, wireless, VoIP) and the rate center;
- `customer_record(btn)`: the Customer Service Record (CSR) the current carrier holds for a
  billing telephone number, or None when it cannot be read; the port form compares what the
  customer entered with it before the order is submitted;
- `earliest_port_date(kind, today)`: the first day the carrier may be asked to port on.

settings.PORT_CARRIER_GATEWAY names the class; the sandbox (porting.carriers.sandbox) is the
default, for the demo and the tests. The next porting steps (submitting batches, FOC dates)
are added to this same interface.
"""

from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


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


class CarrierGateway(Protocol):
    def lookup(self, e164s: list[str]) -> dict[str, Portability]: ...

    def customer_record(self, btn: str) -> CustomerRecord | None: ...

    def earliest_port_date(self, kind: str, today: date) -> date: ...


@cache
def _gateway_class(path):
    return import_string(path)


def gateway() -> CarrierGateway:
    """The carrier gateway settings.PORT_CARRIER_GATEWAY names."""
    return _gateway_class(settings.PORT_CARRIER_GATEWAY)()
