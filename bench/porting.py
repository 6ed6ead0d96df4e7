r"""Benchmark of checking a Port Numbers list: 10,000 and 100,000 numbers in one request.

Run on demand, never in the suite:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/porting.py [--sizes 10000 100000] [--keep]

It creates the database bench_porting beside the one DATABASE_URL names (dropped again at the
end unless --keep), migrates it, and makes one enterprise with an Administrator. Then:
- checking: read_entries() + check_list() of a pasted list of mixed US numbers (about 5% of
  them not in E.164, invalid or repeated), with the sandbox carrier gateway, beside a bare
  phonenumbers.parse + is_valid_number loop over the same entries, and the ratio;
- review: review_page() at the start and deep in a list of 100,000 numbers that all have a
  problem (median of 20), with the plan of the page's query, which must read the partial
  index port_number_problem.
Targets (issue 14): the whole request answers 10,000 numbers in < 1 s and 100,000 in < 8 s.
- whole request: the pop-up's Save posted to the real view (Django's test client in this
  process: middleware, view, every query and the page rendered again), beside the bare loop.
"""

import argparse
import contextlib
import random
import statistics
import time

import tables

BENCH_DB = "bench_porting"
REPEAT = tables.REPEAT
# Area codes of several sandbox carriers, and exchanges that are neither N11 nor 555.
AREA_CODES = ("303", "720", "212", "415", "617", "312", "307")


def mixed_entries(count, seed=14):
    """count entries as a customer pastes them: mostly E.164, about 5% with a problem."""
    rng = random.Random(seed)
    entries = []
    for _ in range(count):
        number = f"+1{rng.choice(AREA_CODES)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        roll = rng.random()
        if roll < 0.02:
            entries.append(f"({number[2:5]}) {number[5:8]}-{number[8:]}")
        elif roll < 0.035:
            entries.append(f"+1999{number[5:]}")
        elif roll < 0.05 and entries:
            entries.append(rng.choice(entries))
        else:
            entries.append(number)
    return entries


def bare_loop(entries):
    """Seconds of phonenumbers alone over the entries: the floor of any checking."""
    import phonenumbers

    started = time.perf_counter()
    for entry in entries:
        with contextlib.suppress(phonenumbers.NumberParseException):
            phonenumbers.is_valid_number(phonenumbers.parse(entry, "US"))
    return time.perf_counter() - started


def checking(enterprise, user, sizes):
    from porting.checking import check_list, read_entries, summary
    from porting.models import PortKind

    print(
        "\nread_entries + check_list (sandbox gateway) beside a bare parse + is_valid_number loop"
    )
    for size in sizes:
        text = "\n".join(mixed_entries(size))
        started = time.perf_counter()
        entries = read_entries(text)
        port_list = check_list(enterprise, PortKind.US_DOMESTIC, entries, by=user)
        seconds = time.perf_counter() - started
        started = time.perf_counter()
        summary(port_list, pin_given=False)
        summary_ms = (time.perf_counter() - started) * 1000
        bare = bare_loop(entries)
        print(
            f"{size:>9,} numbers {seconds:7.2f} s  bare loop {bare:6.2f} s"
            f"  ({seconds / bare:.1f} x)"
            f"  {port_list.error_count:,} errors, {port_list.wireless_count:,} wireless"
            f"  summary {summary_ms:.0f} ms"
        )


def whole_request(enterprise, user, sizes):
    """The pop-up's Save through the real view: the form posted with the pasted list, checked,
    stored and the page rendered again with its Errors field (all queries and rendering)."""
    import uuid

    from django.db import connection
    from django.test import Client

    from trunks.models import Package

    package = Package.objects.create(enterprise=enterprise, name="Bench Usage", type="usage")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/porting/add/?package={package.public_id}&kind=us_domestic"
    print("\nWhole request: Save in the Port Numbers pop-up (POST, check, page rendered again)")
    for size in sizes:
        text = "\n".join(mixed_entries(size, seed=size))
        data = {
            "package": str(package.public_id),
            "kind": "us_domestic",
            "address_country": "United States",
            "port_numbers": text,
            "partial": "on",
            "submission_key": str(uuid.uuid4()),
            "action": "check",
        }
        timer = tables.QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = client.post(url, data)
        seconds = time.perf_counter() - started
        if response.status_code != 200 or b"have errors" not in response.content:
            raise SystemExit(f"The form answered {response.status_code} without its Errors field.")
        bare = bare_loop(text.split("\n"))
        print(
            f"{size:>9,} numbers {seconds:7.2f} s  ({timer.seconds:.2f} s in {timer.count} queries,"
            f" {len(response.content) / 1e6:.1f} MB page)  bare loop {bare:6.2f} s"
            f"  ({seconds / bare:.1f} x)"
        )


def review(enterprise, user, size=100_000):
    from django.db import connection

    from porting.checking import _to_review, check_list, review_page
    from porting.models import PortKind

    entries = [f"+1999{number:07d}" for number in range(size)]
    port_list = check_list(enterprise, PortKind.US_DOMESTIC, entries, by=user)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE porting_portnumber")
    print(f"\nreview_page of a list of {size:,} errors (median of {REPEAT})")
    for label, after in [("first page", 0), ("deep page", size * 9 // 10)]:
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            rows, _next = review_page(port_list, pin_given=False, after=after)
            timings.append((time.perf_counter() - started) * 1000)
        print(f"{label:<34} {statistics.median(timings):7.1f} ms  {len(rows)} rows")
    page = port_list.numbers.filter(position__gt=size * 9 // 10)
    for pin_given, index in [(True, "port_number_problem"), (False, "port_number_to_review")]:
        query = page.filter(_to_review(pin_given)).order_by("position")[:51]
        plan = query.explain()
        verdict = "reads" if index in plan else "does NOT read"
        print(f"plan (pin_given={pin_given}) {verdict} {index}:")
        print("    " + plan.replace("\n", "\n    "))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument("--database", default=BENCH_DB, help=f"instead of {BENCH_DB}")
    args = parser.parse_args()

    tables.BENCH_DB = args.database
    tables.recreate_database()
    tables.setup_django()
    from django.db import connection

    from core.tenancy import enterprise_scope

    enterprise, user = tables.migrated_enterprise("Bench Ports", "BENCH-PORT")
    with enterprise_scope(enterprise):
        checking(enterprise, user, args.sizes)
        whole_request(enterprise, user, args.sizes)
        review(enterprise, user)
    connection.close()
    if not args.keep:
        tables.drop_database()


if __name__ == "__main__":
    main()
