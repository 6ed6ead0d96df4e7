"""Authenticator-app helpers for tests: codes computed the way an authenticator app does, and
the age of a sign-in, which decides whether allauth asks to confirm it's you."""

import re
import time

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from allauth.mfa.utils import decrypt

PERIOD = 30


def totp_code(secret, *, offset=0):
    """The code an authenticator app shows now (offset periods later or earlier).

    Only the current period's code is accepted, so near the end of a period this waits for
    the next one: the code must still be valid when the test posts it a moment later.
    """
    remaining = PERIOD - time.time() % PERIOD
    if remaining < 3:
        time.sleep(remaining + 0.1)
    counter = int(time.time()) // PERIOD + offset
    return format_hotp_value(hotp_value(secret, counter))


def wrong_code(secret):
    """A six-digit code that is none of the codes accepted around now."""
    accepted = {totp_code(secret, offset=offset) for offset in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in accepted)


def enable_totp(user):
    """Give user an authenticator app and recovery codes; return (secret, recovery codes)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return secret, codes


def secret_on_page(html):
    """The authenticator secret shown on the set-up page."""
    match = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7=]+)"', html) or re.search(
        r'value="([A-Z2-7=]+)"[^>]*id="authenticator_secret"', html
    )
    assert match, "the set-up page shows no authenticator secret"
    return match.group(1)


def totp_secret(user):
    """The secret of the authenticator app user has (set up by enable_totp, for instance)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    return decrypt(authenticator.data["secret"])


def sign_in_was_a_while_ago(client, seconds=600):
    """Date the session's sign-in back, so that allauth asks to confirm it's you again."""
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**entry, "at": entry["at"] - seconds}
        for entry in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
