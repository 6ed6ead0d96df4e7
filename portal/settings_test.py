"""Settings for the test suite: the production settings with a fast password hasher and a
lighter demo.

PBKDF2 is slow on purpose and would spend most of the suite's time hashing; tests that are
about password hashing itself switch back to the real hashers (see tests/test_passwords.py).

Under pytest-xdist (bin/test runs `-n 2`) every worker gets a Redis database of its own, the one
REDIS_URL names plus the worker's number (gw0 the same, gw1 the next), because tests clear the
cache (allauth's rate limits) and empty the job queue, which would pull the rug from under the
other worker. pytest-django gives each worker its own PostgreSQL test database already.
"""

import os
from urllib.parse import urlsplit, urlunsplit

from .settings import *  # noqa: F403
from .settings import REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests check what the demo holds, not its volume; many of them load it.
DEMO_CALLS_PER_DAY = 100


def _redis_url_of_worker(url, worker):
    """REDIS_URL with its database number moved up by the xdist worker's number ("gw1" -> +1)."""
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    base_db = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{base_db + int(worker[2:])}"))


REDIS_URL = _redis_url_of_worker(REDIS_URL, os.environ.get("PYTEST_XDIST_WORKER", ""))
if REDIS_URL:
    RQ_QUEUES["default"]["URL"] = REDIS_URL  # noqa: F405
    CACHES["default"]["LOCATION"] = REDIS_URL  # noqa: F405
