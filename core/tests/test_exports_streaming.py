"""Streamed CSV downloads (core.exports.csv_response): made in their request's scope and zone.

The server reads a streamed body after the view, and TenantMiddleware's scope, have returned.
These tests read it the same way: with no enterprise's scope active and the view's time zone
gone. The table's last column, like the Signaling column of Inventory > Trunks, queries a
tenant-owned model only when the CSV is made.
"""

import csv
import io
from datetime import UTC, datetime

from django.db.models import Case, Func, OuterRef, Subquery, TextField, Value, When
from django.db.models.functions import Concat
from django.http import StreamingHttpResponse
from django.utils import timezone
from django_scopes import scope

from core import exports
from core.models import Job
from core.tables import Column, DataTable
from core.tenancy import enterprise_scope


def _same_title():
    return Subquery(Job.objects.filter(pk=OuterRef("pk")).values("title"))


class JobTable(DataTable):
    name = "test-exports-jobs"
    permission = ""
    default_sort = "title"
    columns = [
        Column("title", "Title", sort_by="title"),
        Column("created_at", "Created"),
        Column("again", "Title again", value=lambda job: job.title, export=_same_title),
    ]

    def get_queryset(self):
        return Job.objects.all()


def read_as_a_server(response):
    with scope():
        content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode())))


def test_the_rows_are_made_in_the_scope_and_time_zone_of_the_request(
    admin_user, enterprise, other_enterprise
):
    job = Job.objects.create(title="Nightly usage", enterprise=enterprise)
    Job.objects.filter(pk=job.pk).update(created_at=datetime(2026, 3, 3, 12, 0, tzinfo=UTC))
    Job.objects.create(title="Globex's own", enterprise=other_enterprise)

    with enterprise_scope(enterprise), timezone.override("America/Denver"):
        response = JobTable(admin_user).csv_response("jobs.csv")

    assert isinstance(response, StreamingHttpResponse)
    assert read_as_a_server(response) == [
        ["Title", "Created", "Title again"],
        ["Nightly usage", "2026-03-03 05:00 MST", "Nightly usage"],
    ]


def test_a_long_body_goes_out_in_chunks_of_many_rows(admin_user, enterprise, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK_BYTES", 100)
    Job.objects.bulk_create(
        Job(title=f"Export {number:03}", enterprise=enterprise) for number in range(50)
    )

    with enterprise_scope(enterprise):
        response = JobTable(admin_user).csv_response("jobs.csv")
    with scope():
        chunks = list(response.streaming_content)

    rows_per_chunk = [chunk.count(b"\n") for chunk in chunks[1:]]
    # The header, then chunks of about 100 bytes (three rows of 43 bytes), then the rest.
    assert rows_per_chunk == [3] * 16 + [2]
    assert b"".join(chunks).decode().splitlines()[1].startswith("Export 000,")
    # The COPY has ended and given the connection back.
    assert Job.objects.count() == 50


class SessionTable(DataTable):
    name = "test-exports-session"
    permission = ""
    default_sort = "title"
    columns = [
        Column("title", "Title", sort_by="title"),
        Column(
            "jit",
            "JIT",
            export=Func(Value("jit"), function="current_setting", output_field=TextField()),
        ),
    ]

    def get_queryset(self):
        return Job.objects.all()


def test_the_export_runs_without_jit_compilation(admin_user, enterprise):
    Job.objects.create(title="Nightly usage", enterprise=enterprise)

    with enterprise_scope(enterprise):
        response = SessionTable(admin_user).csv_response("jobs.csv")

    assert read_as_a_server(response) == [["Title", "JIT"], ["Nightly usage", "off"]]


class LabelTable(DataTable):
    name = "test-exports-labels"
    permission = ""
    default_sort = "title"
    columns = [
        Column("title", "Title", sort_by="title"),
        Column("named", "Named", export=Concat(Value("Job: "), "title")),
        Column("after_nothing", "After nothing", export=Concat(Value(""), "title")),
        Column(
            "picked",
            "Picked",
            export=Case(When(pk__gt=0, then="title"), default=Value("None")),
        ),
        Column(
            "label",
            "Label",
            export=Case(When(pk__gt=0, then=Value("-12")), default=Value("No")),
        ),
    ]

    def get_queryset(self):
        return Job.objects.all()


def test_only_cells_that_start_with_a_fixed_word_skip_the_formula_check(admin_user, enterprise):
    Job.objects.create(title="=SUM(A1)", enterprise=enterprise)

    with enterprise_scope(enterprise):
        response = LabelTable(admin_user).csv_response("jobs.csv")

    assert read_as_a_server(response)[1] == [
        "'=SUM(A1)",
        "Job: =SUM(A1)",
        "'=SUM(A1)",
        "'=SUM(A1)",
        "-12",
    ]
