"""Refuse passwords that are easy to guess, as NIST SP 800-63B asks of a password blocklist."""

import math
import re

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn's scores run from 0 (guessed at once) to 4; from 3 on, a password withstands an
# attacker who has the hash and guesses a hundred million times before giving up.
MIN_SCORE = 3
MIN_GUESSES_LOG10 = 8
# zxcvbn refuses longer input (its time grows fast with length); the first 72 characters of a
# password that long are strong enough on their own, or the password is weak anyway.
MAX_CHECKED_LENGTH = 72
CONTEXT = "user_inputs"
TRY_INSTEAD = "Try a passphrase of three or four words that do not belong together."
# Context words this long are looked for anywhere in a password, however they are joined
# ("Demo-Communications-2026"); shorter ones (Inc, Bob) would also match inside other words.
MIN_JOINED_WORD_LENGTH = 4


class GuessablePasswordValidator:
    """Refuse digits only, repeats, sequences, common passwords and names others know.

    Names others know: the portal's (service_names), the user's name and email address and
    their enterprise's name. They count for nothing: what is left must be strong on its own.
    """

    def __init__(self, service_names=()):
        self.service_names = list(service_names)

    def validate(self, password, user=None):
        checked = password[:MAX_CHECKED_LENGTH]
        if checked.isdigit():
            raise ValidationError(
                f"This password is only digits, which is easy to guess. {TRY_INSTEAD}",
                code="password_only_digits",
            )
        words = self.context_words(user)
        result = zxcvbn(checked, user_inputs=words)
        matches = result["sequence"]
        context = [m for m in matches if m.get("dictionary_name") == CONTEXT]
        guesses_without_context = sum(
            math.log10(m["guesses"]) for m in matches if m.get("dictionary_name") != CONTEXT
        )
        if (
            context and guesses_without_context < MIN_GUESSES_LOG10
        ) or self.is_weak_without_context(checked, words):
            raise ValidationError(
                "This password is too easy to guess: it is built on your name, your email "
                f"address, your company's name or the portal's name. {TRY_INSTEAD}",
                code="password_context_words",
            )
        if result["score"] < MIN_SCORE:
            raise ValidationError(
                f"This password is too easy to guess: {self.weakness(matches)} {TRY_INSTEAD}",
                code="password_too_guessable",
            )

    def get_help_text(self):
        return (
            "Your password must be hard to guess: not only digits, no repeats or sequences "
            "such as aaaa or 1234, and not your name, your email address or your company's name."
        )

    def is_weak_without_context(self, password, words):
        """Whether what is left of password, once the context words are taken out, is weak.

        zxcvbn finds a context word only where the password splits into words it knows:
        "Demo-Communications-2026" scores as two stretches of random characters around one
        word. Taking the words out with the separators around them leaves "2026".
        """
        joinable = sorted((w for w in words if len(w) >= MIN_JOINED_WORD_LENGTH), key=len)
        if not joinable:
            return False
        alternatives = "|".join(re.escape(word) for word in reversed(joinable))
        rest = re.sub(rf"[\W_]*(?:{alternatives})[\W_]*", "", password, flags=re.IGNORECASE)
        if rest == password:
            return False
        return not rest or zxcvbn(rest)["guesses_log10"] < MIN_GUESSES_LOG10

    def context_words(self, user):
        """The names and address of user and their enterprise, whole and word by word."""
        texts = list(self.service_names)
        if user is not None:
            texts.append(getattr(user, "name", "") or "")
            enterprise = getattr(user, "enterprise", None)
            if enterprise is not None:
                texts.append(enterprise.name)
            email = (getattr(user, "email", "") or "").lower()
            if "@" in email:
                local, domain = email.rsplit("@", 1)
                # The domain's last label (com, net) is no word of theirs.
                texts += [email, local, *domain.split(".")[:-1]]
        words = []
        for text in texts:
            text = text.lower().strip()
            parts = [part for part in re.split(r"[^a-z0-9]+", text) if len(part) >= 3]
            words += [text, "".join(parts), *parts]
        return list(dict.fromkeys(word for word in words if word))

    def weakness(self, matches):
        """Why a password is weak, in plain words, from the patterns zxcvbn found in it."""
        patterns = {m["pattern"] for m in matches}
        if "repeat" in patterns:
            return "it repeats the same letters or words."
        if "sequence" in patterns:
            return "it is a sequence such as abcd or 1234."
        if "spatial" in patterns:
            return "it follows keys that are next to each other, such as qwerty."
        if "date" in patterns:
            return "it is mostly a date or a year."
        if any(m.get("dictionary_name") == "passwords" for m in matches):
            return "it is too much like passwords that many people use."
        return "it is too short for the words it is made of."
