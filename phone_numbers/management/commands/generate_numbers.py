"""Generate numbers for benchmarks: COUNT numbers, of which MINE belong to one enterprise.

    manage.py generate_numbers --count 10000000 --mine 1000000

Meant for a database of its own (bench/phone_numbers.py makes one). It creates the enterprise
"Bench Numbers" (BENCH-0001) with four packages, and enough other enterprises ("Bench Others
N", 100,000 numbers each by default) for the rest. The numbers are US Domestic, in blocks of
10,000 (one NPA-NXX each, with the city and state phonenumbers' geocoder gives it): 94% active,
4% pending, 2% disconnected, with a Caller ID on every tenth. They are written with COPY, the
table's secondary indexes dropped during the load and built again after it, and no foreign key
checked per row (the rows are made to fit them: their enterprises and packages are created
first); the supplier's reservations and the per-package counts are then filled set-based.
"""

import io
import time
from datetime import UTC, datetime, timedelta

import phonenumbers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_scopes import scopes_disabled
from phonenumbers import geocoder

from accounts.models import Enterprise
from trunks.models import Package

from ...counts import recompute
from ...models import PhoneNumber, SupplyReservation

BLOCK = 10_000
PACKAGES = ["Denver Bundle", "Chicago Usage", "Austin Usage", "Seattle Bundle"]
CHUNK = 200_000


def number_blocks():
    """NPA-NXX prefixes with their city and state, in a fixed order, as many as there are."""
    for npa in range(201, 990):
        for nxx in range(201, 1000, 7):
            number = phonenumbers.parse(f"+1{npa}{nxx}0000")
            if not phonenumbers.is_valid_number(number):
                continue
            place = geocoder.description_for_number(number, "en")
            city, _, state = place.rpartition(", ")
            if city and len(state) == 2:
                yield f"+1{npa}{nxx}", str(npa), city[:64], state


class Command(BaseCommand):
    help = "Generate numbers with COPY for benchmarks (one big enterprise and many others)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=10_000_000)
        parser.add_argument("--mine", type=int, default=1_000_000)
        parser.add_argument("--per-other", type=int, default=100_000)

    def handle(self, *args, count, mine, per_other, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_numbers needs PostgreSQL (it loads with COPY).")
        if mine > count:
            raise CommandError("--mine cannot exceed --count.")
        started = time.monotonic()
        with scopes_disabled():
            if Enterprise.objects.filter(account_number="BENCH-0001").exists():
                raise CommandError("Numbers were generated here already: use a fresh database.")
            owners = self._enterprises(count, mine, per_other)
            blocks = number_blocks()
            with transaction.atomic():
                dropped = self._drop_indexes()
                self._copy(owners, blocks)
                self._build_indexes(dropped)
            self._reservations_and_counts(owners)
        self.stdout.write(
            f"{count:,} numbers ({mine:,} of BENCH-0001) in {time.monotonic() - started:.0f} s"
        )

    def _enterprises(self, count, mine, per_other):
        """[(enterprise, [package ids], how many numbers)], the big one first."""
        owners = []
        remaining = count
        index = 0
        while remaining > 0:
            size = min(remaining, mine if index == 0 else per_other)
            enterprise = Enterprise.objects.create(
                name="Bench Numbers" if index == 0 else f"Bench Others {index}",
                account_number=f"BENCH-{index + 1:04d}",
            )
            packages = [
                Package.objects.create(
                    enterprise=enterprise, name=name, type="usage" if "Usage" in name else "bundle"
                ).pk
                for name in PACKAGES
            ]
            owners.append((enterprise, packages, size))
            remaining -= size
            index += 1
        return owners

    def _drop_indexes(self):
        """Drop the numbers' secondary indexes; return their definitions to build them again."""
        table = PhoneNumber._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)",
                [table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in indexes]

    def _build_indexes(self, definitions):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for definition in definitions:
                started = time.monotonic()
                cursor.execute(definition)
                self.stdout.write(f"  {definition[:90]}... {time.monotonic() - started:.0f} s")

    def _copy(self, owners, blocks):
        table = PhoneNumber._meta.db_table
        columns = (
            "public_id, enterprise_id, e164, kind, country, package_id, status, forward_to, "
            "cnam, sms_enabled, area_code, city, state, created_at, activated_at, "
            "disconnected_at"
        )
        start = datetime(2025, 1, 1, tzinfo=UTC)
        with connection.cursor() as cursor:
            # No per-row foreign key triggers: the rows point at what _enterprises() created.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(
                f"ALTER TABLE {table} ALTER COLUMN public_id SET DEFAULT gen_random_uuid()"
            )
            with cursor.copy(
                f"COPY {table} ({columns.replace('public_id, ', '')}) FROM STDIN"
            ) as copy:
                serial = 0
                for enterprise, packages, size in owners:
                    done = 0
                    buffer = io.StringIO()
                    while done < size:
                        prefix, npa, city, state = next(blocks)
                        for line in range(min(BLOCK, size - done)):
                            serial += 1
                            status = (
                                "disconnected"
                                if serial % 50 == 0
                                else "pending"
                                if serial % 25 == 0
                                else "active"
                            )
                            created = start + timedelta(seconds=serial * 3)
                            activated = (
                                "\\N" if status == "pending" else created + timedelta(hours=1)
                            )
                            ended = (
                                created + timedelta(days=30) if status == "disconnected" else "\\N"
                            )
                            buffer.write(
                                f"{enterprise.pk}\t{prefix}{line:04d}\tus_domestic\tUS\t"
                                f"{packages[(done + line) // BLOCK % len(packages)]}\t{status}\t\t"
                                f"{'BENCH ' + npa if serial % 10 == 0 else ''}\tf\t{npa}\t"
                                f"{city}\t{state}\t{created}\t{activated}\t{ended}\n"
                            )
                        done += min(BLOCK, size - done)
                        if buffer.tell() > 8 * 1024 * 1024:
                            copy.write(buffer.getvalue())
                            buffer = io.StringIO()
                    copy.write(buffer.getvalue())
                    self.stdout.write(f"  {enterprise.account_number}: {size:,} numbers")
            cursor.execute(f"ALTER TABLE {table} ALTER COLUMN public_id DROP DEFAULT")
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")

    def _reservations_and_counts(self, owners):
        numbers = PhoneNumber._meta.db_table
        reservations = SupplyReservation._meta.db_table
        with connection.cursor() as cursor:
            # Every number in service is the supplier's reservation (one enterprise at a time).
            cursor.execute(
                f"INSERT INTO {reservations} (e164, reserved_at, order_reference) "  # noqa: S608
                f"SELECT e164, created_at, 'BENCH' FROM {numbers} "
                "WHERE status <> 'disconnected' ON CONFLICT (e164) DO NOTHING"
            )
            cursor.execute(f"ANALYZE {numbers}")
            cursor.execute(f"ANALYZE {reservations}")
        for enterprise, _packages, _size in owners:
            recompute(enterprise.pk)
