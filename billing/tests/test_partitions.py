"""The usage record tables, partitioned by month on PostgreSQL (core.partitions)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from billing.models import CallRecord, RecordRetention
from billing.partitions import (
    RECORD_MODELS,
    drop_expired_partitions,
    make_partitions_ahead,
    pack_settled_partitions,
)
from core.partitions import drop_partitions_before, ensure_partitions, partitions
from tests.scopes import as_a_server


def record(enterprise, started_at, call_id="C1"):
    return CallRecord(
        call_id=call_id,
        started_at=started_at,
        ended_at=started_at,
        duration=0,
        billable_seconds=0,
        direction="outbound",
        from_number="+13035550100",
        to_number="+13035550101",
        enterprise=enterprise,
        number="+13035550100",
        destination_class="local",
        disposition="busy",
        sip_code=486,
    )


def test_the_record_tables_are_partitioned_by_month(db):
    with connection.cursor() as cursor:
        for model in RECORD_MODELS:
            cursor.execute(
                "SELECT partstrat FROM pg_partitioned_table WHERE partrelid = %s::regclass",
                [model._meta.db_table],
            )
            assert cursor.fetchone() == ("r",)


def test_partitions_are_made_ahead_once(db):
    # From none: tests that commit (browser, real workers) leave the months they loaded. The
    # drop is undone with the test's transaction.
    for model in RECORD_MODELS:
        drop_partitions_before(model, date(9999, 1, 1))
    with as_a_server():
        made = make_partitions_ahead()
        assert make_partitions_ahead() == []
    assert len(made) == 3 * len(RECORD_MODELS)
    months = [month for month, _name in partitions(CallRecord)]
    assert months == sorted(months) and len(months) == 3


def test_a_record_goes_to_its_month_and_a_month_without_partition_is_refused(db, enterprise):
    ensure_partitions(CallRecord, date(2026, 11, 1), date(2026, 11, 30))
    with scopes_disabled():
        record(enterprise, datetime(2026, 11, 5, 14, tzinfo=UTC)).save(force_insert=True)
        with pytest.raises(IntegrityError), transaction.atomic():
            record(enterprise, datetime(2025, 1, 5, tzinfo=UTC), "C2").save(force_insert=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM billing_callrecord_2026_11")
        assert cursor.fetchone() == (1,)


def test_the_same_record_is_stored_once(db, enterprise):
    started_at = datetime(2026, 11, 5, 14, tzinfo=UTC)
    ensure_partitions(CallRecord, started_at.date(), started_at.date())
    with scopes_disabled():
        CallRecord.objects.bulk_create(
            [record(enterprise, started_at), record(enterprise, started_at)],
            ignore_conflicts=True,
        )
        assert CallRecord.objects.count() == 1


def test_months_past_the_retention_are_dropped_whole(db, enterprise):
    ensure_partitions(CallRecord, date(2026, 9, 1), date(2026, 11, 30))
    with scopes_disabled():
        record(enterprise, datetime(2026, 9, 30, 23, tzinfo=UTC)).save(force_insert=True)
        record(enterprise, datetime(2026, 10, 1, tzinfo=UTC), "C2").save(force_insert=True)
        assert drop_partitions_before(CallRecord, date(2026, 10, 15)) == [
            "billing_callrecord_2026_09"
        ]
        assert list(CallRecord.objects.values_list("call_id", flat=True)) == ["C2"]


def test_months_past_the_retention_staff_set_are_dropped_daily(db, enterprise):
    RecordRetention.objects.update_or_create(pk=1, defaults={"months": 2})
    today = timezone.now().date()
    ensure_partitions(CallRecord, today - timedelta(days=120), today)
    with as_a_server():
        dropped = drop_expired_partitions()
        assert drop_expired_partitions() == []
    kept = [month for month, _name in partitions(CallRecord)]
    assert dropped and kept[0].year * 12 + kept[0].month == today.year * 12 + today.month - 2


def storage_of(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [name])
        return cursor.fetchone()[0]


def test_months_of_calls_keep_room_on_their_pages_until_settled(transactional_db, enterprise):
    # Packing rewrites a table (VACUUM FULL), which runs outside a transaction only.
    today = timezone.now().date()
    this_month = today.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    before = (last_month - timedelta(days=1)).replace(day=1)
    ensure_partitions(CallRecord, before, today)
    names = dict(partitions(CallRecord))
    assert storage_of(names[before]) == ["fillfactor=50"]
    with scopes_disabled():
        record(enterprise, datetime.combine(before, datetime.min.time(), UTC)).save(
            force_insert=True
        )

    with as_a_server():
        packed = pack_settled_partitions()
        assert pack_settled_partitions() == []

    assert names[before] in packed and names[last_month] not in packed
    assert storage_of(names[before]) is None
    assert storage_of(names[last_month]) == storage_of(names[this_month]) == ["fillfactor=50"]
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{names[before]}"')  # noqa: S608 - ours
        assert cursor.fetchone() == (1,)
        # The months other tests load (November 2026) fall before last month as time goes by:
        # they get their room back (the flush at the end empties them).
        for name in packed:
            cursor.execute(f'ALTER TABLE "{name}" SET (fillfactor = 50)')
    # The other record tables are not rated again: packed from the start.
    messages = RECORD_MODELS[1]
    ensure_partitions(messages, today, today)
    assert storage_of(dict(partitions(messages))[this_month]) is None
