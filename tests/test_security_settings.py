"""Production settings, security headers, session idle timeout and password rules."""

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts import actions
from audit.models import AuditEvent

from .totp import enable_totp

BASE_DIR = Path(__file__).resolve().parent.parent


def _run(args, **env):
    """Run a Python command in a clean environment holding only env."""
    clean_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(BASE_DIR), **env}
    return subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, *args], cwd=BASE_DIR, env=clean_env, capture_output=True, text=True
    )


PRODUCTION_ENV = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "portal.example.com",
    "DATABASE_URL": "postgres://portal@db.example.com:5432/portal",
    "REDIS_URL": "redis://redis.example.com:6379/0",
}


# Production settings


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = _run(["-c", "import portal.settings"], **env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} must be set when PORTAL_ENV=production." in result.stderr


def test_development_starts_with_nothing_set():
    result = _run(["-c", "import portal.settings as s; print(s.DEBUG, s.JOBS_INLINE)"])
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]


def test_the_deployment_check_passes_in_production():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION_ENV)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


def test_production_turns_on_https_only_settings():
    code = (
        "import portal.settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    result = _run(["-c", code], **PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False"] + ["True"] * 5


# Running it on another port


@pytest.mark.parametrize(
    ("port", "site_url"),
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "0.0.0.0:8123"}, "http://127.0.0.1:8123"),
        ({"PORT": "8123", "SITE_URL": "https://portal.example.com/"}, "https://portal.example.com"),
    ],
)
def test_links_in_emails_follow_the_port_bin_run_serves_on(port, site_url):
    result = _run(["-c", "import portal.settings as s; print(s.SITE_URL)"], **port)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == site_url


def test_the_run_command_tells_the_address_it_serves_at():
    script = (BASE_DIR / "bin" / "run").read_text()
    assert 'runserver "$address"' in script
    assert "import portal.settings as s; print(s.SITE_URL)" in script


CONN_MAX_AGE = "import portal.settings as s; print(s.DATABASES['default']['CONN_MAX_AGE'])"


def test_the_development_server_keeps_no_connection_open():
    # A thread per request: a kept connection would outlive its thread (each burst of 40
    # requests left 20 to 46 more idle connections, until PostgreSQL refused new ones).
    as_runserver = f"import sys; sys.argv = ['manage.py', 'runserver']; {CONN_MAX_AGE}"
    result = _run(["-c", as_runserver], DB_CONN_MAX_AGE="60")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
    # Other processes (gunicorn's, the worker) keep theirs for reuse.
    result = _run(["-c", CONN_MAX_AGE], DB_CONN_MAX_AGE="60")
    assert result.stdout.strip() == "60"


# Security headers


def _script_tags(html):
    return re.findall(r"<script\b[^>]*>", html)


@pytest.mark.django_db
def test_pages_carry_a_nonce_based_content_security_policy(client):
    response = client.get(reverse("account_login"))
    policy = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split("; ")}
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"][-1]).group(1)
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    # Every script on the page carries the nonce, and a new one is made for each response.
    tags = _script_tags(response.text)
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)
    assert client.get(reverse("account_login"))["Content-Security-Policy"] != policy


def test_signed_in_pages_carry_it_too(admin_client):
    response = admin_client.get(reverse("dashboard"))
    assert "'nonce-" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


# Sessions end after 30 idle minutes


def test_sessions_time_out_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # Pushed forward at most once a minute by core.sessions.SessionTouchMiddleware.
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert "core.sessions.SessionTouchMiddleware" in settings.MIDDLEWARE
    assert settings.SESSION_COOKIE_HTTPONLY is True


def _session(client):
    return Session.objects.get(session_key=client.session.session_key)


def test_each_request_pushes_the_timeout_forward(client, general_user, password):
    client.post(reverse("account_login"), {"login": "bob@acme.test", "password": password})
    expires = _session(client).expire_date
    assert abs(expires - (timezone.now() + timedelta(minutes=30))) < timedelta(seconds=30)
    # The cookie itself lasts only as long as the browser is open.
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == ""

    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=1)
    )
    assert client.get(reverse("dashboard")).status_code == 200
    assert _session(client).expire_date > timezone.now() + timedelta(minutes=29)


def test_an_idle_session_is_signed_out(client, general_user, password):
    client.post(reverse("account_login"), {"login": "bob@acme.test", "password": password})
    Session.objects.filter(pk=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    # Redis keeps its copy of a session for as long as the session lasts: it lets it go then.
    cache.clear()
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# Password rules


CHANGE_URL = reverse("account_change_password")


def _change_password(client, old, new):
    return client.post(CHANGE_URL, {"oldpassword": old, "password1": new, "password2": new})


@pytest.fixture
def bob_client(client, general_user, password):
    client.post(reverse("account_login"), {"login": "bob@acme.test", "password": password})
    return client


def test_the_change_password_page_looks_like_the_portal(bob_client):
    response = bob_client.get(CHANGE_URL)
    assert response.status_code == 200
    assert 'class="sidebar"' in response.text
    assert "<h1>Change password</h1>" in response.text
    assert "at least 12 characters" in response.text


def test_a_password_needs_twelve_characters(bob_client, general_user, password):
    response = _change_password(bob_client, password, "short pass1")  # 11 characters
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in response.text
    general_user.refresh_from_db()
    assert general_user.check_password(password)


def test_common_passwords_are_refused(bob_client, general_user, password):
    response = _change_password(bob_client, password, "ilovemyfamily")
    assert "This password is too common." in response.text
    general_user.refresh_from_db()
    assert general_user.check_password(password)


@pytest.mark.parametrize(
    "new_password",
    [
        "quiet harbor",  # exactly 12, all lowercase, no digits or symbols
        "correct staple horse battery moon",
        "lanterns over pebbled orchards while quiet violins hum till dusk",  # 64 characters
        "the quick brown fox jumps over the lazy dog " * 3,  # 132 characters
    ],
)
def test_long_passphrases_need_no_digits_or_symbols(
    bob_client, general_user, password, new_password
):
    response = _change_password(bob_client, password, new_password)
    assert response.status_code == 302, response.text
    general_user.refresh_from_db()
    assert general_user.check_password(new_password)
    assert AuditEvent.objects.filter(action=actions.PASSWORD_CHANGED).exists()
    # Changing the password keeps this session signed in.
    assert bob_client.get(reverse("dashboard")).status_code == 200


def test_the_user_is_told_by_email_when_the_password_changes(
    bob_client, general_user, password, mailoutbox, run_jobs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _change_password(bob_client, password, "a fine new passphrase")
    assert mailoutbox == []  # sent by the worker, not in the request

    run_jobs()

    [message] = mailoutbox
    assert message.to == ["bob@acme.test"]
    assert "password" in message.subject.lower()


def test_the_current_password_is_required(bob_client, general_user, password):
    response = _change_password(bob_client, "not the password at all", "a fine new passphrase")
    assert response.status_code == 200
    assert "Please type your current password." in response.text
    general_user.refresh_from_db()
    assert general_user.check_password(password)


def test_a_password_like_the_email_is_refused(bob_client, general_user, password):
    response = _change_password(bob_client, password, "bob@acme.test1")
    assert "The password is too similar to the email address." in response.text


# The sign-in pages look like the portal and keep to the policy


ENTRANCE_PAGES = [
    "account_login",
    "account_reset_password",
    "account_reset_password_done",
    "account_inactive",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = [
    "account_email",
    "account_change_password",
    "account_logout",
    "mfa_index",
    "mfa_activate_totp",
]


def _assert_keeps_to_the_policy(response):
    assert response.status_code == 200
    page = response.text
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    assert all(f'nonce="{nonce}"' in tag for tag in _script_tags(page))
    assert " style=" not in page
    assert " onclick=" not in page
    assert "/accounts/signup/" not in page
    assert "sign up" not in page.lower()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ENTRANCE_PAGES)
def test_entrance_pages_use_the_sign_in_layout(client, name):
    response = client.get(reverse(name))
    _assert_keeps_to_the_policy(response)
    assert 'class="auth__card"' in response.text


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_account_pages_use_the_portal_layout(bob_client, password, name):
    bob_client.post(reverse("account_reauthenticate"), {"password": password})
    response = bob_client.get(reverse(name))
    _assert_keeps_to_the_policy(response)
    assert 'class="sidebar"' in response.text


def test_the_confirm_password_page_uses_the_sign_in_layout(bob_client):
    response = bob_client.get(reverse("account_reauthenticate"))
    _assert_keeps_to_the_policy(response)
    assert 'class="auth__card"' in response.text
    assert "<h1>Confirm it's you</h1>" in response.text


def test_the_code_page_uses_the_sign_in_layout(client, general_user, password):
    enable_totp(general_user)
    client.post(reverse("account_login"), {"login": "bob@acme.test", "password": password})
    response = client.get(reverse("mfa_authenticate"))
    _assert_keeps_to_the_policy(response)
    assert 'class="auth__card"' in response.text
    assert "recovery codes" in response.text
