"""Nothing to do any more. It counted the stored calls' rollups again with the rollup code of
the day, which later migrations outgrew (that code writes tables made after this migration):
after an upgrade from a database before it, `manage.py rebuild_rollups` counts them again
(docs/usage-rollups.md)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_pending_invitation_per_enterprise"),
        ("billing", "0003_analytics_rollups"),
    ]

    operations = []
