"""The load ledger: every export file loaded, so that each is loaded exactly once.

A file's identity is its path under the system's landing folder (``<day>/<file>``) and the
SHA-256 of its bytes. Each raw dataset keeps a ``loaded_files`` table (path, size,
modification time, content hash, the dlt load that brought it), written by the same load as
the file's rows. A file is read when its (path, content) is not in the ledger:

- late and out-of-order drops, and files whose modification time was preserved (``cp -p``,
  ``rsync -a``, ``tar x``), load whatever their timestamps say;
- an identical re-delivery (the same bytes at the same path, touched or copied again) adds
  nothing;
- a corrected file at the same path (new bytes) loads, and the latest-wins merge keeps the
  newest version of each record.

Hashing reads the file, so a file whose (path, size, modification time) the ledger already
holds is known without reading it.

A data dir from before the ledger (its loads judged files by modification time) has raw
rows but no ledger rows for the files they came from: a path the raw tables name and the
ledger has never listed counts as loaded, so an upgraded data dir reads none of those files
again (GA4 events, appended, would double). A corrected file at a listed path still loads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
from dlt.common.normalizers.naming.snake_case import NamingConvention as SnakeCaseNaming
from dlt.sources.filesystem import FileItemDict

from ingestion.sources.stored import stored_columns, stored_tables, stored_warehouse

LEDGER_TABLE = "loaded_files"
STORED = "_stored_modified_at"
TIMESTAMP = pa.timestamp("us", tz="UTC")
LEDGER_KEY = ("file_path", "content_sha256")
LEDGER_SCHEMA = pa.schema(
    [
        ("file_path", pa.string()),
        ("content_sha256", pa.string()),
        ("size_bytes", pa.int64()),
        ("file_modified_at", pa.timestamp("us", tz="UTC")),
        ("ledgered_at", pa.timestamp("us", tz="UTC")),
    ]
)


def _content_sha256(item: FileItemDict) -> str:
    with item.open(compression="disable") as file:
        return sha256_of(file)


def sha256_of(file: IO[bytes]) -> str:
    """The SHA-256 of a file's bytes as stored (a gzip file's compressed bytes)."""
    digest = hashlib.sha256()
    while chunk := file.read(1 << 20):
        digest.update(chunk)
    return digest.hexdigest()


def _stat(item: FileItemDict) -> tuple[str, int, dt.datetime]:
    return (
        item["relative_path"],
        int(item.get("size_in_bytes") or 0),
        item["modification_date"].astimezone(dt.UTC),
    )


class FileLedger:
    """The files of one raw dataset already loaded, read from the warehouse once, when the
    first file is judged (a source is built long before it runs)."""

    def __init__(self, dataset: str):
        self.dataset = dataset
        self._loaded: set[tuple[str, str]] | None = None  # (path, content hash)
        self._listed: set[str] = set()  # every path the ledger lists, whatever its content
        self._before_the_ledger: set[str] | None = None
        self._stats: set[tuple[str, int, dt.datetime]] = set()  # (path, size, modified)
        self._hashes: dict[str, str] = {}  # path -> content hash, of the files to load

    def _read(self) -> set[tuple[str, str]]:
        if self._loaded is None:
            self._loaded = set()
            with stored_warehouse() as con:
                if con is not None and LEDGER_TABLE in stored_tables(con, self.dataset):
                    rows = con.execute(
                        "select file_path, content_sha256, size_bytes, file_modified_at "
                        f'from "{self.dataset}"."{LEDGER_TABLE}"'
                    ).fetchall()
                    self._loaded = {(p, h) for p, h, _, _ in rows}
                    self._listed = {p for p, _, _, _ in rows}
                    self._stats = {(p, s, m.astimezone(dt.UTC)) for p, _, s, m in rows}
        return self._loaded

    def is_new(self, item: FileItemDict) -> bool:
        """Whether this file's content at this path has not been loaded yet."""
        return not self.holds(*_stat(item), lambda: _content_sha256(item))

    def holds(
        self, path: str, size: int, modified: dt.datetime, content_sha256: Callable[[], str]
    ) -> bool:
        """Whether the file at `path` (under the system's folder) was loaded with this
        content: known by its size and modification time without reading it, else by the
        hash of its bytes (`content_sha256`, called only then)."""
        loaded = self._read()
        if (path, size, modified) in self._stats:
            return True
        content = content_sha256()
        if (path, content) in loaded:
            return True
        if path not in self._listed and path in self._loaded_before_the_ledger():
            return True
        self._hashes[path] = content
        return False

    def _loaded_before_the_ledger(self) -> set[str]:
        """The paths (`<day>/<file>`) whose rows the raw tables hold: read once, when a
        file the ledger doesn't list is judged."""
        from ingestion.sources.readers import SOURCE_FILE_COLUMN  # readers imports this

        if self._before_the_ledger is None:
            self._before_the_ledger = set()
            with stored_warehouse() as con:
                if con is None:
                    return self._before_the_ledger
                for table in sorted(stored_tables(con, self.dataset) - {LEDGER_TABLE}):
                    if SOURCE_FILE_COLUMN not in stored_columns(con, self.dataset, table):
                        continue
                    files = con.execute(
                        f'select distinct "{SOURCE_FILE_COLUMN}" from "{self.dataset}"."{table}"'
                    ).fetchall()
                    self._before_the_ledger |= {
                        "/".join(PurePosixPath(f).parts[-2:]) for (f,) in files if f
                    }
        return self._before_the_ledger

    def rows(self, items: Iterable[FileItemDict]) -> pa.Table:
        """The ledger rows of files just read (their rows go to the same load)."""
        now = dt.datetime.now(dt.UTC)
        listed = [(item, _stat(item)) for item in items]
        return pa.table(
            {
                "file_path": [path for _, (path, _, _) in listed],
                "content_sha256": [
                    self._hashes.get(path) or _content_sha256(item) for item, (path, _, _) in listed
                ],
                "size_bytes": [size for _, (_, size, _) in listed],
                "file_modified_at": [modified for _, (_, _, modified) in listed],
                "ledgered_at": [now] * len(listed),
            },
            schema=LEDGER_SCHEMA,
        )


class StoredVersions:
    """The modified time of every record already in a raw dataset's keyed tables, read once
    per table when its first rows are judged.

    dlt's merge keeps the latest version within one load; across loads the newest *load*
    would win, so an older export re-sent unchanged would bring back older versions of
    records. Rows whose record is stored with a later modified time are kept out before
    the merge: the newest version wins whatever the order of the loads.
    """

    def __init__(self, dataset: str):
        self.dataset = dataset
        self._tables: dict[str, pa.Table] = {}

    def _stored(self, table: str, key: str, modified: str) -> pa.Table:
        if table not in self._tables:
            stored = pa.table({key: pa.array([], pa.string()), STORED: pa.array([], TIMESTAMP)})
            with stored_warehouse() as con:
                if con is not None and {key, modified} <= stored_columns(con, self.dataset, table):
                    stored = con.sql(
                        f'select "{key}", max("{modified}") as {STORED} '
                        f'from "{self.dataset}"."{table}" group by 1'
                    ).to_arrow_table()
            self._tables[table] = stored.cast(pa.schema([(key, pa.string()), (STORED, TIMESTAMP)]))
        return self._tables[table]

    def not_older(
        self, rows: pa.Table, table: str, key: str, modified: str
    ) -> tuple[pa.Table, int]:
        """The rows no stored version of their record is newer than, and how many were kept
        out. `key` and `modified` name the columns of `rows`; the raw table names them as
        dlt does."""
        naming = SnakeCaseNaming()
        raw_key, raw_modified = (naming.normalize_identifier(c) for c in (key, modified))
        stored = self._stored(table, raw_key, raw_modified)
        if not stored.num_rows or not rows.num_rows:
            return rows, 0
        joined = rows.join(stored.rename_columns([key, STORED]), keys=key, join_type="left outer")
        older = pc.fill_null(pc.less(joined[modified], joined[STORED]), False)
        return joined.filter(pc.invert(older)).drop_columns([STORED]), pc.sum(older).as_py() or 0
