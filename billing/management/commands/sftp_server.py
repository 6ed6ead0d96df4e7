"""Run the secure FTP site of the daily ADR files: manage.py sftp_server [--host H] [--port P].

See billing.sftp_server: an SFTP-only server for the portal's uploads and the customers' reads.
It stops cleanly on SIGTERM or SIGINT. It logs a line per login; `-v 2` adds asyncssh's own
lines about every connection and channel.
"""

import logging

from django.conf import settings
from django.core.management.base import BaseCommand

from billing.sftp_server import run


class Command(BaseCommand):
    help = "Run the secure FTP site where the daily ADR files are delivered."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.ADR_SFTP["HOST"])
        parser.add_argument("--port", type=int, default=settings.ADR_SFTP["PORT"])

    def handle(self, *args, host, port, verbosity, **options):
        if verbosity < 2:
            logging.getLogger("asyncssh").setLevel(logging.WARNING)
        run(host, port, ready=self._ready)

    def _ready(self, message):
        self.stdout.write(message)
        self.stdout.flush()
