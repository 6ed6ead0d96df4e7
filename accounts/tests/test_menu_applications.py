"""The menu's Applications entry: read from the cache, and right again after every change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Application

pytestmark = pytest.mark.django_db

DASHBOARD_URL = reverse("dashboard")
APPLICATIONS_LINK = f'href="{DASHBOARD_URL}#my-applications"'


@pytest.fixture
def engage():
    return Application.objects.create(
        name="Engage", icon="EN", launch_url="https://apps.example.com/engage"
    )


def shows_applications(client):
    return APPLICATIONS_LINK in client.get(reverse("support:help")).text


def test_the_entry_costs_no_query_once_known(general_client, enterprise, engage):
    enterprise.applications.add(engage)
    url = reverse("support:help")
    general_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        page = general_client.get(url).text
    assert APPLICATIONS_LINK in page
    assert not [
        q for q in queries.captured_queries if "accounts_enterprise_applications" in q["sql"]
    ]


def test_the_entry_follows_the_enterprise_s_applications(general_client, enterprise, engage):
    assert not shows_applications(general_client)
    enterprise.applications.add(engage)
    assert shows_applications(general_client)
    enterprise.applications.remove(engage)
    assert not shows_applications(general_client)
    enterprise.applications.set([engage])
    assert shows_applications(general_client)
    enterprise.applications.clear()
    assert not shows_applications(general_client)


def test_the_entry_follows_changes_made_from_the_application(
    general_client, enterprise, other_enterprise, engage
):
    engage.enterprises.add(enterprise)
    assert shows_applications(general_client)
    engage.enterprises.remove(enterprise)
    assert not shows_applications(general_client)
    engage.enterprises.add(enterprise, other_enterprise)
    assert shows_applications(general_client)
    engage.enterprises.clear()
    assert not shows_applications(general_client)
    engage.enterprises.add(enterprise)
    assert shows_applications(general_client)
    engage.delete()
    assert not shows_applications(general_client)
