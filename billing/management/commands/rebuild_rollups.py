"""Count the usage rollups again from the stored call records: manage.py rebuild_rollups
[--enterprise ACCOUNT_NUMBER]

Every enterprise's, or one's: each rollup's rows from its first stored call to its last are
deleted and counted again (billing.rollups.rebuild_stored); the rows of months whose records are
gone are kept. Run it after an upgrade whose notes ask for it (docs/usage-rollups.md), or when
the reports disagree with the records. Not while records of the same enterprises load.
"""

from datetime import UTC

from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from accounts.models import Enterprise
from billing import rollups


class Command(BaseCommand):
    help = "Count the usage rollups of every enterprise, or of one, again from its call records."

    def add_arguments(self, parser):
        parser.add_argument("--enterprise", metavar="ACCOUNT_NUMBER")

    def handle(self, *args, enterprise, **options):
        with scopes_disabled():
            enterprises = Enterprise.objects.order_by("pk")
            if enterprise is not None:
                enterprises = enterprises.filter(account_number=enterprise)
                if not enterprises.exists():
                    raise CommandError(f"No enterprise has the account number {enterprise}.")
            for customer in enterprises:
                calls = rollups.rebuild_stored(customer.pk)
                if calls is None:
                    self.stdout.write(f"{customer}: no call records, rollups left as they are.")
                else:
                    first, last = (moment.astimezone(UTC) for moment in calls)
                    self.stdout.write(
                        f"{customer}: rollups counted again from the calls started"
                        f" {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M} UTC."
                    )
