"""The users list's CSV exports (core.exports): streamed when short, written by a job when long."""

import os
import time

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from accounts.views.users import UserTable
from core.exports import EXPORT_DIR, purge_old_exports
from core.models import Job
from tests.downloads import csv_rows
from tests.factories import UserFactory

USERS_URL = reverse("accounts:users")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def many_users(admin_user, enterprise, monkeypatch):
    """Six users of Acme (one with a formula for a name), over a stream limit of three rows."""
    monkeypatch.setattr(UserTable, "stream_limit", 3)
    for number in range(4):
        UserFactory(email=f"user{number}@acme.test", name=f"User {number}", enterprise=enterprise)
    UserFactory(email="formula@acme.test", name='=HYPERLINK("http://x")', enterprise=enterprise)
    return admin_user


def export(client, run_jobs, capture_on_commit, query=None):
    with capture_on_commit(execute=True):
        response = client.get(USERS_URL, {"format": "csv", **(query or {})})
    assert response.status_code == 302
    job = Job.objects.get()
    assert response.url == reverse("job_status", args=[job.public_id])
    assert run_jobs() == 1
    job.refresh_from_db()
    return job


def test_a_short_export_streams_every_row(admin_client, admin_user, general_user):
    response = admin_client.get(USERS_URL, {"format": "csv"})
    assert response.streaming
    rows = csv_rows(response)
    assert [row[1] for row in rows[1:]] == ["alice@acme.test", "bob@acme.test"]
    assert not Job.objects.exists()


def test_a_long_export_is_written_by_a_job_complete_and_formula_safe(
    admin_client, many_users, run_jobs, django_capture_on_commit_callbacks
):
    job = export(admin_client, run_jobs, django_capture_on_commit_callbacks, {"sort": "-email"})
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress_done == job.progress_total == 6
    assert job.percent == 100
    response = admin_client.get(job.result_url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="users.csv"'
    rows = csv_rows(response)
    assert rows[0] == ["Name", "Email", "Role", "Access types", "MFA", "Last login", "Status"]
    # Every row, in the order asked for, with every column.
    assert [row[1] for row in rows[1:]] == [
        "user3@acme.test",
        "user2@acme.test",
        "user1@acme.test",
        "user0@acme.test",
        "formula@acme.test",
        "alice@acme.test",
    ]
    assert rows[5] == [
        '\'=HYPERLINK("http://x")',
        "formula@acme.test",
        "General User",
        "Portal",
        "Off",
        "Never",
        "Active",
    ]


def test_the_job_page_links_to_the_download(
    admin_client, many_users, run_jobs, django_capture_on_commit_callbacks
):
    job = export(admin_client, run_jobs, django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("job_status", args=[job.public_id])).text
    assert f'href="{job.result_url}"' in page


def test_the_download_is_not_found_for_another_enterprise(
    admin_client, client, many_users, outsider, run_jobs, django_capture_on_commit_callbacks
):
    job = export(admin_client, run_jobs, django_capture_on_commit_callbacks)
    client.force_login(outsider)
    assert client.get(job.result_url).status_code == 404


def test_the_download_is_refused_without_the_lists_permission(
    admin_client, client, many_users, general_user, run_jobs, django_capture_on_commit_callbacks
):
    job = export(admin_client, run_jobs, django_capture_on_commit_callbacks)
    client.force_login(general_user)
    assert client.get(job.result_url).status_code == 403


def test_an_expired_download_is_not_found(
    admin_client, many_users, run_jobs, django_capture_on_commit_callbacks
):
    job = export(admin_client, run_jobs, django_capture_on_commit_callbacks)
    default_storage.delete(f"{EXPORT_DIR}/{job.public_id}.csv")
    assert admin_client.get(job.result_url).status_code == 404


def test_the_job_fails_when_the_user_lost_the_permission(
    admin_client, many_users, general_user, run_jobs, django_capture_on_commit_callbacks
):
    from tests.factories import role

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.get(USERS_URL, {"format": "csv"})
    many_users.role = role("general-user")
    many_users.save()
    run_jobs()
    job = Job.objects.get()
    assert job.status in (Job.Status.FAILED, Job.Status.RETRYING)
    assert not default_storage.exists(f"{EXPORT_DIR}/{job.public_id}.csv")


def test_old_exports_are_purged(db):
    old = default_storage.save(f"{EXPORT_DIR}/old.csv", ContentFile(b"a\n"))
    new = default_storage.save(f"{EXPORT_DIR}/new.csv", ContentFile(b"a\n"))
    four_days_ago = time.time() - 4 * 24 * 3600
    os.utime(default_storage.path(old), (four_days_ago, four_days_ago))
    assert purge_old_exports() == 1
    assert not default_storage.exists(old)
    assert default_storage.exists(new)
    assert purge_old_exports() == 0


def test_purging_without_exports_does_nothing(db):
    assert purge_old_exports() == 0
