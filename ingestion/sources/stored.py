"""What the warehouse already holds, read without taking its write lock.

The loaders judge files and records against what earlier loads stored (the load ledger,
the stored versions of records, the quarantine); the launcher counts rows. Before the
first load there is no warehouse file, and a dataset's tables appear as its files do, so
every such read starts from "which columns does this table have, if any".
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ingestion import settings


@contextmanager
def stored_warehouse() -> Iterator[duckdb.DuckDBPyConnection | None]:
    """A read-only connection to the warehouse, or None before the first load made it."""
    path = settings.warehouse_path()
    if not path.exists():
        yield None
        return
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def stored_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    """The columns of a stored table; empty when the table does not exist (yet)."""
    return {
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, table],
        ).fetchall()
    }


def stored_tables(con: duckdb.DuckDBPyConnection, schema: str) -> set[str]:
    """The tables a schema holds; empty when the schema does not exist (yet)."""
    return {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = ?",
            [schema],
        ).fetchall()
    }
