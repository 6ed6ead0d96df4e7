r"""Benchmark of the numbers app at 10 million numbers, 1 million of them one enterprise's.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/phone_numbers.py [--count 10000000 --mine 1000000] [--keep]

It creates the database bench_numbers beside the one DATABASE_URL names (dropped again at the
end unless --keep; --reuse takes a kept one), migrates it and fills it with
`manage.py generate_numbers`. Then, for the big enterprise, each figure beside the raw
PostgreSQL figure for the same work:
- Inventory pages (US Domestic): first, deep and last page of every sort, each filter, and
  the first and last page of each filter under every other sort; whole pages through the
  test client (every query and the rendering, median of 20) with their query count, beside
  the time of their queries alone;
- the dashboard and a package page (My Numbers), beside COUNT(*) of the numbers they count;
- Move to Another Package of 100,000 numbers (history and counts included), beside one UPDATE
  and one INSERT ... SELECT of the same rows: each the median of MOVE_RUNS runs, rolled back,
  each started after VACUUM and CHECKPOINT (no dead rows from the run before, every page
  written to the WAL in full on its first change), with the CPU seconds of the server's
  process where it runs on this machine and the load average (the figures on a shared
  machine); --move-only runs only this part;
- a bulk file of 100,000 lines previewed by its job (the worker's code, run here), beside the
  query that looks its numbers up;
- the CSV of the tab through gunicorn and an RQ worker, beside psql's \copy of the same SELECT,
  and the export in this process with its memory growth.
Targets (issue 13): pages < 50 ms with one query count, dashboard < 100 ms, move < 2 s, CSV
> 200,000 rows/s growing < 50 MB, bulk preview < 10 s.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import tables

BENCH_DB = "bench_numbers"
REPEAT = tables.REPEAT
MOVED = 100_000
MOVE_RUNS = 3
BULK_LINES = 100_000


def whole_page(client, url):
    """Median ms of whole GETs, the median ms of their queries, and the query counts."""
    from django.db import connection

    totals, in_queries, counts = [], [], set()
    for _ in range(REPEAT):
        timer = tables.QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.get(url)
        totals.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}.")
        in_queries.append(timer.seconds * 1000)
        counts.add(timer.count)
    return statistics.median(totals), statistics.median(in_queries), sorted(counts)


def print_page(client, label, url):
    total, queries, counts = whole_page(client, url)
    print(
        f"{label:<34} {total:7.1f} ms  queries {queries:6.1f} ms"
        f"  {'/'.join(map(str, counts))} queries"
    )


def inventory_pages(client, user, mine):
    from django.http import QueryDict
    from django.urls import reverse

    from phone_numbers.models import PhoneNumber
    from phone_numbers.tables import USDomesticTable

    tab = reverse("phone_numbers:us_domestic")
    print(f"\nInventory, US Domestic, {mine:,} numbers: whole pages (median of {REPEAT})")
    sorts = [column.key for column in USDomesticTable.columns if column.sort_by]
    for sort in [order for key in sorts for order in (key, f"-{key}")]:
        table = USDomesticTable(user, QueryDict(f"sort={sort}"))
        rows = table.queryset.count()
        for where, position in [("first", -1), ("deep", rows // 2), ("last", rows - 51)]:
            cursor = tables.cursor_at(table, position)
            query = f"sort={sort}" + (f"&after={cursor}" if cursor else "")
            print_page(client, f"sort {sort}, {where}", f"{tab}?{query}")
    sample = PhoneNumber.objects.filter(enterprise=user.enterprise).order_by("pk")[mine // 2]
    filters = [
        ("prefix (NPA-NXX)", f"prefix={sample.e164[1:8]}"),
        ("ending digits", f"ending={sample.e164[-4:]}"),
        ("contains digits", f"contains={sample.e164[5:10]}"),
        ("city", f"city={sample.city}"),
        ("state", f"state={sample.state}"),
        ("package", f"package={sample.package.public_id}"),
        ("status pending", "status=pending"),
        ("no E911", "service=no_e911"),
    ]
    for label, query in filters:
        print_page(client, f"filter {label}", f"{tab}?{query}")
    # The last page too: a plan that walks an index in the hope of meeting the filter's rows
    # early is found out at the end, where none are left to meet.
    print(f"\nEach filter under every other sort, first and last page (median of {REPEAT})")
    for label, query in filters:
        for sort in [order for key in sorts[1:] for order in (key, f"-{key}")] + ["-number"]:
            print_page(client, f"{label}, {sort}", f"{tab}?{query}&sort={sort}")
            table = USDomesticTable(user, QueryDict(f"{query}&sort={sort}"))
            cursor = tables.cursor_at(table, table.queryset.count() - 51)
            if cursor:
                url = f"{tab}?{query}&sort={sort}&after={cursor}"
                print_page(client, f"{label}, {sort}, last", url)


def dashboards(client, user):
    from django.db import connection
    from django.urls import reverse

    from trunks.models import Package

    print("\nDashboard and My Numbers (median of 20)")
    print_page(client, "dashboard", reverse("dashboard"))
    package = Package.objects.filter(enterprise=user.enterprise).order_by("pk").first()
    print_page(
        client,
        f"package page ({package.name})",
        reverse("trunks:package_detail", args=[package.public_id]),
    )
    timings = []
    with connection.cursor() as cursor:
        for _ in range(5):
            started = time.perf_counter()
            cursor.execute(
                "SELECT package_id, kind, status, COUNT(*) FROM phone_numbers_phonenumber "
                "WHERE enterprise_id = %s GROUP BY 1, 2, 3",
                [user.enterprise_id],
            )
            cursor.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    print(f"{'raw: COUNT(*) GROUP BY package...':<34} {statistics.median(timings):7.1f} ms")


def backend_cpu_seconds(cursor):
    """A function giving the CPU seconds this connection's server process has used so far, or
    None where the server runs on another machine (its process is not in /proc)."""
    cursor.execute("SELECT pg_backend_pid()")
    stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return lambda: None
    tick = os.sysconf("SC_CLK_TCK")

    def seconds():
        # utime and stime, the 14th and 15th fields (after the name, which may hold spaces).
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    return seconds


def move(user):
    from django.db import connection, transaction

    from phone_numbers import manage
    from phone_numbers.models import PhoneNumber
    from trunks.models import Package

    source, target = Package.objects.filter(enterprise=user.enterprise).order_by("pk")[:2]
    ids = PhoneNumber.objects.filter(package=source).order_by("pk").values_list("pk", flat=True)
    size = min(MOVED, ids.count())
    last = ids[size - 1]
    selected = PhoneNumber.objects.filter(package=source, pk__lte=last)
    print(
        f"\nMove to Another Package, {size:,} numbers (the commit's deferred checks included;"
        f" median of {MOVE_RUNS}, each after VACUUM and CHECKPOINT)"
    )

    def timed(work):
        """Median seconds of work() and of the key checks its commit would run, rolled back;
        the server process's CPU seconds of that run; and work()'s result."""
        runs = []
        for _ in range(MOVE_RUNS):
            # Every run starts alike: no dead rows left by the one before, and every page
            # written to the WAL in full again on its first change, as after any checkpoint.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM phone_numbers_phonenumber, phone_numbers_numberevent")
                cursor.execute("CHECKPOINT")
            with transaction.atomic(), connection.cursor() as cursor:
                cpu = backend_cpu_seconds(cursor)
                cpu_before = cpu()
                started = time.perf_counter()
                result = work(cursor)
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                seconds = time.perf_counter() - started
                cpu_after = cpu()
                transaction.set_rollback(True)
            runs.append((seconds, None if cpu_before is None else cpu_after - cpu_before))
        seconds, cpu_seconds = sorted(runs)[len(runs) // 2]
        load = os.getloadavg()[0]
        server = "" if cpu_seconds is None else f"  server CPU {cpu_seconds:5.2f} s"
        return f"{seconds:7.2f} s{server}  (load {load:.1f})", result

    figure, done = timed(
        lambda cursor: manage.move_to_package(selected, target, by=user, ip_address="127.0.0.1")
    )
    print(f"{'portal (history, counts, audit)':<34} {figure}  {done:,} numbers")
    update = (
        "UPDATE phone_numbers_phonenumber SET package_id = %s, routing_policy_id = NULL, "
        "trunk_id = NULL WHERE package_id = %s AND id <= %s AND status <> 'disconnected'"
    )
    history = (
        "INSERT INTO phone_numbers_numberevent "
        "(enterprise_id, number_id, at, actor_id, actor_label, action, description) "
        "SELECT enterprise_id, id, now(), NULL, 'bench', 'moved', 'raw' "
        "FROM phone_numbers_phonenumber WHERE package_id = %s AND id <= %s "
        "AND status <> 'disconnected'"
    )
    figure, _ = timed(lambda cursor: cursor.execute(update, [target.pk, source.pk, last]))
    print(f"{'raw: UPDATE':<34} {figure}")
    figure, _ = timed(
        lambda cursor: (
            cursor.execute(history, [source.pk, last]),
            cursor.execute(update, [target.pk, source.pk, last]),
        )
    )
    print(f"{'raw: INSERT SELECT + UPDATE':<34} {figure}")


def bulk_preview(user):
    from django.db import connection, transaction

    from core.jobs import start_job
    from core.models import Job
    from phone_numbers import bulk
    from phone_numbers.models import PhoneNumber
    from phone_numbers.permissions import MANAGE_NUMBERS

    numbers = list(
        PhoneNumber.objects.filter(status="active")
        .order_by("pk")
        .values_list("e164", flat=True)[:BULK_LINES]
    )
    data = ("number,action,cnam\n" + "".join(f"{n},cnam,BENCH\n" for n in numbers)).encode()
    rows = bulk.read_rows(data)
    token = bulk.save_upload(user.enterprise, data, "bench.csv", line_count=len(rows), by=user)
    print(f"\nBulk file of {len(rows):,} lines, previewed by its job")
    started = time.perf_counter()
    # Without REDIS_URL in this process the job runs right after the commit, as a worker would.
    with transaction.atomic():
        job = start_job(
            bulk.preview_in_worker,
            token,
            title="Bench preview",
            permission=MANAGE_NUMBERS,
            enterprise=user.enterprise,
            created_by=user,
        )
    seconds = time.perf_counter() - started
    job = Job.objects.get(pk=job.pk)
    state = bulk.load_state(user.enterprise_id, token)
    ok = sum(line.ok for line in state["lines"])
    print(f"{'portal preview job':<34} {seconds:7.2f} s  {ok:,} OK  ({job.status})")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        # The portal's shape (bulk.numbers_named): at 10M numbers `e164 = ANY(<100,000>)` ran
        # for over ten minutes.
        cursor.execute(
            "SELECT e164, id, package_id, status FROM phone_numbers_phonenumber "
            "WHERE enterprise_id = %s AND status <> 'disconnected'"
            " AND e164 IN (SELECT unnest(%s::text[]))",
            [user.enterprise_id, numbers],
        )
        cursor.fetchall()
        seconds = time.perf_counter() - started
    print(f"{'raw: look the numbers up':<34} {seconds:7.2f} s")


def csv_in_process(user):
    from django.http import QueryDict

    from core.exports import csv_chunks
    from phone_numbers.tables import USDomesticTable

    table = USDomesticTable(user, QueryDict())
    rss_before = rss_after = tables.rss_mb()
    started = time.perf_counter()
    lines = 0
    for number, chunk in enumerate(csv_chunks(table)):
        lines += chunk.count(b"\n")
        if number % 1000 == 0:
            rss_after = max(rss_after, tables.rss_mb())
    seconds = time.perf_counter() - started
    print(
        f"\n{'CSV export in this process':<34} {seconds:7.2f} s  {lines - 1:,} rows"
        f"  {(lines - 1) / seconds:,.0f} rows/s  RSS growth {rss_after - rss_before:.0f} MB"
    )


def csv_real_path(user, redis_url, var_dir):
    from django.db import connection
    from django.http import QueryDict
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from core.exports import copy_sql
    from core.tenancy import enterprise_scope
    from phone_numbers.tables import USDomesticTable

    environment = {
        **os.environ,
        **tables.PRODUCTION,
        "DATABASE_URL": tables.database_url(tables.BENCH_DB),
        "REDIS_URL": redis_url,
        "PORTAL_VAR_DIR": str(var_dir),
    }
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = tables.free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(var_dir / "processes.log", "ab")  # noqa: SIM115 - closed with the processes
    python = sys.executable
    worker = tables.start([python, "manage.py", "rqworker", "default"], environment, log)
    server = tables.start(
        [python, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        environment,
        log,
    )
    try:
        tables.wait_for(f"{base}{reverse('account_login')}")
        path = reverse("phone_numbers:us_domestic")
        print(f"\nUS Domestic tab ({base}{path}) through gunicorn (median of 20)")
        print(f"{'first page':<34} {tables.median_ms(base + path, cookie):7.1f} ms")
        queued, written, total, lines, size = tables.download_csv(base, path, cookie)
        print("CSV through gunicorn and the RQ worker")
        print(
            f"{'file downloaded after':<34} {total:7.2f} s  {lines - 1:,} rows"
            f"  {size / 2**20:.0f} MB  {(lines - 1) / total:,.0f} rows/s"
            f"  (job page {queued:.2f} s, link {written:.2f} s)"
        )
    finally:
        server.terminate()
        worker.terminate()
        server.wait()
        worker.wait()
        log.close()
    with enterprise_scope(user.enterprise), timezone.override(user.zone):
        sql, params = copy_sql(USDomesticTable(user, QueryDict()))
        sql = connection.ops.compose_sql(sql, params)
    seconds = tables.psql_copy(sql, str(user.zone), var_dir / "psql.csv", jit=False)
    print(
        f"{'raw: psql \\copy of the same SELECT':<34} {seconds:7.2f} s  ({total / seconds:.1f} x)"
    )
    # The floor: the enterprise's rows as they are stored, unformatted and unsorted.
    plain = f"SELECT * FROM phone_numbers_phonenumber WHERE enterprise_id = {user.enterprise_id}"  # noqa: S608
    seconds = tables.psql_copy(plain, str(user.zone), var_dir / "plain.csv", jit=False)
    print(f"{'raw: psql \\copy of SELECT *':<34} {seconds:7.2f} s  ({total / seconds:.1f} x)")


def main():
    global REPEAT  # noqa: PLW0603 - --repeat sets it for every page
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000_000)
    parser.add_argument("--mine", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench_numbers database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept bench_numbers")
    parser.add_argument("--no-real-path", action="store_true", help="skip gunicorn and RQ")
    parser.add_argument("--database", default=BENCH_DB, help=f"instead of {BENCH_DB}")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the Inventory pages (implies --no-real-path)",
    )
    parser.add_argument(
        "--move-only",
        action="store_true",
        help="only Move to Another Package (implies --no-real-path)",
    )
    parser.add_argument("--repeat", type=int, default=REPEAT, help="runs per page (median)")
    args = parser.parse_args()
    args.no_real_path = args.no_real_path or args.pages_only or args.move_only
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url and not args.no_real_path:
        raise SystemExit("Set REDIS_URL: the real path runs an RQ worker.")

    var_dir = Path(tempfile.mkdtemp(prefix="bench-numbers-"))
    os.environ.update(tables.PRODUCTION, PORTAL_VAR_DIR=str(var_dir))
    # bench/tables.py's helpers create, name and drop the database its BENCH_DB names.
    tables.BENCH_DB = args.database
    REPEAT = args.repeat
    if not args.reuse:
        tables.recreate_database()
    tables.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django_scopes import scopes_disabled

    from accounts.models import Enterprise, Role, User
    from core.tenancy import enterprise_scope

    with scopes_disabled():
        if not args.reuse:
            call_command("migrate", verbosity=0)
            started = time.perf_counter()
            call_command("generate_numbers", count=args.count, mine=args.mine)
            print(f"generate_numbers: {time.perf_counter() - started:.0f} s")
            enterprise = Enterprise.objects.get(account_number="BENCH-0001")
            User.objects.create(
                email="admin@bench.example",
                name="Bench Admin",
                enterprise=enterprise,
                role=Role.objects.get(slug=Role.ADMINISTRATOR),
                time_zone="America/Denver",
            )
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE) phone_numbers_phonenumber")
        user = User.objects.get(email="admin@bench.example")
    call_command("collectstatic", interactive=False, verbosity=0)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    with enterprise_scope(user.enterprise):
        if args.move_only:
            move(user)
        else:
            inventory_pages(client, user, args.mine)
        if not (args.pages_only or args.move_only):
            dashboards(client, user)
            move(user)
            bulk_preview(user)
            csv_in_process(user)
    if not args.no_real_path:
        csv_real_path(user, redis_url, var_dir)
    shutil.rmtree(var_dir)
    connection.close()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
