r"""Benchmark of data tables at a million rows: pages, filters and the CSV export.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/tables.py

It creates the database bench_portal beside the one DATABASE_URL names (dropped again at the
end unless --keep), migrates it, writes ROWS audit events for each of two enterprises with COPY,
and prints for the first enterprise: the first, a deep and the last page by every sortable
column, each filter, the rendering of a 50-row page, and the CSV export beside PostgreSQL's own
COPY of the same rows. Page times are the time spent in the page's queries (median of 20).

Then the real path, in real processes with production settings: gunicorn and an RQ worker (on
the Redis database REDIS_URL names) against the bench database. Signed in as an Administrator,
it times whole pages (every query and the rendering: median of 20 GETs, beside the sign-in
page's), and the audit log's CSV download: the request, the job page followed until the job is
done, the file downloaded; beside it psql's `\copy` of the same SELECT to a file.
Targets: every page < 50 ms, the same number of queries on every page, export >= 200k rows/s,
memory growing by < 50 MB, the download within twice psql's \copy.
"""

import argparse
import io
import os
import random
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROWS = 1_000_000
BENCH_DB = "bench_portal"
REPEAT = 20
PROJECT = Path(__file__).resolve().parent.parent
# The settings of the real path's processes, and of this one, so that its session is theirs.
PRODUCTION = {
    "PORTAL_ENV": "production",
    "SECRET_KEY": "bench-tables-secret-key-0123456789abcdef-not-for-any-real-site",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
}


def database_url(name):
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    return urlunsplit(parts._replace(path=f"/{name}"))


def recreate_database():
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
        connection.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database():
    import psycopg

    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def postgres_settings():
    """Lines naming the server and each of deploy/postgresql.conf's settings that it lacks.

    Every figure depends on them: on PostgreSQL's defaults a million-row table is read from the
    operating system's cache page by page, and bulk changes write whole pages to the WAL.
    """
    import psycopg

    wanted = {}
    for line in (PROJECT / "deploy" / "postgresql.conf").read_text().splitlines():
        if re.match(r"[a-z_]+ *=", line):
            name, value = (part.strip() for part in line.split("=", 1))
            wanted[name] = value
    with psycopg.connect(database_url("postgres"), autocommit=True) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        found = {name: connection.execute(f"SHOW {name}").fetchone()[0] for name in wanted}
    lines = [f"PostgreSQL {version}"]
    lines += [
        f"  {name} = {found[name]}, not {value} as in deploy/postgresql.conf"
        for name, value in wanted.items()
        if found[name].lower() != value.lower()
    ]
    if len(lines) > 1:
        lines.append("  (bin/tune-postgres gives the server those settings)")
    else:
        lines[0] += " with the settings of deploy/postgresql.conf"
    return lines


def setup_django():
    print("\n".join(postgres_settings()))
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DATABASE_URL"] = database_url(BENCH_DB)
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()


def migrated_enterprise(name, account_number):
    """Migrate the bench database and make one enterprise with an Administrator: (enterprise,
    user)."""
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from accounts.models import Enterprise, Role, User

    with scopes_disabled():
        call_command("migrate", verbosity=0)
        enterprise = Enterprise.objects.create(name=name, account_number=account_number)
        user = User.objects.create(
            email="admin@bench.example",
            name="Bench Admin",
            enterprise=enterprise,
            role=Role.objects.get(slug=Role.ADMINISTRATOR),
        )
    return enterprise, user


def package_with_trunk(enterprise, name, package_type="usage", **trunk_fields):
    """A package of the enterprise with one active 500-channel trunk: (package, trunk)."""
    from django_scopes import scopes_disabled

    from trunks.models import Package, Trunk

    fields = {
        "name": f"{name} SBC",
        "status": Trunk.Status.ACTIVE,
        "street": "1801 California St",
        "city": name,
        "state": "CO",
        "zip_code": "80202",
        "switch_vendor": "Ribbon",
        "switch_model": "SBC 5400",
        "max_channels": 500,
        "contact_name": "Bench",
        "contact_email": "bench@bench.example",
        "contact_phone": "+13035550000",
        **trunk_fields,
    }
    with scopes_disabled():
        package = Package.objects.create(enterprise=enterprise, name=name, type=package_type)
        trunk = Trunk.objects.create(enterprise=enterprise, package=package, **fields)
    return package, trunk


def load_events(enterprise_id, rows, seed):
    """COPY rows audit events of one enterprise: 200 actors, every declared action, a year."""
    from django.db import connection

    from audit import actions

    codes = [code for code, _label in actions.choices()]
    rng = random.Random(seed)
    actors = [f"person{number}@tenant{enterprise_id}.example" for number in range(200)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    columns = (
        "enterprise_id, actor_email, action, object_type, object_id, object_repr, changes,"
        " details, ip_address, created_at"
    )
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY audit_auditevent ({columns}) FROM STDIN") as copy,
    ):
        buffer = io.StringIO()
        for number in range(rows):
            # About two events a minute over the year, some at the very same second.
            at = start + timedelta(seconds=number * 31 // 2)
            changes = (
                '[{"field": "Role", "before": "General User", "after": "Read Only"}]'
                if number % 5 == 0
                else "[]"
            )
            details = '{"method": "password"}' if number % 3 == 0 else "{}"
            buffer.write(
                f"{enterprise_id}\t{rng.choice(actors)}\t{rng.choice(codes)}\tuser\t{number}\t"
                f"User {number}\t{changes}\t{details}\t203.0.113.{number % 250}\t"
                f"{at.isoformat()}\n"
            )
            if number % 50_000 == 49_999:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


class QueryTimer:
    """Counts the queries run and the time spent in them (an execute_wrapper)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def measure(make_table, cursor=None):
    """Median time (ms) of the queries of one page, and the query count per page."""
    from django.db import connection

    times, counts = [], set()
    for _ in range(REPEAT):
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            make_table(cursor).page()
        times.append(timer.seconds * 1000)
        counts.add(timer.count)
    return statistics.median(times), counts


def cursor_at(table, position):
    """The cursor that opens the page after the row at position (0-based) in table's order."""
    if position < 0:
        return None
    row = table.queryset[position : position + 1].first()
    return table._cursor_for(row) if row else None


def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command, environment, log):
    return subprocess.Popen(  # noqa: S603 - our own commands
        command, cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT
    )


def get(url, cookie=None):
    """The response to a GET (redirects followed), read whole; its body and final URL."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        return response.read(), response.url


def wait_for(url):
    for _ in range(150):
        try:
            return get(url)
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within 30 seconds.")


def median_ms(url, cookie=None):
    timings = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        get(url, cookie)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def download_csv(base, path, cookie):
    """Ask for a long CSV, follow its job's page until the link appears, download the file.

    Returns the seconds until the job page answered, until the link, and in all; and the
    number of lines and bytes downloaded.
    """
    from django_scopes import scopes_disabled

    from core.models import Job

    started = time.perf_counter()
    page, job_url = get(f"{base}{path}?format=csv", cookie)
    queued = time.perf_counter() - started
    public_id = job_url.rstrip("/").rsplit("/", 1)[-1]
    while not (link := re.search(rb'href="(/exports/[^"]+)"', page)):
        with scopes_disabled():
            status = Job.objects.get(public_id=public_id).status
        if status in (Job.Status.FAILED, Job.Status.RETRYING):
            raise SystemExit(f"The export job {public_id} failed: see the worker's output.")
        time.sleep(0.25)
        page, _url = get(job_url, cookie)
    written = time.perf_counter() - started
    request = urllib.request.Request(base + link.group(1).decode(), headers={"Cookie": cookie})  # noqa: S310
    lines = size = 0
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        while block := response.read(2**20):
            lines += block.count(b"\n")
            size += len(block)
    return queued, written, time.perf_counter() - started, lines, size


def psql_copy(sql, zone, path, jit):
    """Seconds of psql's \\copy of sql to a file, with the user's time zone."""
    environment = {**os.environ, "PGTZ": zone, "PGOPTIONS": f"-c jit={'on' if jit else 'off'}"}
    command = ["psql", "-X", "-q", database_url(BENCH_DB), "-c", f"\\copy ({sql}) TO '{path}' CSV"]
    started = time.perf_counter()
    subprocess.run(command, env=environment, check=True)  # noqa: S603 - our own arguments
    return time.perf_counter() - started


def real_path(user, redis_url, var_dir):
    """Whole pages and the long CSV download through gunicorn and an RQ worker, as in production."""
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from audit.views import AuditTable
    from core.exports import copy_sql
    from core.tenancy import enterprise_scope

    environment = {
        **os.environ,
        **PRODUCTION,
        "DATABASE_URL": database_url(BENCH_DB),
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(var_dir),
    }
    python = sys.executable
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(var_dir / "processes.log", "ab")  # noqa: SIM115 - closed with the processes
    print(f"\n(gunicorn's and the worker's output: {log.name})")
    worker = start([python, "manage.py", "rqworker", "default"], environment, log)
    server = start(
        [python, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        environment,
        log,
    )
    try:
        wait_for(f"{base}{reverse('account_login')}")
        print("\nWhole pages through gunicorn, one request at a time (median of 20)")
        sign_in_ms = median_ms(f"{base}{reverse('account_login')}")
        print(f"{'sign-in page':<28} {sign_in_ms:7.1f} ms")
        for label, path in [
            ("audit log", reverse("audit:audit_log")),
            ("audit log, sorted by actor", f"{reverse('audit:audit_log')}?sort=actor"),
            ("audit log, acted upon (old)", f"{reverse('audit:audit_log')}?acted_upon=User+1"),
            ("audit log, acted upon (one)", f"{reverse('audit:audit_log')}?acted_upon=User+123456"),
            ("users", reverse("accounts:users")),
        ]:
            ms = median_ms(base + path, cookie)
            print(f"{label:<28} {ms:7.1f} ms  {ms / sign_in_ms:5.1f} x the sign-in page")

        queued, written, total, lines, size = download_csv(base, reverse("audit:audit_log"), cookie)
        print("\nThe audit log's CSV through gunicorn and the RQ worker")
        print(f"job page after           {queued:7.2f} s")
        print(f"download link after      {written:7.2f} s")
        print(
            f"file downloaded after    {total:7.2f} s  {lines - 1:,} rows  {size / 2**20:.0f} MB"
            f"  {(lines - 1) / total:,.0f} rows/s"
        )
    finally:
        server.terminate()
        worker.terminate()
        server.wait()
        worker.wait()
        log.close()

    with enterprise_scope(user.enterprise), timezone.override(user.zone):
        sql, params = copy_sql(AuditTable(user, QueryDict()))
        sql = connection.ops.compose_sql(sql, params)
    for jit in (True, False):
        seconds = psql_copy(sql, str(user.zone), var_dir / "psql.csv", jit)
        print(
            f"psql \\copy, JIT {'on ' if jit else 'off'}     {seconds:7.2f} s"
            f"  (the download takes {total / seconds:.1f} x as long)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--keep", action="store_true", help="keep the bench_portal database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept bench_portal")
    parser.add_argument(
        "--real-path-only", action="store_true", help="skip the measurements made in-process"
    )
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        raise SystemExit("Set REDIS_URL: the real path runs an RQ worker.")

    var_dir = Path(tempfile.mkdtemp(prefix="bench-tables-"))
    os.environ.update(PRODUCTION, PORTAL_VAR_DIR=str(var_dir))
    if not args.reuse:
        recreate_database()
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django_scopes import scopes_disabled

    from accounts.models import Enterprise, Role, User

    with scopes_disabled():
        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            enterprises = [
                Enterprise.objects.create(name=f"Bench {n}", account_number=f"BENCH{n}")
                for n in (1, 2)
            ]
            for seed, enterprise in enumerate(enterprises):
                load_events(enterprise.pk, args.rows, seed)
            admin_role = Role.objects.get(slug=Role.ADMINISTRATOR)
            User.objects.bulk_create(
                User(
                    email=f"user{n}@bench.example",
                    name=f"Bench User {n}",
                    enterprise=enterprises[0],
                    role=admin_role,
                    time_zone="America/Denver",
                    last_login=None if n % 4 == 0 else datetime(2026, 1, 1, tzinfo=UTC),
                )
                for n in range(200)
            )
            print(f"Loaded {2 * args.rows:,} audit events in {time.perf_counter() - started:.0f} s")
            # As autovacuum would soon: flush the GIN indexes' pending lists and gather the
            # statistics the planner needs to choose between the trigram and the keyset index.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) audit_auditevent")
        enterprise = Enterprise.objects.get(account_number="BENCH1")
        user = User.objects.filter(enterprise=enterprise).order_by("pk").first()
    call_command("collectstatic", interactive=False, verbosity=0)

    if not args.real_path_only:
        in_process(args, enterprise, user)
    real_path(user, redis_url, var_dir)
    shutil.rmtree(var_dir)
    connection.close()
    if not args.keep:
        drop_database()


def in_process(args, enterprise, user):
    """Each page's queries, the rendering and the export's COPY, measured in this process."""
    from django.db import connection
    from django.http import QueryDict
    from django.template.loader import render_to_string

    from accounts.views.users import UserTable
    from audit.views import AuditTable
    from core.exports import csv_chunks
    from core.tenancy import enterprise_scope

    with enterprise_scope(enterprise):
        print(f"\nAudit log pages, {args.rows:,} rows of one enterprise (median of {REPEAT})")
        print(f"{'sort':<10} {'first':>12} {'deep (500k)':>14} {'last':>12}")
        deep = args.rows // 2
        for sort in ("-time", "time", "action", "-action", "actor", "-actor"):
            query = f"sort={sort}"
            table = AuditTable(user, QueryDict(query))

            def build(cursor, query=query):
                return AuditTable(user, QueryDict(f"{query}&after={cursor}" if cursor else query))

            cells = []
            for position in (-1, deep - 1, args.rows - AuditTable.page_size - 1):
                ms, counts = measure(build, cursor_at(table, position))
                cells.append(f"{ms:7.2f} ms/{'/'.join(map(str, sorted(counts)))}q")
            print(f"{sort:<10} {cells[0]:>12} {cells[1]:>14} {cells[2]:>12}")

        print("\nFilters (default sort: newest first), first page and the next")
        action = AuditTable(user).queryset.values_list("action", flat=True)[:1].get()
        for label, query in [
            ("action", f"action={action}"),
            ("actor substring", "actor=person17@"),
            ("actor, few letters", "actor=son1"),
            ("date range", "date_from=2025-03-01&date_to=2025-03-07"),
            ("action + actor", f"action={action}&actor=person17@"),
            # object_repr is "User <row number>": "User 1" matches 11 % of the rows, all of them
            # in the oldest fifth; "User 99" one in a hundred, old and new; "User 123456" one.
            ("acted upon, old", "acted_upon=User 1"),
            ("acted upon, spread", "acted_upon=User 99"),
            ("acted upon, one row", "acted_upon=User 123456"),
            ("acted upon, none", "acted_upon=nobody"),
            ("acted upon + action", f"acted_upon=User 99&action={action}"),
            ("acted upon, by actor", "acted_upon=User 1&sort=actor"),
        ]:
            table = AuditTable(user, QueryDict(query))

            def build(cursor, query=query):
                return AuditTable(user, QueryDict(f"{query}&after={cursor}" if cursor else query))

            first_ms, first_counts = measure(build)
            next_ms, next_counts = measure(build, cursor_at(table, AuditTable.page_size - 1))
            print(
                f"{label:<20} {first_ms:7.2f} ms ({sorted(first_counts)}q)"
                f"  next {next_ms:7.2f} ms ({sorted(next_counts)}q)"
            )

        print("\nRendering a 50-row page (components/table.html, median of 20)")
        for name, make in [
            ("audit", lambda: AuditTable(user).context()),
            ("users", lambda: UserTable(user).context()),
        ]:
            timings = []
            for _ in range(REPEAT):
                context = {"t": make(), "csrf_token": "bench"}
                started = time.perf_counter()
                render_to_string("components/table.html", context)
                timings.append((time.perf_counter() - started) * 1000)
            print(f"{name:<10} {statistics.median(timings):6.2f} ms")

        print(f"\nCSV export of {args.rows:,} rows")
        table = AuditTable(user)
        rss_before = rss_after = rss_mb()
        started = time.perf_counter()
        size = lines = 0
        for number, chunk in enumerate(csv_chunks(table)):
            size += len(chunk)
            lines += chunk.count(b"\n")
            if number % 1000 == 0:
                rss_after = max(rss_after, rss_mb())
        seconds = time.perf_counter() - started
        print(
            f"portal export      {lines - 1:>9,} rows  {seconds:5.2f} s"
            f"  {(lines - 1) / seconds:>9,.0f} rows/s  {size / 2**20:6.0f} MB"
            f"  RSS growth {rss_after - rss_before:.0f} MB"
        )
        started = time.perf_counter()
        lines = 0
        with connection.cursor() as cursor:
            statement = connection.ops.compose_sql(
                "COPY (SELECT * FROM audit_auditevent WHERE enterprise_id = %s"
                " ORDER BY created_at DESC, id DESC) TO STDOUT WITH (FORMAT csv)",
                [enterprise.pk],
            )
            with cursor.copy(statement) as copy:
                for chunk in copy:
                    lines += bytes(chunk).count(b"\n")
        seconds = time.perf_counter() - started
        print(
            f"PostgreSQL COPY    {lines:>9,} rows  {seconds:5.2f} s"
            f"  {lines / seconds:>9,.0f} rows/s"
        )


if __name__ == "__main__":
    main()
