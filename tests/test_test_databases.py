"""The suite's own machinery: the test database is dropped at the end, browser tests or not."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

# A database test that runs while Playwright does, as one does on a worker that has run browser
# tests before.
SUITE = """
from accounts.models import User


def test_a_query_while_playwright_runs(db, playwright):
    assert User.objects.count() == 0
"""


@pytest.mark.browser
def test_the_test_database_is_dropped_after_queries_made_while_playwright_ran(tmp_path):
    (tmp_path / "test_suite.py").write_text(SUITE)
    shutil.copy(settings.BASE_DIR / "conftest.py", tmp_path)
    database = settings.DATABASES["default"]
    # A database of its own, beside the one this test runs in.
    url = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}_teardown"
    )
    run = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pytest", "-c", "pyproject.toml", "-q", str(tmp_path)],
        cwd=settings.BASE_DIR,
        # The Redis database of this worker: the run empties it, as every test does.
        env={
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": settings.REDIS_URL,
            "PYTEST_XDIST_WORKER": "",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "1 passed" in run.stdout, run.stdout + run.stderr
    assert "Error when trying to teardown test databases" not in run.stdout + run.stderr
