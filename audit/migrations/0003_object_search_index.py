from django.db import migrations

from core.postgres import trigram_search_index


class Migration(migrations.Migration):
    """Substring search on the object acted upon (the Acted upon filter of the Audit Log)."""

    dependencies = [
        ("audit", "0002_sortable_indexes"),
    ]

    operations = [
        trigram_search_index("audit_auditevent", "object_repr"),
    ]
