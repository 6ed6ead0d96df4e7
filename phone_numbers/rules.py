"""Rules about the numbers a customer types: E.164 and Remote Call Forward targets.

Caller ID names have their own module (phone_numbers.cnam).
"""

from django.core.exceptions import ValidationError

from core.phones import normalize_phone


def check_e164(value):
    """value when it is a valid number written in E.164 (+13035551234); ValidationError if not."""
    value = (value or "").strip()
    if normalize_phone(value) != value:
        raise ValidationError(
            "Write %(value)s in E.164, e.g. +13035551234.",
            code="not_e164",
            params={"value": value},
        )
    return value


def forward_target(value, numbers):
    """Where the queryset numbers' calls are forwarded, in E.164; "" stops forwarding.

    A number forwarded to itself, or to another number of the same selection, would ring
    round in a loop: refused.
    """
    value = (value or "").strip()
    if not value:
        return ""
    forward_to = normalize_phone(value)
    if numbers.filter(e164=forward_to).exists():
        raise ValidationError(
            "Calls cannot be forwarded to a number they would be forwarded from: choose another "
            "number.",
            code="forward_loop",
        )
    return forward_to
