"""Caller ID / CNAM display names: what the carrier's CNAM database can hold.

A CNAM is at most 15 characters, and the databases that answer CNAM queries take only letters,
digits, spaces and a little punctuation; anything else is dropped or garbled on the way, so it is
refused here rather than shown wrong on the called party's phone.
"""

import re

from django.core.exceptions import ValidationError

MAX_LENGTH = 15
ALLOWED = re.compile(r"[A-Za-z0-9 .,&'\-]*")
ALLOWED_IN_WORDS = "letters, digits, spaces and . , & ' -"


def clean_cnam(value):
    """Return value as stored (outer spaces dropped, inner ones single); raise ValidationError."""
    cnam = " ".join((value or "").split())
    if len(cnam) > MAX_LENGTH:
        raise ValidationError(
            "A Caller ID name has at most %(max)s characters; “%(value)s” has %(length)s.",
            code="cnam_too_long",
            params={"max": MAX_LENGTH, "value": cnam, "length": len(cnam)},
        )
    if not ALLOWED.fullmatch(cnam):
        forbidden = "".join(sorted({c for c in cnam if not ALLOWED.fullmatch(c)}))
        raise ValidationError(
            "A Caller ID name may hold only %(allowed)s, not “%(forbidden)s”.",
            code="cnam_forbidden",
            params={"allowed": ALLOWED_IN_WORDS, "forbidden": forbidden},
        )
    return cnam
