from django.db import migrations, models

from core.postgres import PostgresOnlySQL, trigram_search_index

ACTOR_TRIGRAM_INDEX = "audit_auditevent_actor_email_trgm"


class Migration(migrations.Migration):
    """The Actor filter reads events by the enterprise's matching actor addresses
    (audit.views.AuditEventFilter.filter_actor), no longer by a substring search of every
    event: the trigram index on actor_email (0002, 0004) serves nothing any more, and the
    statistics that told the planner how many events an address has move to the column.
    """

    dependencies = [
        ("audit", "0004_search_statistics"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(
                fields=["actor_email", "-created_at", "-id"], name="audit_actor_time"
            ),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["actor_email", "id"], name="audit_actor_email_id"),
        ),
        PostgresOnlySQL(
            f'DROP INDEX IF EXISTS "{ACTOR_TRIGRAM_INDEX}"',
            [
                trigram_search_index("audit_auditevent", "actor_email").sql,
                f'ALTER INDEX "{ACTOR_TRIGRAM_INDEX}" ALTER COLUMN 1 SET STATISTICS 1000',
            ],
        ),
        PostgresOnlySQL(
            "ALTER TABLE audit_auditevent ALTER COLUMN actor_email SET STATISTICS 1000",
            "ALTER TABLE audit_auditevent ALTER COLUMN actor_email SET STATISTICS -1",
        ),
        PostgresOnlySQL("ANALYZE audit_auditevent", migrations.RunSQL.noop),
    ]
