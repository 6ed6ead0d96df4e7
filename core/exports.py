"""CSV exports of data tables: complete, or clearly failed, never silently cut.

A table of up to DataTable.stream_limit rows (counted with a LIMIT, so cheaply) is streamed in
the response, in the request's tenant scope and time zone (tenancy.stream_within_request). A
longer one is written by a background job to a file in the default storage, with progress on the
job's page every EXPORT_PROGRESS_ROWS rows (saved through a connection of its own while the COPY
holds the job's: core/progress.py) and a download link kept for EXPORT_KEEP_DAYS days.

On PostgreSQL both are PostgreSQL's own COPY of a SELECT built from the table's queryset: each
column's `export` expression (or its field), datetimes as text in the user's time zone, and every
cell neutralised against spreadsheet formulas (NEUTRALISE, the SQL twin of tables.csv_safe),
except those that cannot start like one (fixed labels, datetimes): one check fewer per row.
Other databases (SQLite under `make run`) get the same columns made in Python.
"""

import csv
import io
import tempfile
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connections, transaction
from django.db.models import Case, DateTimeField, F, Func, TextField, Value, When
from django.db.models.functions import Concat, ConcatPair
from django.http import FileResponse, Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import get_valid_filename

from . import progress
from .jobs import job_for_member, start_job
from .models import Job
from .tenancy import enterprise_member_required, stream_within_request

EXPORT_DIR = "exports"
EXPORT_KEEP_DAYS = 3
# The size of the pieces a CSV is written and sent in.
CHUNK_BYTES = 64 * 1024
# Datetimes in exports, as on the page: "2026-03-03 12:00 UTC" in the user's time zone.
DATETIME_SQL_FORMAT = "YYYY-MM-DD HH24:MI TZ"

# A cell that starts like a formula and is not a plain number gets a leading apostrophe.
# ascii() reads the code of the first character (=, +, -, @, tab, CR) without copying it.
NEUTRALISE = (
    "CASE WHEN ascii({cell}) NOT IN (61, 43, 45, 64, 9, 13) THEN {cell}"
    " WHEN {cell} ~ '^[+-]?[0-9]+(\\.[0-9]+)?$' THEN {cell}"
    " ELSE '''' || {cell} END"
)


class ToChar(Func):
    """A datetime as text in the session's time zone, e.g. ToChar("created_at", "YYYY-MM-DD")."""

    function = "to_char"
    output_field = TextField()

    def __init__(self, expression, format, **extra):
        super().__init__(expression, Value(format), **extra)


def choice_label_sql(field, choices):
    """The label of a choice field's value, in SQL: the CSV's twin of get_FOO_display()."""
    return Case(
        *(When(**{field: value}, then=Value(label)) for value, label in choices),
        default=Value(""),
        output_field=TextField(),
    )


def _export_expression(column):
    if column.export is None:
        return F(column.sort_by or column.key)
    if isinstance(column.export, str):
        return F(column.export)
    if not hasattr(column.export, "resolve_expression"):
        # A function building the expression when it is needed (e.g. from a registry).
        return column.export()
    return column.export


def _never_a_formula(expression):
    """Whether every text the expression gives is one that csv_safe leaves as it is, so that
    COPY need not check each of its cells: fixed labels (choice labels, Yes/No) and labels
    that start with a fixed word ("Policy: " || name)."""
    from .tables import csv_safe

    if isinstance(expression, Value):
        return csv_safe(expression.value) == str(expression.value)
    if isinstance(expression, Case):
        results = [when.result for when in expression.cases] + [expression.default]
        return all(_never_a_formula(result) for result in results)
    if isinstance(expression, (Concat, ConcatPair)):
        first = expression.source_expressions[0]
        if isinstance(first, (Concat, ConcatPair)):
            return _never_a_formula(first)
        # Its first character is the whole text's first character.
        return isinstance(first, Value) and first.value != "" and _never_a_formula(first)
    return False


def copy_sql(table):
    """The SELECT that COPY runs for the table's CSV, and its parameters."""
    columns = table.export_columns
    expressions = {f"c{i}": _export_expression(column) for i, column in enumerate(columns)}
    checked = {name for name, expression in expressions.items() if not _never_a_formula(expression)}
    resolved = table.queryset.values(**expressions).query.annotations
    for name, expression in resolved.items():
        if isinstance(expression.output_field, DateTimeField):
            # Starts with the year's digits: never a formula.
            expressions[name] = ToChar(expressions[name], DATETIME_SQL_FORMAT)
            checked.discard(name)
    inner = table.queryset.values(**expressions)
    sql, params = inner.query.sql_with_params()
    cells = ", ".join(
        NEUTRALISE.format(cell=f'"{name}"::text') if name in checked else f'"{name}"::text'
        for name in expressions
    )
    # OFFSET 0 keeps the planner from merging the two levels, which would compute each
    # column once for every mention in NEUTRALISE; the rows keep the inner query's order.
    # Only the queryset's own SQL and fixed text: values are in params.
    return f"SELECT {cells} FROM ({sql} OFFSET 0) AS export_rows", params  # noqa: S608


def _header(table):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(
        [column.label for column in table.export_columns]
    )
    return buffer.getvalue().encode()


def csv_chunks(table):
    """The table's CSV, all rows and columns, as chunks of about CHUNK_BYTES."""
    yield _header(table)
    connection = connections[table.queryset.db]
    if connection.vendor != "postgresql":
        yield from _python_chunks(table)
        return
    sql, params = copy_sql(table)
    statement = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
    with transaction.atomic(using=table.queryset.db), connection.cursor() as cursor:
        # JIT compiling the SELECT costs more than it saves on an export's plain scan.
        cursor.execute("SET LOCAL jit = off")
        # Datetimes become text in the user's zone. Django reads datetimes as if the session
        # were in its own zone, so that is put back even inside an outer transaction.
        set_zone = "SELECT set_config('TimeZone', %s, true)"
        cursor.execute(set_zone, [timezone.get_current_timezone_name()])
        try:
            with cursor.copy(statement) as copy:
                # COPY gives one row at a time: send them on in chunks of a useful size.
                chunk = bytearray()
                for row in copy:
                    chunk += row
                    if len(chunk) >= CHUNK_BYTES:
                        yield bytes(chunk)
                        chunk.clear()
                if chunk:
                    yield bytes(chunk)
        finally:
            cursor.execute(set_zone, [connection.timezone_name])


def _python_chunks(table):
    from .tables import csv_safe

    columns = table.export_columns
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for obj in table.queryset.iterator(chunk_size=2000):
        writer.writerow([csv_safe(column.text_of(obj)) for column in columns])
        if buffer.tell() >= CHUNK_BYTES:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def csv_response(table, filename):
    """Stream a short table's CSV; start a job for a long one and show its progress."""
    if table.queryset[: table.stream_limit + 1].count() <= table.stream_limit:
        response = StreamingHttpResponse(
            stream_within_request(csv_chunks(table)), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    user = table.user
    job = start_job(
        write_export,
        table.name,
        user.pk,
        table.params.urlencode(),
        get_valid_filename(filename),
        title=f"Download {filename}",
        permission=table.permission,
        enterprise=user.enterprise,
        created_by=user,
    )
    return redirect("job_status", job.public_id)


def export_path(job):
    return f"{EXPORT_DIR}/{job.public_id}.csv"


def write_export(job, table_name, user_id, query_string, filename):
    """Write a table's CSV to the storage as the user would download it; return its link."""
    from .tables import DataTable

    user = get_user_model().objects.select_related("enterprise", "role").get(pk=user_id)
    table_class = DataTable.registry[table_name]
    # The job re-checks what the view checked: the user may still see this list.
    if not user.is_active or not user.has_perm(table_class.permission):
        raise PermissionDenied(f"{user} may no longer see this list.")
    with timezone.override(user.zone):
        table = table_class(user, QueryDict(query_string))
        total = table.queryset.count()
        job.report_progress(0, total, message=f"{total:,} rows")
        step = settings.EXPORT_PROGRESS_ROWS
        with tempfile.TemporaryFile() as file:
            written = 0
            for chunk in csv_chunks(table):
                file.write(chunk)
                # Close enough for progress: a line break inside a quoted cell counts twice.
                lines = chunk.count(b"\n")
                if (written + lines) // step > written // step:
                    progress.report_progress(job, min(written + lines, total))
                written += lines
            file.seek(0)
            default_storage.delete(export_path(job))
            default_storage.save(export_path(job), File(file))
    job.report_progress(total)
    return reverse("export_download", args=[job.public_id, filename])


@enterprise_member_required
def download_export(request, public_id, filename):
    job = job_for_member(request, public_id)
    if job.status != Job.Status.SUCCEEDED or not default_storage.exists(export_path(job)):
        raise Http404("This download has expired.")
    return FileResponse(
        default_storage.open(export_path(job)),
        as_attachment=True,
        filename=get_valid_filename(filename),
        content_type="text/csv",
    )


def purge_old_exports(days=EXPORT_KEEP_DAYS):
    """Delete export files older than `days`; safe to run any number of times."""
    if not default_storage.exists(EXPORT_DIR):
        return 0
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    for name in default_storage.listdir(EXPORT_DIR)[1]:
        if default_storage.get_modified_time(f"{EXPORT_DIR}/{name}") < cutoff:
            default_storage.delete(f"{EXPORT_DIR}/{name}")
            deleted += 1
    return deleted


urlpatterns = [
    path("exports/<uuid:public_id>/<str:filename>", download_export, name="export_download"),
]
