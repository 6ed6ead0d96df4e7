"""Settings for the test suite: the production settings with a fast password hasher.

PBKDF2 is slow on purpose and would spend most of the suite's time hashing; tests that are
about password hashing itself switch back to the real hashers (see tests/test_passwords.py).
"""

from .settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
