from django.db import migrations

from core.postgres import TrigramExtension, trigram_search_index


class Migration(migrations.Migration):
    """Substring search on trunk and package names (Inventory, View Orders' Trunk Orders)."""

    dependencies = [
        ("trunks", "0001_initial"),
    ]

    operations = [
        TrigramExtension(),
        trigram_search_index("trunks_trunk", "name"),
        trigram_search_index("trunks_package", "name"),
    ]
