"""The sandbox payment gateway: fixed, deterministic answers for the demo, the tests and trials.

It stands in for a real gateway's hosted payment page and API. Its page is served by the portal
under /billing/sandbox-gateway/<session>/ (to signed-in users), but it is the gateway's page,
not the portal's: its forms are its own, the card and account numbers typed there are read only
here, kept nowhere but as the outcome they select and their last four digits, and never reach
the portal's models, forms or logs (the view hides its POST from error reports). The page sends
the browser back to the portal with a token only, as PCI DSS SAQ-A asks.

Its records (hosted sessions, tokens, charges) live in Redis through the cache, shared by the
web processes and the worker as a real gateway's are: `find` answers in any process.

Test cards (any name, a future expiry MM/YY, any 3 or 4 digit CVC)
    4242 4242 4242 4242  approved
    5555 5555 5555 4444  approved (Mastercard)
    4000 0000 0000 0002  declined, "Card declined"
    4000 0000 0000 0259  the charge is made and recorded, but the answer times out after
                         `timeout_delay` seconds (GatewayTimeout); `find` then returns it approved
    4000 0000 0000 0119  the gateway is unavailable (GatewayUnavailable): nothing is charged
  Any other number that passes the Luhn check is approved; one that fails it is refused on the
  page ("Enter a valid card number"), as is an expiry in the past.

Test bank accounts (ACH; the routing number must be 110000000, any other is refused on the page)
    000123456789  approved
    000111111116  declined, "Bank account could not be debited (insufficient funds)"
  Any other account number of 4 to 17 digits is approved.

Tokens: the page gives a one-time token ("tok_...", good for an hour); `save_method` makes a
reusable one ("pm_...", kept until Redis is emptied). A charge with a one-time token uses it up.
Charges: recorded under their idempotency key, which is answered as the first time ever after
(whatever the amount asked the second time). An approved charge's reference is "SBX-" and the
first 12 hex digits, in capitals, of the SHA-256 of its idempotency key.
"""

import hashlib
import secrets
import time
from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import ChargeResult, GatewayTimeout, GatewayUnavailable, MethodDetails

PREFIX = "payment-sandbox"
SESSION_SECONDS = 3600
ONE_TIME_TOKEN_SECONDS = 3600

APPROVE, DECLINE, TIME_OUT, UNAVAILABLE = "approve", "decline", "time_out", "unavailable"
CARD_OUTCOMES = {
    "4000000000000002": (DECLINE, "Card declined"),
    "4000000000000259": (TIME_OUT, ""),
    "4000000000000119": (UNAVAILABLE, ""),
}
ROUTING_NUMBER = "110000000"
BANK_OUTCOMES = {
    "000111111116": (DECLINE, "Bank account could not be debited (insufficient funds)"),
}


def _key(kind, name):
    return f"{PREFIX}:{kind}:{name}"


def reference_for(idempotency_key):
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()
    return f"SBX-{digest[:12].upper()}"


class SandboxGateway:
    # Seconds the answer of a charge that times out takes to fail.
    timeout_delay = 2.0

    def start_session(self, *, kind, amount, invoice_number, idempotency_key, return_url):
        session_id = secrets.token_urlsafe(24)
        cache.set(
            _key("session", session_id),
            {
                "kind": kind,
                "amount": None if amount is None else str(amount),
                "invoice_number": invoice_number,
                "idempotency_key": idempotency_key,
                "return_url": return_url,
            },
            SESSION_SECONDS,
        )
        return reverse("billing:sandbox_gateway", args=[session_id])

    def describe(self, token):
        details = cache.get(_key("token", token))
        if details is None:
            return None
        expires = details["expires"] and date.fromisoformat(details["expires"])
        return MethodDetails(token, details["kind"], details["label"], expires)

    def save_method(self, token):
        details = cache.get(_key("token", token))
        if details is None:
            raise GatewayUnavailable("The sandbox does not know this token.")
        saved = f"pm_{secrets.token_hex(12)}"
        cache.set(_key("token", saved), {**details, "one_time": False}, None)
        return self.describe(saved)

    def charge(self, token, amount, idempotency_key):
        recorded = self.find(idempotency_key)
        if recorded is not None:
            return recorded
        details = cache.get(_key("token", token))
        if details is None:
            return ChargeResult(False, reason="The payment details have expired: enter them again.")
        outcome, reason = details["outcome"], details["reason"]
        if outcome == UNAVAILABLE:
            raise GatewayUnavailable("The sandbox gateway is unavailable (test number).")
        if details["one_time"]:
            cache.delete(_key("token", token))
        if outcome == DECLINE:
            result = {"approved": False, "reference": "", "reason": reason}
        else:
            result = {"approved": True, "reference": reference_for(idempotency_key), "reason": ""}
        # add: of two charges with one key at once, the first recorded is the answer to both.
        cache.add(_key("charge", idempotency_key), {**result, "amount": str(amount)}, None)
        answer = self.find(idempotency_key)
        if outcome == TIME_OUT:
            time.sleep(self.timeout_delay)
            raise GatewayTimeout("The sandbox gateway did not answer in time (test number).")
        return answer

    def find(self, idempotency_key):
        recorded = cache.get(_key("charge", idempotency_key))
        if recorded is None:
            return None
        return ChargeResult(recorded["approved"], recorded["reference"], recorded["reason"])


# The hosted page ------------------------------------------------------------------------------


def _luhn_ok(digits):
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _brand(digits):
    if digits.startswith("4"):
        return "Visa"
    if digits[:2] in {"51", "52", "53", "54", "55"} or digits.startswith("2"):
        return "Mastercard"
    if digits[:2] in {"34", "37"}:
        return "American Express"
    if digits.startswith("6"):
        return "Discover"
    return "Card"


def _digits(text):
    return "".join(text.split()).replace("-", "")


class CardForm(forms.Form):
    name = forms.CharField(label="Name on the card", max_length=80)
    number = forms.CharField(
        label="Card number",
        max_length=23,
        widget=forms.TextInput(attrs={"autocomplete": "cc-number", "inputmode": "numeric"}),
    )
    expiry = forms.CharField(
        label="Expiry (MM/YY)",
        max_length=5,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "MM/YY"}),
    )
    cvc = forms.CharField(
        label="CVC",
        max_length=4,
        widget=forms.TextInput(attrs={"autocomplete": "cc-csc", "inputmode": "numeric"}),
    )

    def clean_number(self):
        digits = _digits(self.cleaned_data["number"])
        if not (digits.isdigit() and 12 <= len(digits) <= 19 and _luhn_ok(digits)):
            raise forms.ValidationError("Enter a valid card number.")
        return digits

    def clean_expiry(self):
        month, _, year = self.cleaned_data["expiry"].partition("/")
        if not (month.strip().isdigit() and year.strip().isdigit() and 1 <= int(month) <= 12):
            raise forms.ValidationError("Enter the expiry as MM/YY, e.g. 12/30.")
        month, year = int(month), 2000 + int(year) % 100
        last_day = date(year + month // 12, month % 12 + 1, 1) - date.resolution
        if last_day < timezone.localdate():
            raise forms.ValidationError("The card has expired.")
        return last_day

    def clean_cvc(self):
        cvc = self.cleaned_data["cvc"].strip()
        if not (cvc.isdigit() and len(cvc) in (3, 4)):
            raise forms.ValidationError("Enter the 3 or 4 digits on the back of the card.")
        return cvc

    def token_details(self):
        digits = self.cleaned_data["number"]
        outcome, reason = CARD_OUTCOMES.get(digits, (APPROVE, ""))
        return {
            "kind": "card",
            "outcome": outcome,
            "reason": reason,
            "label": f"{_brand(digits)} ending {digits[-4:]}",
            "expires": self.cleaned_data["expiry"].isoformat(),
        }


class BankForm(forms.Form):
    name = forms.CharField(label="Account holder", max_length=80)
    routing = forms.CharField(label="Routing number", max_length=9)
    account = forms.CharField(label="Account number", max_length=17)

    def clean_routing(self):
        routing = self.cleaned_data["routing"].strip()
        if routing != ROUTING_NUMBER:
            raise forms.ValidationError(
                f"Unknown routing number: the sandbox knows {ROUTING_NUMBER} only."
            )
        return routing

    def clean_account(self):
        account = self.cleaned_data["account"].strip()
        if not (account.isdigit() and 4 <= len(account) <= 17):
            raise forms.ValidationError("Enter the account number: 4 to 17 digits.")
        return account

    def token_details(self):
        account = self.cleaned_data["account"]
        outcome, reason = BANK_OUTCOMES.get(account, (APPROVE, ""))
        return {
            "kind": "bank",
            "outcome": outcome,
            "reason": reason,
            "label": f"Bank account ending {account[-4:]}",
            "expires": None,
        }


def issue_token(details):
    """A one-time token for what was typed on the page (a form's token_details())."""
    token = f"tok_{secrets.token_hex(12)}"
    cache.set(_key("token", token), {**details, "one_time": True}, ONE_TIME_TOKEN_SECONDS)
    return token


def _back(return_url, **params):
    joiner = "&" if "?" in return_url else "?"
    return redirect(f"{return_url}{joiner}{urlencode(params)}")


@never_cache
@sensitive_post_parameters()
@login_required
def hosted_page(request, session_id):
    """The gateway's page: take the card or account, send the browser back with a token."""
    session = cache.get(_key("session", session_id))
    if session is None:
        raise Http404("This payment page has expired.")
    form_class = CardForm if session["kind"] == "card" else BankForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        token = issue_token(form.token_details())
        cache.delete(_key("session", session_id))
        return _back(session["return_url"], token=token)
    return render(
        request,
        "billing/payments/sandbox_page.html",
        {
            "form": form,
            "session": session,
            "cancel_url": f"{session['return_url']}"
            f"{'&' if '?' in session['return_url'] else '?'}cancelled=1",
        },
    )
