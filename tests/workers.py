"""A real RQ worker for the tests: a `manage.py rqworker` process on the test database."""

import os
import subprocess
import sys
import time

from django.conf import settings


def worker_environment(**extra):
    """The environment of a worker process that reads the test database and the test queue."""
    database = settings.DATABASES["default"]
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings_test",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        ),
        "REDIS_URL": settings.RQ_QUEUES["default"]["URL"],
        "PYTEST_XDIST_WORKER": "",
        **extra,
    }


def start_worker(*, burst=True, **environment):
    """Start `manage.py rqworker default` in a process group of its own (kill it with
    os.killpg, its work horse included)."""
    return subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "manage.py", "rqworker", "default", *(["--burst"] if burst else [])],
        cwd=settings.BASE_DIR,
        env=worker_environment(**environment),
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not get there in time"
        time.sleep(0.05)
