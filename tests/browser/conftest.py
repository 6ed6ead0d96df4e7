"""Browser tests: Playwright drives Debian's chromium against pytest-django's live_server.

One browser for the whole session, a fresh context for each test (pytest-playwright's fixtures).
Every page is watched: a console error (a CSP violation, a failed request, a JavaScript error)
fails the test that caused it.
"""

import importlib
import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Fail fast: the live server answers in milliseconds, so a missing element shows up quickly.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args, live_server):
    return {
        **browser_context_args,
        "base_url": live_server.url,
        "locale": "en-US",
        "viewport": {"width": 1280, "height": 800},
    }


@pytest.fixture
def browser_problems():
    """Console errors and uncaught exceptions seen in any page of the test."""
    return []


@pytest.fixture
def new_context(new_context, browser_problems):
    """pytest-playwright's context factory, with every page watched for errors."""

    def create(**kwargs):
        context = new_context(**kwargs)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("console", lambda message: _note_console(message, browser_problems))
        context.on("weberror", lambda error: browser_problems.append(f"JS error: {error.error}"))
        return context

    yield create
    assert not browser_problems, "The browser reported errors:\n" + "\n".join(browser_problems)


def _note_console(message, problems):
    if message.type == "error":
        where = message.location.get("url") or (message.page.url if message.page else "?")
        problems.append(f"console error ({where}): {message.text}")


@pytest.fixture(scope="session")
def _roles_migration_apps():
    """The app registry as the default-roles data migration sees it."""
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return loader.project_state(("accounts", "0002_default_roles"), at_end=False).apps


@pytest.fixture(autouse=True)
def default_roles(db, _roles_migration_apps):
    """Run the default-roles data migration again: transactional tests flush the database."""
    migration = importlib.import_module("accounts.migrations.0002_default_roles")
    migration.create_default_roles(_roles_migration_apps, None)


@pytest.fixture
def screenshot():
    """Save a full-page screenshot when SCREENSHOT_DIR is set (to look at the pages by eye)."""
    folder = os.environ.get("SCREENSHOT_DIR")

    def take(page, name):
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take


@pytest.fixture
def signed_in(live_server):
    """Open a page as user, signed in already (quicker than the sign-in form)."""

    def sign_in(page, user, path="/"):
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        page.goto(path)
        return page

    return sign_in
