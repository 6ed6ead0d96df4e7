"""The one payment gateway invoices are paid through.

Card and bank details never reach the portal (PCI DSS SAQ-A): the customer types them into the
gateway's own hosted page, and the portal only ever holds the gateway's tokens. An adapter for a
real gateway implements PaymentGateway:

- `start_session(kind=, amount=, invoice_number=, idempotency_key=, return_url=)`: open a hosted
  page where the customer enters a card (kind "card") or a bank account ("bank"); returns the
  URL to send the browser to. amount is None when the details are only to be saved. When the
  customer is done the gateway sends the browser back to return_url with `token=<token>` added
  to its query string (or `cancelled=1`): a one-time token, nothing else.
- `describe(token)`: the MethodDetails of a token (its kind and the label the customer knows it
  by: "Visa ending 4242", expiry), or None when the gateway does not know it (expired, made up).
- `save_method(token)`: turn a one-time token into a reusable one, for a saved payment method
  and AutoPay; returns its MethodDetails. Raises GatewayUnavailable.
- `charge(token, amount, idempotency_key)`: take amount (Decimal, dollars) from the card or
  account. The gateway records the charge under idempotency_key: asked again with the same key it
  answers as the first time and never charges twice. The answer is a ChargeResult, approved
  with the gateway's reference or declined with the reason to show the customer; or it raises
  - GatewayUnavailable: the request was not taken, nothing was charged (connection refused, an
    error answered before the charge);
  - GatewayTimeout: no answer came: the charge may or may not have been made. The portal keeps
    the payment Pending and asks `find` later.
- `find(idempotency_key)`: the ChargeResult the gateway recorded under the key, or None when it
  never received the charge. Raises GatewayUnavailable.

settings.PAYMENT_GATEWAY names the class; the sandbox (billing.gateway.sandbox, rules in its
docstring and in docs/payments.md) is the default, for the demo and the tests.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class GatewayError(Exception):
    pass


class GatewayUnavailable(GatewayError):
    """The gateway did not take the request: nothing was charged."""


class GatewayTimeout(GatewayError):
    """The gateway's answer never came: the charge may have been made."""


@dataclass(frozen=True)
class MethodDetails:
    token: str
    kind: str  # billing.models.MethodKind: "card" or "bank"
    label: str  # "Visa ending 4242", "Bank account ending 6789"
    expires: date | None = None  # cards: the last day of the expiry month


@dataclass(frozen=True)
class ChargeResult:
    approved: bool
    reference: str = ""  # the gateway's reference of an approved charge
    reason: str = ""  # why it was declined, in words for the customer


class PaymentGateway(Protocol):
    def start_session(
        self,
        *,
        kind: str,
        amount: Decimal | None,
        invoice_number: str,
        idempotency_key: str,
        return_url: str,
    ) -> str: ...

    def describe(self, token: str) -> MethodDetails | None: ...

    def save_method(self, token: str) -> MethodDetails: ...

    def charge(self, token: str, amount: Decimal, idempotency_key: str) -> ChargeResult: ...

    def find(self, idempotency_key: str) -> ChargeResult | None: ...


@cache
def _gateway_class(path):
    return import_string(path)


def gateway() -> PaymentGateway:
    """The payment gateway settings.PAYMENT_GATEWAY names."""
    return _gateway_class(settings.PAYMENT_GATEWAY)()
