"""Simulate an enterprise's traffic: manage.py simulate_traffic --enterprise ACCOUNT_NUMBER

The sandbox traffic of billing.simulator (its docstring has the rules) for the --days local days
before today, loaded as the API loads records (billing.loading.load_rows); or, with --out, one
kind of it written as the mediation system's file, gzipped when FILE ends in .gz, for
load_records or the spool. The same --seed gives the same records: loading them again stores
nothing new.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from accounts.models import Enterprise
from billing import simulator
from billing.loading import load_rows
from billing.models import RecordKind

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Generate an enterprise's sandbox calls, messages and application events, and load them."

    def add_arguments(self, parser):
        parser.add_argument("--enterprise", required=True, metavar="ACCOUNT_NUMBER")
        parser.add_argument("--days", type=int, default=30, help="Days before today (default 30).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--calls-per-day", type=int, default=simulator.CALLS_PER_DAY, metavar="N"
        )
        parser.add_argument(
            "--messages-per-day", type=int, default=simulator.MESSAGES_PER_DAY, metavar="N"
        )
        parser.add_argument(
            "--events-per-day", type=int, default=simulator.EVENTS_PER_DAY, metavar="N"
        )
        parser.add_argument(
            "--kind",
            choices=RecordKind.values,
            action="append",
            help="What to simulate, repeatable (default: all three kinds; with --out, call).",
        )
        parser.add_argument(
            "--out", metavar="FILE", help="Write one kind to a CSV file instead of loading it."
        )

    def handle(self, *args, enterprise, days, seed, kind, out, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more.")
        kinds = kind or ([RecordKind.CALL] if out else RecordKind.values)
        if out and len(kinds) > 1:
            raise CommandError("--out writes one kind of record: give a single --kind.")
        with scopes_disabled():
            try:
                customer = Enterprise.objects.get(account_number=enterprise)
            except Enterprise.DoesNotExist:
                raise CommandError(f"No enterprise has the account number {enterprise}.") from None
            start, end = simulator.last_days(customer, days)
            period = f"{start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d}"
            for record_kind in kinds:
                try:
                    rows = self._rows(record_kind, customer, start, end, seed, options)
                except ValueError as error:
                    raise CommandError(str(error)) from None
                label = RecordKind(record_kind).label
                if out:
                    written = self._write(record_kind, rows, out)
                    self.stdout.write(f"{out}: {written} records, {label}, {period}")
                else:
                    self._load(record_kind, rows, f"{label}, {period}")

    def _rows(self, kind, enterprise, start, end, seed, options):
        if kind == RecordKind.CALL:
            per_day = {"calls_per_day": options["calls_per_day"]}
            return simulator.calls(enterprise, start, end, seed=seed, **per_day)
        if kind == RecordKind.MESSAGE:
            per_day = {"messages_per_day": options["messages_per_day"]}
            return simulator.messages(enterprise, start, end, seed=seed, **per_day)
        per_day = {"events_per_day": options["events_per_day"]}
        return simulator.app_events(enterprise, start, end, seed=seed, **per_day)

    def _write(self, kind, rows, path):
        try:
            with open(path, "wb") as fileobj:
                return simulator.write_csv(kind, rows, fileobj, gzip=path.endswith(".gz"))
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None

    def _load(self, kind, rows, what):
        outcome = load_rows(kind, rows)
        self.stdout.write(
            f"{what}: {outcome.lines} lines, {outcome.loaded} new, "
            f"{outcome.duplicates} duplicates, {outcome.unmatched} unmatched, "
            f"{outcome.rejected} rejected"
        )
        for entry in outcome.report[:SHOWN_ERRORS]:
            self.stdout.write(f"  line {entry['line']}: {entry['error']}")
