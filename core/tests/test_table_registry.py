"""The registry of data tables (core.tables.DataTable.registry): one table per name."""

import json
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import get_resolver

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


def test_every_table_is_registered_once_django_is_set_up():
    """A worker started without the system check (which imports the URLconf) can export them."""
    listing = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; django.setup();"
            "from core.tables import DataTable; print(json.dumps(sorted(DataTable.registry)))",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    get_resolver().url_patterns  # noqa: B018 - imports every view, and so every table
    pages_tables = {
        name for name, table in DataTable.registry.items() if ".tests" not in table.__module__
    }
    assert {"users", "audit", "inventory-trunks", "trunk-orders"} <= pages_tables
    assert set(json.loads(listing.stdout)) == pages_tables
