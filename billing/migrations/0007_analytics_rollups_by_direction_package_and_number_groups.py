"""The rollups the Traffic Analytics page reads under its filters, one row a minute (a number
day) to read: UsageMinute by package and trunk with each direction's calls (no longer a row a
direction), UsageMinuteTotal's calls of each direction, UsageMinutePackage, UsageNumberGroupDay;
and the indexes (PostgreSQL's include the columns read) that the page reads them through.

On PostgreSQL the minutes are made from UsageMinute's rows (the months whose records are gone
included), the number days from the records. Elsewhere (SQLite under `make run`) the minutes
are emptied and the number days left empty: `manage.py rebuild_rollups` counts them again from
the records (docs/usage-rollups.md); this migration leaves today's rollup code alone, which
would write the tables of later migrations too."""

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


# The calls in progress of each direction of a UsageMinute row before it loses its direction.
FILL = [
    "UPDATE billing_usageminute SET"
    " inbound = CASE WHEN direction = 'inbound' THEN calls ELSE 0 END,"
    " outbound = CASE WHEN direction = 'outbound' THEN calls ELSE 0 END",
    "UPDATE billing_usageminutetotal AS total"
    " SET inbound = minutes.inbound, outbound = minutes.outbound"
    " FROM (SELECT enterprise_id, minute, sum(inbound) AS inbound, sum(outbound) AS outbound"
    " FROM billing_usageminute GROUP BY 1, 2) AS minutes"
    " WHERE total.enterprise_id = minutes.enterprise_id AND total.minute = minutes.minute",
    "INSERT INTO billing_usageminutepackage"
    " (enterprise_id, package_id, minute, inbound, outbound)"
    " SELECT enterprise_id, package_id, minute, sum(inbound), sum(outbound)"
    " FROM billing_usageminute WHERE package_id IS NOT NULL GROUP BY 1, 2, 3",
    # The two rows of a group (one a direction) become its first.
    "UPDATE billing_usageminute AS kept SET inbound = groups.inbound, outbound = groups.outbound"
    " FROM (SELECT min(id) AS id, sum(inbound) AS inbound, sum(outbound) AS outbound"
    " FROM billing_usageminute GROUP BY enterprise_id, minute, package_id, trunk_id"
    " HAVING count(*) > 1) AS groups WHERE kept.id = groups.id",
    "DELETE FROM billing_usageminute AS minute USING (SELECT id, min(id) OVER"
    " (PARTITION BY enterprise_id, minute, package_id, trunk_id) AS kept_id"
    " FROM billing_usageminute) AS groups"
    " WHERE minute.id = groups.id AND groups.id <> groups.kept_id",
    "INSERT INTO billing_usagenumbergroupday (enterprise_id, day, number, package_id, trunk_id,"
    " direction, destination_class, calls, answered, seconds, billable_seconds)"
    " SELECT enterprise_id, (started_at AT TIME ZONE enterprise.time_zone)::date, number,"
    " package_id, trunk_id, direction, destination_class, count(*),"
    " count(*) FILTER (WHERE disposition = 'answered'),"
    " coalesce(sum(duration) FILTER (WHERE disposition = 'answered'), 0),"
    " coalesce(sum(billable_seconds), 0)"
    " FROM billing_callrecord JOIN accounts_enterprise AS enterprise"
    " ON enterprise.id = enterprise_id GROUP BY 1, 2, 3, 4, 5, 6, 7",
]


def fill_from_the_minutes_and_records(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        # Counted again by `manage.py rebuild_rollups` (see the docstring).
        apps.get_model("billing", "UsageMinute").objects.all().delete()
        return
    with schema_editor.connection.cursor() as cursor:
        for statement in FILL:
            cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_pending_invitation_per_enterprise'),
        ('billing', '0006_invoice_usage_hours_and_line_usage_month'),
        ('trunks', '0003_id_enterprise_keys'),
    ]

    operations = [
        migrations.CreateModel(
            name='UsageMinutePackage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('minute', models.DateTimeField()),
                ('inbound', models.PositiveIntegerField(default=0)),
                ('outbound', models.PositiveIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name='UsageNumberGroupDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('number', models.CharField(max_length=16)),
                ('direction', models.CharField(choices=[('inbound', 'Inbound'), ('outbound', 'Outbound')], max_length=8)),
                ('destination_class', models.CharField(choices=[('local', 'Local'), ('long_distance', 'Long distance'), ('toll_free', 'Toll-free'), ('international', 'International')], max_length=16)),
                ('calls', models.PositiveIntegerField(default=0)),
                ('answered', models.PositiveIntegerField(default=0)),
                ('seconds', models.PositiveBigIntegerField(default=0)),
                ('billable_seconds', models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(
            model_name='usageminutepackage',
            name='enterprise',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.enterprise'),
        ),
        migrations.AddField(
            model_name='usageminutepackage',
            name='package',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trunks.package'),
        ),
        migrations.AddField(
            model_name='usagenumbergroupday',
            name='enterprise',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.enterprise'),
        ),
        migrations.AddField(
            model_name='usagenumbergroupday',
            name='package',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trunks.package'),
        ),
        migrations.AddField(
            model_name='usagenumbergroupday',
            name='trunk',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='trunks.trunk'),
        ),
        migrations.AddConstraint(
            model_name='usageminutepackage',
            constraint=models.UniqueConstraint(fields=('enterprise', 'package', 'minute'), name='usage_minute_package_once'),
        ),
        migrations.AddConstraint(
            model_name='usagenumbergroupday',
            constraint=models.UniqueConstraint(models.F('enterprise'), models.F('day'), models.F('number'), models.F('direction'), models.F('destination_class'), django.db.models.functions.comparison.Coalesce('package', 0), django.db.models.functions.comparison.Coalesce('trunk', 0), name='usage_number_group_day_once'),
        ),
        migrations.AddField(
            model_name='usageminute',
            name='inbound',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='usageminute',
            name='outbound',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='usageminutetotal',
            name='inbound',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='usageminutetotal',
            name='outbound',
            field=models.PositiveIntegerField(default=0),
        ),
        # UsageMinute's rows of each direction become one row with both, then lose the direction.
        migrations.RunPython(fill_from_the_minutes_and_records, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='usageminute',
            name='usage_minute_once',
        ),
        migrations.RemoveField(
            model_name='usageminute',
            name='calls',
        ),
        migrations.RemoveField(
            model_name='usageminute',
            name='direction',
        ),
        migrations.AddConstraint(
            model_name='usageminute',
            constraint=models.UniqueConstraint(models.F('enterprise'), models.F('minute'), django.db.models.functions.comparison.Coalesce('package', 0), django.db.models.functions.comparison.Coalesce('trunk', 0), name='usage_minute_once'),
        ),
        migrations.AddIndex(
            model_name='usageminute',
            index=models.Index(condition=models.Q(('trunk__isnull', False)), fields=['enterprise', 'trunk', 'minute'], name='usage_minute_trunk'),
        ),
        migrations.AddIndex(
            model_name='usagefailurehour',
            index=models.Index(fields=['enterprise', 'hour'], include=('package', 'trunk', 'direction', 'destination_class', 'sip_code', 'q850_cause', 'calls'), name='usage_failure_hour_read'),
        ),
        migrations.AddIndex(
            model_name='usagehour',
            index=models.Index(fields=['enterprise', 'hour'], include=('package', 'trunk', 'direction', 'destination_class', 'destination_country', 'calls', 'answered', 'busy', 'no_answer', 'seconds', 'post_dial_delay_ms', 'post_dial_delay_calls'), name='usage_hour_read'),
        ),
    ]
