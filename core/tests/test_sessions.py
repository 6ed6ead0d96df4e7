"""Sessions are saved at most once a minute while in use, still end when idle, and are read
from Redis when there is one."""

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import sessions

URL = reverse("dashboard")


@pytest.fixture
def clock(monkeypatch):
    """The middleware's clock, moved forward by the test."""
    now = [1_800_000_000.0]
    monkeypatch.setattr(sessions.time, "time", lambda: now[0])
    return now


def expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_a_request_within_the_minute_does_not_write_the_session(admin_client, clock):
    admin_client.get(URL)
    saved = expiry(admin_client)
    clock[0] += 59
    admin_client.get(URL)
    assert expiry(admin_client) == saved


def test_a_request_after_a_minute_pushes_the_expiry_forward(admin_client, clock):
    admin_client.get(URL)
    saved = expiry(admin_client)
    clock[0] += 61
    admin_client.get(URL)
    assert expiry(admin_client) > saved


def test_an_idle_session_still_ends(admin_client, clock):
    admin_client.get(URL)
    Session.objects.update(expire_date="2000-01-01T00:00:00Z")
    # Redis keeps its copy of a session for as long as the session lasts: it lets it go then.
    cache.clear()
    clock[0] += 61
    response = admin_client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_a_signed_in_request_reads_its_session_from_redis(admin_client):
    admin_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(URL).status_code == 200
    assert not [query for query in queries if "django_session" in query["sql"]]


def test_a_signed_out_session_is_gone_from_redis_too(admin_client):
    admin_client.get(URL)
    cookie = admin_client.cookies[settings.SESSION_COOKIE_NAME].value
    admin_client.post(reverse("account_logout"))

    replayed = Client()
    replayed.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replayed.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
