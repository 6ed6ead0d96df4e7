"""The monthly partitions of the usage record tables (core.partitions): made ahead, and
packed once settled, and dropped past the retention staff set (RecordRetention)."""

from datetime import timedelta

from django.utils import timezone

from core.partitions import drop_partitions_before, ensure_partitions, pack_partitions_before

from .models import AppRecord, CallRecord, MessageRecord, RecordRetention

RECORD_MODELS = (CallRecord, MessageRecord, AppRecord)
# Made this far ahead, so the records of the coming days always find their month.
MONTHS_AHEAD = 2


def make_partitions_ahead():
    """Make this month's partitions and the next MONTHS_AHEAD months'. Daily, from the cron
    process; a run twice, or late, does no harm. Returns the names of those it made."""
    today = timezone.now().date()
    last = today + timedelta(days=31 * MONTHS_AHEAD)
    return [name for model in RECORD_MODELS for name in ensure_partitions(model, today, last)]


def drop_expired_partitions():
    """Drop the months of records wholly older than the retention staff set. Daily, from the
    cron process; harmless when run twice. Returns the names of the partitions dropped."""
    months = RecordRetention.current().months
    today = timezone.now().date()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    cutoff = today.replace(year=year, month=month + 1, day=1)
    return [name for model in RECORD_MODELS for name in drop_partitions_before(model, cutoff)]


def pack_settled_partitions():
    """Pack the call records of the months before last month (CallRecord.partition_fillfactor):
    their invoices are made early in the month after, and a month invoiced is never rated
    again. Daily, from the cron process; harmless when run twice. Returns the names packed."""
    today = timezone.now().date()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    return pack_partitions_before(CallRecord, last_month)
