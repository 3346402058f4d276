"""The warehouse from Dagster's side: one writer at a time, and row counts for metadata."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from ingestion import settings

# Every writer of the DuckDB file runs in this pool; dagster.yaml limits it to one slot,
# so runs from the UI, a schedule and a sensor queue instead of fighting over the lock.
WAREHOUSE_POOL = "duckdb_warehouse"


@contextmanager
def warehouse_lock(log: logging.Logger | None = None) -> Iterator[None]:
    """Hold the warehouse for one step, waiting (never failing) while another run has it.

    The pool queues the steps of runs the Dagster daemon launches; this lock also covers
    runs started any other way (two `make demo`s, a test, a script), for which DuckDB
    would otherwise refuse the second connection with a lock error.
    """
    path = settings.warehouse_path().with_name(settings.warehouse_path().name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if log:
                log.info(f"Waiting for the warehouse: another run holds {path}")
            started = time.monotonic()
            fcntl.flock(handle, fcntl.LOCK_EX)
            if log:
                log.info(f"Got the warehouse after {time.monotonic() - started:.1f} s")
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
