"""`make run` without DATABASE_URL: the demo loads into SQLite, as a newcomer's first run does.

The services that work set-based in PostgreSQL (a Manage action's one-statement chunks, COPY)
keep a plain path for SQLite; this runs the whole demo through it in a fresh process.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_demo_loads_into_sqlite(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment["PORTAL_VAR_DIR"] = str(tmp_path)
    # What the demo holds is checked elsewhere; here, that it loads. A lighter month of traffic.
    environment["DEMO_CALLS_PER_DAY"] = "100"
    for command in (["migrate", "-v0"], ["demo_data"]):
        finished = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stderr[-3000:]
    assert "admin@demo.example" in finished.stdout
    assert (tmp_path / "portal.sqlite3").exists()
