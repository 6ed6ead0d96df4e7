"""The registry of data tables (core.tables.DataTable.registry): one table per name."""

import pytest

from core.tables import Column, DataTable


class LogTable(DataTable):
    name = "test-registry-log"
    default_sort = "id"
    columns = [Column("id", "Id", sort_by="id", always=True)]


def test_a_table_is_registered_by_its_name():
    assert DataTable.registry["test-registry-log"] is LogTable


def test_a_second_table_with_the_same_name_is_refused():
    with pytest.raises(ValueError, match="the table name 'test-registry-log' is taken by"):

        class OtherLogTable(DataTable):
            name = "test-registry-log"
            default_sort = "id"
            columns = [Column("id", "Id", sort_by="id", always=True)]

    assert DataTable.registry["test-registry-log"] is LogTable
