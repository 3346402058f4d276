"""Small read-side helpers on the warehouse for asset metadata (row counts)."""

from __future__ import annotations

import duckdb

from ingestion import settings

# Every writer of the DuckDB file runs in this pool; dagster.yaml limits it to one slot,
# so runs from the UI, a schedule and a sensor queue instead of fighting over the lock.
WAREHOUSE_POOL = "duckdb_warehouse"


def table_row_counts(schema: str, tables: list[str]) -> dict[str, int]:
    """Rows per table in a warehouse schema; tables not created yet are left out."""
    path = settings.warehouse_path()
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        existing = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = ?",
                [schema],
            ).fetchall()
        }
        return {
            table: con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for table in tables
            if table in existing
        }


def quarantined_row_counts(schema: str) -> dict[str, int]:
    """Quarantined rows per raw table of one source dataset."""
    path = settings.warehouse_path()
    if not path.exists():
        return {}
    with duckdb.connect(str(path), read_only=True) as con:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = ? and table_name = 'quarantined_rows'",
            [schema],
        ).fetchone()[0]
        if not exists:
            return {}
        return dict(
            con.execute(
                f'select table_name, count(*) from "{schema}".quarantined_rows group by 1'
            ).fetchall()
        )
