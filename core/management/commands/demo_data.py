"""Load demo data for trying the portal; each app registers its part in core.demo.

Running it again changes nothing: each row is looked up first and created only when missing, so
what staff or users changed since is kept. Only the demo users' passwords are put back to the
demo password, so that the logins printed at the end always work.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from core import demo
from core.jobs import without_emails


class Command(BaseCommand):
    help = "Create the demo enterprises, users and each app's demo data; a rerun changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=demo.DEFAULT_PASSWORD,
            help=f"Password of every demo user (default: {demo.DEFAULT_PASSWORD}).",
        )

    def handle(self, *args, password, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "demo_data creates users with a known password; it does not run when "
                "PORTAL_ENV=production."
            )
        run = demo.DemoRun(password=demo.DemoPassword(password))
        # The demo acts as customers and staff would, and e-mails nobody.
        with scopes_disabled(), transaction.atomic(), without_emails():
            for loader in demo.loaders():
                loader.load(run)
        for line in run.lines:
            self.stdout.write(line)
