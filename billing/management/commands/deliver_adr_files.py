"""Deliver the daily ADR files now: manage.py deliver_adr_files

What the hourly cron does (billing.delivery.schedule_adr_files): each enabled enterprise's ended
days that have no file yet get one, put on its secure FTP site by the worker (or right here,
without Redis), and deliveries that failed for good are started again.
"""

from django.core.management.base import BaseCommand

from billing.delivery import schedule_adr_files


class Command(BaseCommand):
    help = "Deliver the ADR files of the days that have ended and have none yet."

    def handle(self, *args, **options):
        started = schedule_adr_files()
        self.stdout.write(f"Started the delivery of {started} ADR file(s).")
