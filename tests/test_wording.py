"""Words that read right whatever the data: a name ending in a period, one name for MFA."""

import pytest
from django.urls import reverse

from core import navigation

PAGES = [
    "dashboard",
    "accounts:my_account",
    "accounts:enterprise_settings",
    "accounts:users",
    "accounts:roles",
    "accounts:invite_user",
    "audit:audit_log",
    "support:help",
    "support:contact",
    "trunks:inventory",
]


@pytest.mark.parametrize("url_name", PAGES)
def test_a_name_ending_in_a_period_gets_no_second_one(admin_client, enterprise, url_name):
    enterprise.name = "Demo Communications Inc."
    enterprise.save(update_fields=["name"])
    page = admin_client.get(reverse(url_name)).text
    assert "Demo Communications Inc." in page
    assert "Inc.." not in page


def test_the_page_refused_names_the_enterprise_once(client, general_user, enterprise):
    enterprise.name = "Demo Communications Inc."
    enterprise.save(update_fields=["name"])
    client.force_login(general_user)
    response = client.get(reverse("accounts:users"))
    assert response.status_code == 403
    assert "Demo Communications Inc." in response.text
    assert "Inc.." not in response.text


def test_mfa_has_one_name_in_the_menu(admin_client):
    labels = [entry.label for entry in navigation.entries()]
    assert "Multi-factor authentication (MFA)" in labels
    page = admin_client.get(reverse("dashboard")).text
    assert "Multi-factor authentication (MFA)" in page
    assert "Two-Factor" not in page and "two-factor" not in page
