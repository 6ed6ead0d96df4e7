"""The daily ADR files: each day's application records of an enterprise, put on its secure FTP site.

While an enterprise has "Application Data Record File Delivery" enabled (Enterprise Settings),
the hourly `schedule_adr_files` gives each of its days that has ended (midnight to midnight in
the enterprise's time zone, once ADR_READY_AFTER has passed for late records) an AdrFile row and
a core Job that delivers it: the first run after it is enabled delivers yesterday, and a day the
scheduler missed (cron down, delivery disabled by accident for an hour) is caught up, as far back
as the day before delivery was enabled and never beyond the days the site keeps.

Exactly one file per enterprise and day:
- the row is unique per enterprise and day, and only the caller that creates it starts a job;
- the job writes the day's records to a local file (PostgreSQL's COPY), puts it on the site
  under a temporary name and renames it over the day's name, so a worker that dies mid-upload
  leaves no half file under the real name, and a second run replaces the file with the same one;
- a delivery that fails is retried by its job (core.jobs: after 1, 5, 15, 30 and 60 minutes);
  once its job has failed for good the file is "Delivery failing" for staff (back office, ADR
  files; ADMINS are e-mailed by core.jobs) and the scheduler starts it again every hour until it
  goes through. Nothing is ever dropped.
Events that load after their day's file was delivered (the mediation system's late files) send
the file back to delivery: the loader calls `deliver_again_with_late_events` as it stores them,
and the day's file is made again, whole, and replaces the first under the same name. (Events
that load while the day's file is being made may miss that run; the next late one brings them.)
The daily `remove_old_adr_files` removes files older than ADR_KEEP_DAYS from the site.
"""

import csv
import hashlib
import logging
import tempfile
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Enterprise
from core.exports import ToChar
from core.jobs import retry_policy, start_job
from core.models import Job
from core.tenancy import enterprise_scope

from .columns import APP_COLUMNS
from .credentials import account_for
from .models import AdrFile, AppRecord, SftpAccount
from .permissions import VIEW_ADR_FILES
from .sftp import SftpError, SftpSite

logger = logging.getLogger(__name__)

# A day's file is made this long after the day has ended, for the records still on their way.
ADR_READY_AFTER = timedelta(hours=1)
FILE_PREFIX = "adr-"
# The size of the pieces the file is written in.
CHUNK_BYTES = 256 * 1024


def file_name(day):
    return f"{FILE_PREFIX}{day.isoformat()}.csv"


def day_of(name):
    """The day of a file name made by file_name(), or None for any other name."""
    if not (name.startswith(FILE_PREFIX) and name.endswith(".csv")):
        return None
    try:
        return datetime.strptime(name[len(FILE_PREFIX) : -len(".csv")], "%Y-%m-%d").date()
    except ValueError:
        return None


def day_bounds(enterprise, day):
    """The day's start and end in UTC: midnight to midnight in the enterprise's time zone (23 or
    25 hours on the days the clocks change)."""
    zone = ZoneInfo(enterprise.time_zone)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def due_days(enterprise, now=None):
    """The days whose file should exist now, oldest first: from the day before delivery was
    enabled (or the last ended day, when that is unknown) to the last day that has ended, within
    the days the site keeps."""
    now = now or timezone.now()
    zone = ZoneInfo(enterprise.time_zone)
    last = (now - ADR_READY_AFTER).astimezone(zone).date() - timedelta(days=1)
    first = last - timedelta(days=settings.ADR_KEEP_DAYS - 1)
    if enterprise.adr_delivery_changed_at is not None:
        enabled_on = enterprise.adr_delivery_changed_at.astimezone(zone).date()
        first = max(first, enabled_on - timedelta(days=1))
    else:
        first = last
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def schedule_adr_files(now=None):
    """Start the delivery of every enabled enterprise's due days that have no file yet, and
    again of those whose delivery has failed for good. Run every hour; harmless twice at once.
    Returns how many deliveries it started."""
    started = 0
    with scopes_disabled():
        enterprises = Enterprise.objects.filter(
            adr_delivery_enabled=True, status=Enterprise.Status.ACTIVE
        )
        for enterprise in enterprises.iterator():
            days = due_days(enterprise, now)
            if not days:
                continue
            made = set(
                AdrFile.objects.filter(enterprise=enterprise, day__gte=days[0]).values_list(
                    "day", flat=True
                )
            )
            for day in days:
                if day not in made:
                    started += _start_new(enterprise, day)
        for adr_file in _given_up().select_related("enterprise"):
            started += restart_delivery(adr_file)
    return started


def _start_new(enterprise, day):
    try:
        with transaction.atomic():
            adr_file = AdrFile.objects.create(enterprise=enterprise, day=day, name=file_name(day))
            _start_delivery(adr_file)
    except IntegrityError:
        return 0  # another scheduler has just made it, and started its delivery
    return 1


def _given_up():
    """The files not delivered whose delivery job has ended without delivering them."""
    return AdrFile.objects.filter(
        status__in=[AdrFile.Status.PENDING, AdrFile.Status.FAILED],
        job__status__in=Job.FINISHED,
    )


def restart_delivery(adr_file):
    """Start a new delivery of a file whose last one has failed for good (the scheduler, or
    staff's "Deliver again"); 0 when another caller has just done it or it is delivered."""
    with transaction.atomic():
        taken = AdrFile.objects.filter(
            pk=adr_file.pk,
            job=adr_file.job_id,
            status__in=[AdrFile.Status.PENDING, AdrFile.Status.FAILED],
        ).update(status=AdrFile.Status.FAILED)
        if not taken:
            return 0
        adr_file.refresh_from_db()
        _start_delivery(adr_file)
    return 1


def deliver_again_with_late_events(spans):
    """Deliver again the delivered files of the days that events have just been added to:
    spans are (enterprise id, first event's time, last event's time) of the new events. Called
    by the loader in the transaction that stores them, so that no late event is left out of
    its day's file (the file is replaced whole, under the same name)."""
    with scopes_disabled():
        for enterprise_id, first, last in spans:
            delivered = AdrFile.objects.filter(
                enterprise_id=enterprise_id,
                status=AdrFile.Status.DELIVERED,
                # A day in any time zone starts within a day of the UTC date, either way.
                day__gte=first.date() - timedelta(days=1),
                day__lte=last.date() + timedelta(days=1),
            ).select_related("enterprise")
            for adr_file in delivered:
                start, end = day_bounds(adr_file.enterprise, adr_file.day)
                if start <= last and first < end:
                    _redeliver(adr_file)


def _redeliver(adr_file):
    taken = AdrFile.objects.filter(pk=adr_file.pk, status=AdrFile.Status.DELIVERED).update(
        status=AdrFile.Status.PENDING
    )
    if taken:
        adr_file.status = AdrFile.Status.PENDING
        _start_delivery(adr_file)


def _start_delivery(adr_file):
    adr_file.job = start_job(
        deliver_adr_file,
        adr_file.pk,
        title=f"ADR file {adr_file.name}",
        permission=VIEW_ADR_FILES,
        enterprise=adr_file.enterprise,
    )
    adr_file.deliveries += 1
    adr_file.save(update_fields=["job", "deliveries"])


@retry_policy(waits=(60, 300, 900, 1800, 3600), timeout=1800)
def deliver_adr_file(job, adr_file_id):
    """Make the file of the day and put it on the enterprise's site; nothing when delivered."""
    adr_file = AdrFile.objects.select_related("enterprise").get(pk=adr_file_id)
    if adr_file.status in (AdrFile.Status.DELIVERED, AdrFile.Status.REMOVED):
        return None
    account = account_for(adr_file.enterprise)
    with tempfile.NamedTemporaryFile(prefix="adr-", suffix=".csv") as local:
        rows = write_adr_csv(adr_file.enterprise, adr_file.day, local)
        local.flush()
        size, sha256 = local.tell(), _sha256(local.name)
        try:
            with SftpSite() as site:
                site.put(local.name, account.directory, adr_file.name)
        except SftpError as error:
            last_attempt = job.attempts >= job.max_attempts
            adr_file.status = AdrFile.Status.FAILED if last_attempt else AdrFile.Status.PENDING
            adr_file.error = str(error)[:500]
            adr_file.save(update_fields=["status", "error"])
            raise
    adr_file.status = AdrFile.Status.DELIVERED
    adr_file.rows, adr_file.size, adr_file.sha256 = rows, size, sha256
    adr_file.delivered_at = timezone.now()
    adr_file.error = ""
    adr_file.save(update_fields=["status", "rows", "size", "sha256", "delivered_at", "error"])
    logger.info("Delivered %s of enterprise %s: %s rows", adr_file.name, account, rows)
    return None


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        while chunk := data.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _day_records(enterprise, day):
    start, end = day_bounds(enterprise, day)
    return AppRecord.objects.filter(
        enterprise=enterprise, occurred_at__gte=start, occurred_at__lt=end
    ).order_by("occurred_at", "event_id")


# The record's field of each column of the file, in the order of APP_COLUMNS.
FIELDS = {
    "event_id": "event_id",
    "time": "occurred_at",
    "application": "application",
    "event": "event",
    "customer_number": "number",
    "other_party": "counterpart",
    "channel": "channel",
    "result": "result",
    "duration": "duration",
    "units": "units",
}
HEADER = ",".join(column.name for column in APP_COLUMNS) + "\n"


def write_adr_csv(enterprise, day, out):
    """Write the day's ADR file (docs/usage-records.md) to the binary file out; return its rows.

    On PostgreSQL it is the database's own COPY of the day's records, written as it comes: the
    worker's memory does not grow with the day's size.
    """
    records = _day_records(enterprise, day)
    out.write(HEADER.encode())
    if connection.vendor != "postgresql":
        return _write_in_python(records, out)
    # Times as the record files write them: ISO 8601 in UTC (the session's zone, set below).
    cells = {
        f"c{n}": ToChar(field, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') if field == "occurred_at" else F(field)
        for n, field in enumerate(FIELDS.values())
    }
    sql, params = records.values(**cells).query.sql_with_params()
    statement = connection.ops.compose_sql(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params)
    with transaction.atomic(), connection.cursor() as cursor:
        # JIT compiling the SELECT costs more than it saves on a plain scan of a day.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")
        with cursor.copy(statement) as copy:
            for row in copy:
                out.write(row)
        return cursor.rowcount


def _write_in_python(records, out):
    text = _TextTo(out)
    writer = csv.writer(text, lineterminator="\n")
    rows = 0
    for values in records.values_list(*FIELDS.values()).iterator():
        when = values[1].astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
        cells = (values[0], when, *values[2:])
        writer.writerow(["" if value is None else value for value in cells])
        rows += 1
    return rows


class _TextTo:
    """A text file's write() onto a binary file, for csv.writer."""

    def __init__(self, out):
        self.out = out

    def write(self, text):
        self.out.write(text.encode())


def remove_old_adr_files(now=None):
    """Remove the files older than ADR_KEEP_DAYS from every enterprise's site. Run daily; a run
    that fails part-way is finished by the next. Returns how many files it removed."""
    now = now or timezone.now()
    removed = 0
    with scopes_disabled():
        accounts = SftpAccount.objects.select_related("enterprise")
        with SftpSite() as site:
            for account in accounts.iterator():
                removed += _remove_old(site, account, now)
    return removed


def _remove_old(site, account, now):
    enterprise = account.enterprise
    oldest_kept = now.astimezone(ZoneInfo(enterprise.time_zone)).date() - timedelta(
        days=settings.ADR_KEEP_DAYS
    )
    removed = 0
    with enterprise_scope(enterprise):
        for remote in site.files(account.directory):
            day = day_of(remote.name)
            if day is None or day >= oldest_kept:
                continue
            site.remove(account.directory, remote.name)
            removed += 1
        AdrFile.objects.filter(
            enterprise=enterprise, day__lt=oldest_kept, status=AdrFile.Status.DELIVERED
        ).update(status=AdrFile.Status.REMOVED, removed_at=now)
    return removed
