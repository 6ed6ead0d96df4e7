"""Fixtures of the whole suite: personas, jobs, and the browser for tests marked `browser`.

Personas: Alice is an Administrator of Acme, Bob a
General User, Rita Read Only, and Charlie an Administrator of another enterprise, Globex.

Browser tests: Playwright drives Debian's chromium against pytest-django's live_server; one
browser for the whole session, a fresh context for each test. Every page is watched: a console
error (a CSP violation, a failed request, a JavaScript error) fails the test that caused it.
"""

import os
import shutil
from pathlib import Path

import django_rq
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.test import Client
from django_scopes import scopes_disabled
from rq import SimpleWorker

from accounts.models import Role
from core.tenancy import enterprise_scope
from tests.factories import PASSWORD, EnterpriseFactory, UserFactory, role
from tests.scopes import as_a_server
from tests.totp import enable_totp

# The secure FTP site's fixtures (sftp_server), for every app's tests.
pytest_plugins = ["tests.sftp"]


def pytest_configure(config):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine or not settings.REDIS_URL:
        raise pytest.UsageError(
            "The tests run against PostgreSQL and Redis: set DATABASE_URL and REDIS_URL "
            "(the README's test command does)."
        )


@pytest.fixture(autouse=True)
def _no_scopes(monkeypatch):
    """Tests set up and inspect rows of any enterprise; requests and jobs enter their own scope.

    A request made with the test client starts with no scope at all, as in production, whatever
    scope the test is in: a view that queries a tenant model without the scope TenantMiddleware
    gives it fails the test. Streamed bodies (tests.downloads) and jobs (run_jobs) are read and
    run the same way. A test of a service or a job's work asks for `acme_scope`.
    """
    request = Client.request

    def request_as_a_server(self, **kwargs):
        with as_a_server():
            return request(self, **kwargs)

    monkeypatch.setattr(Client, "request", request_as_a_server)
    with scopes_disabled():
        yield


@pytest.fixture
def acme_scope(enterprise):
    """Acme, in whose scope the test function runs: the test acts for Acme as its users' requests
    and jobs do, so a service that forgets the scope, or reaches another enterprise's rows, fails.

    Only the test function runs in it (see pytest_pyfunc_call), not the fixtures, which set up
    rows of any enterprise. Inside the test, set up or inspect another enterprise's rows within
    `with scopes_disabled():`.
    """
    return enterprise


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem):
    if "acme_scope" not in pyfuncitem.fixturenames:
        return (yield)
    with enterprise_scope(pyfuncitem.funcargs["acme_scope"]):
        return (yield)


@pytest.fixture(autouse=True)
def _clean_cache_and_queue():
    # allauth's rate limits count in the cache; jobs left by one test must not run in another.
    cache.clear()
    django_rq.get_queue("default").empty()
    yield
    cache.clear()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def enterprise(db):
    return EnterpriseFactory(name="Acme Telecom", account_number="ACC000001")


@pytest.fixture
def other_enterprise(db):
    return EnterpriseFactory(name="Globex", account_number="ACC000002")


@pytest.fixture
def admin_user(enterprise):
    """Alice, Administrator of Acme."""
    return UserFactory(
        email="alice@acme.test",
        name="Alice Admin",
        enterprise=enterprise,
        role=role(Role.ADMINISTRATOR),
    )


@pytest.fixture
def general_user(enterprise):
    """Bob, General User of Acme."""
    return UserFactory(
        email="bob@acme.test",
        name="Bob General",
        enterprise=enterprise,
        role=role(Role.GENERAL_USER),
    )


@pytest.fixture
def read_only_user(enterprise):
    """Rita, Read Only user of Acme."""
    return UserFactory(
        email="rita@acme.test", name="Rita Reader", enterprise=enterprise, role=role(Role.READ_ONLY)
    )


@pytest.fixture
def outsider(other_enterprise):
    """Charlie, Administrator of another enterprise."""
    return UserFactory(
        email="charlie@globex.test",
        name="Charlie Outsider",
        enterprise=other_enterprise,
        role=role(Role.ADMINISTRATOR),
    )


@pytest.fixture
def staff_user(db):
    """Sam, carrier staff, with the authenticator app that staff must have."""
    user = UserFactory(
        email="staff@carrier.test",
        name="Sam Staff",
        enterprise=None,
        role=None,
        is_staff=True,
        is_superuser=True,
    )
    enable_totp(user)
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def general_client(client, general_user):
    client.force_login(general_user)
    return client


@pytest.fixture
def run_jobs():
    """Run every queued job in this process, as the RQ worker would; returns the count."""

    def run():
        queue = django_rq.get_queue("default")
        count = queue.count
        # The worker starts with no scope: each job enters its own enterprise's.
        with as_a_server():
            SimpleWorker([queue], connection=queue.connection).work(burst=True)
        return count

    return run


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
def playwright(playwright):
    """pytest-playwright's, closing the database connections of this thread before it stops.

    While Playwright runs, its event loop counts as running in this thread, and Django keeps the
    connections opened meanwhile apart from the thread's others (asgiref's Local). Once it has
    stopped, the test database's teardown would not see them, and PostgreSQL would refuse to
    drop a database "being accessed by other users". (Those opened before it started are seen
    again then, and closed by the teardown.)
    """
    yield playwright
    connections.close_all()


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
