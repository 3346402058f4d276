"""The warehouse from Dagster's side: one writer at a time, and row counts for metadata."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestion import settings
from ingestion.sources.stored import stored_tables, stored_warehouse

# Every writer of the DuckDB file runs in this pool; dagster.yaml limits it to one slot,
# so runs from the UI, a schedule and a sensor queue instead of fighting over the lock.
WAREHOUSE_POOL = "duckdb_warehouse"


def _lock_path() -> Path:
    path = settings.warehouse_path().with_name(settings.warehouse_path().name + ".lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def warehouse_lock(log: logging.Logger | None = None) -> Iterator[None]:
    """Hold the warehouse for one step, waiting (never failing) while another run has it.

    The pool queues the steps of runs the Dagster daemon launches; this lock also covers
    runs started any other way (two `make demo`s, a test, a script), for which DuckDB
    would otherwise refuse the second connection with a lock error.
    """
    path = _lock_path()
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


@contextmanager
def warehouse_if_free() -> Iterator[bool]:
    """Hold the warehouse for a quick read if no run has it (True), else hold nothing and
    say so (False): for a sensor, which must not wait, nor open the file under a writer."""
    path = _lock_path()
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def table_row_counts(schema: str, tables: list[str]) -> dict[str, int]:
    """Rows per table in a warehouse schema; tables not created yet are left out."""
    with stored_warehouse() as con:
        if con is None:
            return {}
        existing = stored_tables(con, schema)
        return {
            table: con.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
            for table in tables
            if table in existing
        }
