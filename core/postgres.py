"""Migration operations for PostgreSQL-only features, skipped on SQLite (`make run`).

Substring search (`icontains`) uses pg_trgm GIN indexes. Django writes it as
`UPPER(column::text) LIKE UPPER('%...%')`, so the index is on that very expression.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresOnlySQL(migrations.RunSQL):
    """RunSQL on PostgreSQL; a no-op on other databases."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


def trigram_search_index(table, column):
    """A GIN index that serves `column__icontains` on PostgreSQL."""
    name = f"{table}_{column}_trgm"
    return PostgresOnlySQL(
        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
        f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
        f'DROP INDEX IF EXISTS "{name}"',
    )


__all__ = ["PostgresOnlySQL", "TrigramExtension", "trigram_search_index"]
