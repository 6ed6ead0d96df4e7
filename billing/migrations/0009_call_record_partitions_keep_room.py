"""The call records' partitions of this month and later keep room on their pages (see
CallRecord.partition_fillfactor); the ones made from now on get it when they are made."""

from django.db import migrations


def keep_room(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits"
            " JOIN pg_class child ON child.oid = pg_inherits.inhrelid"
            " WHERE pg_inherits.inhparent = 'billing_callrecord'::regclass"
            " AND child.relname >= 'billing_callrecord_' || to_char(now(), 'YYYY_MM')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{name}" SET (fillfactor = 50)')


class Migration(migrations.Migration):
    dependencies = [("billing", "0008_usage_number_group_day_read")]

    operations = [migrations.RunPython(keep_room, migrations.RunPython.noop, elidable=True)]
