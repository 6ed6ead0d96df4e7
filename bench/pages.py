"""Benchmark of the list pages: requests per second from gunicorn, beside the sign-in page's.

Run on demand, never in the suite (it needs wrk: apt-get install wrk):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/pages.py

It creates the database bench_pages beside the one DATABASE_URL names (dropped again at the end
unless --keep), migrates it and loads one enterprise with ROWS of everything a list shows:
users, trunks of one Usage package, their orders, routing policies, and audit events. Then it
collects the static files, starts gunicorn as in production and runs `wrk -t2 -c20 -d10s`
against each page, signed in as an Administrator, and against the sign-in page, anonymous, at
right before each page (the load of the machine may change during the run). It prints each
page's requests per second beside the sign-in page's, their ratio, and the page's queries on its
first and second page. With REDIS_URL set, gunicorn gets it too and reads the sessions from
Redis, as production does.
Target: every list page at 0.5 or more of the sign-in page, and the same queries on every page.

It also times the floor of a list page (bench/floor_urls.py), served by the same gunicorn: the
layout alone, signed in, and the layout with 50 users of a bare query, read as model instances
and as plain values, with no filters, pager or column choice. No list page can beat its floor.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import tables

ROWS = 60
AUDIT_ROWS = 10_000
BENCH_DB = "bench_pages"
PASSWORD = "bench-pages-2026!"  # noqa: S105 - a throwaway database's user


def production_environment(var_dir):
    """The settings gunicorn runs with, also used here so that the session cookie is valid."""
    os.environ.update(
        PORTAL_ENV="production",
        SECRET_KEY="bench-pages-secret-key-0123456789abcdef-not-for-any-real-site",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        PORTAL_VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
    )


def load(rows, audit_rows):
    """One enterprise: rows users, trunks (each with its order), routing policies; audit rows."""
    from django.db import connection
    from django_scopes import scopes_disabled

    from accounts.models import Enterprise, Role, User
    from orders import services as orders
    from trunks import services
    from trunks.demo import trunk as trunk_fields
    from trunks.models import Package
    from trunks.routing import Target, save_policy

    def signaling(number):
        return [
            {"host": f"34.120.{number // 200}.{number % 200 + 1}", "port": 5060, "transport": "udp"}
        ]

    with scopes_disabled():
        enterprise = Enterprise.objects.create(name="Bench Pages", account_number="BENCH0001")
        administrator = Role.objects.get(slug=Role.ADMINISTRATOR)
        admin = User.objects.create_user(
            email="admin@bench.example",
            password=PASSWORD,
            name="Bench Admin",
            enterprise=enterprise,
            role=administrator,
        )
        staff = User.objects.create_user(
            email="staff@bench.example", password=PASSWORD, is_staff=True, enterprise=None
        )
        User.objects.bulk_create(
            User(
                email=f"user{n}@bench.example",
                name=f"Bench User {n}",
                enterprise=enterprise,
                role=administrator,
                is_active=n % 7 != 0,
            )
            for n in range(rows)
        )
        first = services.order_new_package(
            enterprise=enterprise,
            by=admin,
            package_name="Bench Usage",
            package_type=Package.Type.USAGE,
            trunk=trunk_fields("Bench SBC 0"),
            signaling=signaling(0),
            notify=False,
        )
        package = first.trunk_order.trunk.package
        placed = [first] + [
            services.order_trunk(
                package,
                by=admin,
                trunk=trunk_fields(f"Bench SBC {n}"),
                signaling=signaling(n),
                notify=False,
            )
            for n in range(1, rows)
        ]
        for order in placed:
            orders.complete(order, by=staff, notify=False)
        for n, order in enumerate(placed):
            save_policy(
                package,
                by=admin,
                name=f"Policy {n}",
                is_default=n == 0,
                fallback_number="+13035550100",
                targets=[Target(order.trunk_order.trunk, 1, 100)],
            )
        tables.load_events(enterprise.pk, audit_rows, seed=0)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
        return admin, package


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port, workers, redis_url):
    """The portal's gunicorn, with the floor pages beside its own (floor_settings.py)."""
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [
            *(sys.executable, "-m", "gunicorn", "portal.wsgi"),
            *("--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--log-level", "warning"),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **os.environ,
            "REDIS_URL": redis_url,
            "DJANGO_SETTINGS_MODULE": "floor_settings",
            "PYTHONPATH": str(Path(__file__).resolve().parent),
        },
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)  # noqa: S310
            return server
        except OSError:  # refused, reset or too slow to answer yet (URLError is an OSError)
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not answer within 20 seconds.")


def check_page(url, cookie):
    """A page must answer 200 itself, not a redirect to the sign-in page."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        if response.status != 200 or response.url != url:
            raise SystemExit(f"{url} answered {response.status} at {response.url}.")


def wrk(url, cookie, seconds):
    """Requests per second of wrk -t2 -c20 against url."""
    command = ["wrk", "-t2", "-c20", f"-d{seconds}s", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    if "Non-2xx" in output:
        raise SystemExit(f"wrk got errors from {url}:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def queries_of(client, path):
    """The queries of a page and, when it has one, of its next page (rel="next")."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    while path and len(counts) < 2:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        counts.append(len(queries))
        link = re.search(r'href="([^"]+)" rel="next"', response.content.decode())
        path = link and path.split("?")[0] + link.group(1).replace("&amp;", "&")
    return "/".join(map(str, counts))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--audit-rows", type=int, default=AUDIT_ROWS)
    parser.add_argument("--seconds", type=int, default=10, help="of wrk on each page")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep", action="store_true", help="keep the bench_pages database")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept bench_pages")
    parser.add_argument(
        "--empty-tables",
        action="store_true",
        help="every DataTable reads no rows: what the list pages cost around their rows",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")

    # Set aside for gunicorn: this process makes its rows with the jobs inline.
    redis_url = os.environ.get("REDIS_URL", "")
    # bench/tables.py's helpers create, name and drop the database its BENCH_DB names.
    tables.BENCH_DB = BENCH_DB
    os.environ["DJANGO_SETTINGS_MODULE"] = "floor_settings"
    if args.empty_tables:
        os.environ["BENCH_EMPTY_TABLES"] = "1"
    var_dir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    production_environment(var_dir)
    if not args.reuse:
        tables.recreate_database()
    tables.setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from accounts.models import User
    from trunks.models import Package
    from trunks.services import KIND

    if args.reuse:
        with scopes_disabled():
            admin = User.objects.get(email="admin@bench.example")
            package = Package.objects.get(name="Bench Usage")
    else:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        admin, package = load(args.rows, args.audit_rows)
        print(f"Loaded {args.rows} rows of each list in {time.perf_counter() - started:.0f} s")
    call_command("collectstatic", interactive=False, verbosity=0)
    pages = [
        ("Dashboard", reverse("dashboard")),
        ("Users", reverse("accounts:users")),
        ("Audit log", reverse("audit:audit_log")),
        ("Trunk orders tab", reverse("orders:orders_tab", args=[KIND])),
        ("Inventory > Trunks", reverse("trunks:inventory")),
        ("Package page", reverse("trunks:package_detail", args=[package.public_id])),
        ("Routing Policy Manager", reverse("trunks:routing_manager", args=[package.public_id])),
        ("Floor: layout alone", "/floor/layout/"),
        ("Floor: 50 rows, models", "/floor/instances/"),
        ("Floor: 50 rows, values", "/floor/values/"),
    ]
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    queries = {path: queries_of(client, path) for _label, path in pages}
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers, redis_url)
    try:
        base = f"http://127.0.0.1:{port}"
        sign_in = f"{base}{reverse('account_login')}"
        check_page(sign_in, None)
        for _label, path in pages:
            check_page(base + path, cookie)
        # The sign-in page right before each page: the machine's load may change in between.
        rates = {
            path: (wrk(sign_in, None, args.seconds), wrk(base + path, cookie, args.seconds))
            for _label, path in pages
        }
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(var_dir)

    sessions = "Redis" if redis_url else "the database"
    print(f"\nwrk -t2 -c20 -d{args.seconds}s, gunicorn with {args.workers} workers")
    print(f"Sessions read from {sessions}")
    if args.empty_tables:
        print("Every DataTable read no rows (--empty-tables)")
    print(f"{'page':<24} {'req/s':>8} {'sign-in':>8} {'ratio':>6}  queries (first/next page)")
    for label, path in pages:
        sign_in_rate, rate = rates[path]
        print(
            f"{label:<24} {rate:8.1f} {sign_in_rate:8.1f} {rate / sign_in_rate:6.2f}"
            f"  {queries[path]}"
        )

    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
