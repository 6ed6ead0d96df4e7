"""Passwords with the real hashers: the rest of the suite uses a fast one (portal.settings_test)."""

import pytest
from django.conf import global_settings
from django.contrib.auth.hashers import identify_hasher
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def real_hashers(settings):
    # The portal keeps Django's default hashers; only the test settings replace them. MD5 stays
    # last so that the factories' users can still sign in (and get rehashed).
    settings.PASSWORD_HASHERS = [
        *global_settings.PASSWORD_HASHERS,
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]


def test_a_changed_password_is_stored_with_pbkdf2_and_signs_in(client, general_user, password):
    client.force_login(general_user)
    new_password = "a fresh passphrase nobody guesses"
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": password, "password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    general_user.refresh_from_db()
    assert identify_hasher(general_user.password).algorithm == "pbkdf2_sha256"

    client.logout()
    response = client.post(
        reverse("account_login"), {"login": general_user.email, "password": new_password}
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard")


def test_an_old_fast_hash_is_upgraded_at_sign_in(client, general_user, password):
    # Users created by the test factories carry an MD5 hash; signing in rehashes it.
    assert identify_hasher(general_user.password).algorithm == "md5"
    client.post(reverse("account_login"), {"login": general_user.email, "password": password})
    general_user.refresh_from_db()
    assert identify_hasher(general_user.password).algorithm == "pbkdf2_sha256"
