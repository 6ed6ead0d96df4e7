"""Load usage record files by hand: manage.py load_records KIND PATH...

KIND is call, message or app. Each file is loaded as the spool would load it (billing.loading);
what became of its lines is printed, with the first malformed ones.
"""

from django.core.management.base import BaseCommand, CommandError

from billing.loading import load_file
from billing.models import RecordKind

SHOWN_ERRORS = 20


class Command(BaseCommand):
    help = "Load usage record files (CSV, possibly gzipped) of one kind: call, message or app."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=RecordKind.values)
        parser.add_argument("paths", nargs="+")

    def handle(self, *args, kind, paths, **options):
        failed = False
        for path in paths:
            try:
                fileobj = open(path, "rb")  # noqa: SIM115 - closed below
            except OSError as error:
                raise CommandError(f"{path}: {error.strerror}") from None
            with fileobj:
                record_file = load_file(kind, fileobj, name=path.rsplit("/", 1)[-1])
            self.stdout.write(
                f"{record_file.name}: {record_file.get_status_display().lower()}, "
                f"{record_file.lines} lines, {record_file.loaded} new, "
                f"{record_file.duplicates} duplicates, {record_file.unmatched} unmatched, "
                f"{record_file.rejected} rejected"
            )
            if record_file.message:
                self.stdout.write(f"  {record_file.message}")
            for entry in record_file.report[:SHOWN_ERRORS]:
                self.stdout.write(f"  line {entry['line']}: {entry['error']}")
            failed = failed or record_file.status == record_file.Status.FAILED
        if failed:
            raise CommandError("Some files were not loaded.")
