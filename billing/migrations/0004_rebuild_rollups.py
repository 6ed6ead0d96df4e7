"""The rollups of the calls already stored, counted again from their records: UsageHour now
holds the destination country, and the rollups that came with 0003 start empty. PostgreSQL only:
on SQLite (the demo of `make run`) the rollups hold the records loaded from then on."""

from django.db import migrations


def rebuild_every_enterprise(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The statement that keeps the rollups current as records load (one definition of them).
    from billing import rollups

    Enterprise = apps.get_model("accounts", "Enterprise")
    for enterprise_id in Enterprise.objects.order_by("pk").values_list("pk", flat=True):
        rollups.rebuild_stored(enterprise_id)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pending_invitation_per_enterprise"),
        ("billing", "0003_analytics_rollups"),
    ]

    operations = [migrations.RunPython(rebuild_every_enterprise, migrations.RunPython.noop)]
