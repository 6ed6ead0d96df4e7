"""Tables partitioned by time: PostgreSQL declarative partitioning, one partition per month.

A big time-series table (call records) is declared as a normal model whose primary key holds
its time column (a partition's unique keys must), and its migration ends with
`PartitionByMonth("callrecord", "started_at")`. On PostgreSQL that turns the new, empty table
into a partitioned one, keeping its columns, primary key and indexes by name; elsewhere (SQLite,
for `make run` without a database server) the table stays a plain one.

Partitions are made ahead of the rows: `ensure_partitions(model, first, last)` before a load
(for the months its rows fall in) and every day by cron for the months to come; there is no
default partition, so a row whose month has no partition is refused rather than hidden where
detaching a month would trip over it. `drop_partitions_before(model, day)` drops whole months
past their retention, which deletes nothing row by row.

A model whose rows of a month are changed in bulk while the month is open (call records
rated again) sets `partition_fillfactor`: its partitions are made with pages that full, so an
UPDATE of columns no index holds keeps each new row version on its page (HOT) and writes no
index. `pack_partitions_before(model, day)` packs the months done with such changes.
"""

from datetime import date

from django.db import connection
from django.db.migrations.operations.base import Operation


class PartitionByMonth(Operation):
    """Make the model's table, created empty by the same migration, partitioned by month."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name, column):
        self.model_name = model_name
        self.column = column

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return
        model = to_state.apps.get_model(app_label, self.model_name)
        table = model._meta.db_table
        quote = schema_editor.quote_name
        plain = f"{table}_unpartitioned"
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            indexes = cursor.fetchall()
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'p'",
                [table],
            )
            primary_key = cursor.fetchone()
        schema_editor.execute(f"ALTER TABLE {quote(table)} RENAME TO {quote(plain)}")
        schema_editor.execute(
            f"CREATE TABLE {quote(table)} (LIKE {quote(plain)} INCLUDING DEFAULTS "
            f"INCLUDING CONSTRAINTS INCLUDING IDENTITY) PARTITION BY RANGE ({quote(self.column)})"
        )
        schema_editor.execute(f"DROP TABLE {quote(plain)}")
        name, definition = primary_key
        schema_editor.execute(
            f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}"
        )
        for index_name, index_definition in indexes:
            if index_name != name:
                schema_editor.execute(index_definition)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        # The migration's CreateModel, undone next, drops the partitioned table whole.
        pass

    def describe(self):
        return f"Partition {self.model_name} by month of {self.column}"


def _month(day):
    return date(day.year, day.month, 1)


def _next_month(month):
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def partition_name(model, month):
    return f"{model._meta.db_table}_{month:%Y_%m}"


def ensure_partitions(model, first, last):
    """Make the monthly partitions of model's table from first's month to last's; returns the
    names of those it made. Nothing to do where the table is not partitioned."""
    if connection.vendor != "postgresql":
        return []
    table = model._meta.db_table
    fillfactor = getattr(model, "partition_fillfactor", None)
    storage = f" WITH (fillfactor = {int(fillfactor)})" if fillfactor else ""
    made = []
    month = _month(first)
    with connection.cursor() as cursor:
        while month <= _month(last):
            name = partition_name(model, month)
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                # Two loads at once may both make it: IF NOT EXISTS lets the second pass.
                cursor.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{table}" '  # noqa: S608
                    f"FOR VALUES FROM (%s) TO (%s){storage}",
                    [month.isoformat(), _next_month(month).isoformat()],
                )
                made.append(name)
            month = _next_month(month)
    return made


def partitions(model):
    """[(month, name)] of model's table, oldest first."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname FROM pg_inherits "
            "JOIN pg_class parent ON parent.oid = pg_inherits.inhparent "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE parent.relname = %s ORDER BY child.relname",
            [model._meta.db_table],
        )
        names = [row[0] for row in cursor.fetchall()]
    prefix = f"{model._meta.db_table}_"
    return [
        (date(int(name[len(prefix) :][:4]), int(name[len(prefix) :][5:7]), 1), name)
        for name in names
    ]


def drop_partitions_before(model, day):
    """Drop the monthly partitions wholly before day's month; returns their names."""
    dropped = []
    with connection.cursor() as cursor:
        for month, name in partitions(model):
            if month < _month(day):
                cursor.execute(f'DROP TABLE "{name}"')
                dropped.append(name)
    return dropped


def pack_partitions_before(model, day):
    """Rewrite the monthly partitions wholly before day's month that were made with room on
    their pages (partition_fillfactor) packed, their indexes too; returns their names.

    Each is locked while it is rewritten (seconds for millions of rows): a query that reads
    it waits, one bounded to other months does not.
    """
    packed = []
    with connection.cursor() as cursor:
        for month, name in partitions(model):
            if month >= _month(day):
                continue
            cursor.execute(
                "SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = %s::regclass",
                [name],
            )
            if any(option.startswith("fillfactor=") for option in cursor.fetchone()[0]):
                cursor.execute(f'ALTER TABLE "{name}" RESET (fillfactor)')
                cursor.execute(f'VACUUM (FULL, ANALYZE) "{name}"')
                packed.append(name)
    return packed
