"""Read pages of export files into Arrow batches with DuckDB, one set-based scan per page.

dlt's own readers either turn rows into Python dicts (90-180x slower, see
shared/stack-notes.md) or open one DuckDB scan per file, which costs more than the data
when a year of daily drops means thousands of small files. This reader takes a whole page
of files from dlt's ``filesystem`` resource and scans it in one ``read_csv`` /
``read_json`` call, so data moves as Arrow record batches straight into dlt.

Each file's columns are projected onto the contract's roles by the source mapping
(:mod:`ingestion.mapping`): the column that plays a role is loaded under the role's name,
an absent optional role as an empty column (or its default), timestamps and dates as ISO
UTC text (:mod:`ingestion.sources.formats`); columns no role uses are kept as they come.

Bad input is named and kept, never silently dropped:

- files lacking a required role raise one :class:`ExportFileError` naming every such file
  and role, which fails the whole source before anything of it is loaded;
- a row that cannot be parsed (unterminated quote, wrong number of fields, malformed JSON)
  goes to the ``quarantined_rows`` table with file, line, reason and the raw line; every
  CSV file's parsed rows are reconciled with its line count, so a row that a multi-file
  scan drops silently is found and its file read again on its own;
- a keyed row without its primary key or with an unreadable modified timestamp goes to
  ``quarantined_rows`` with the record itself;
- a column the contract does not know is loaded like any other and added to the table.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import itertools
import json
import logging
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import dlt
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
from dlt.sources.filesystem import FileItemDict

from ingestion import settings
from ingestion.exports import ExportTable
from ingestion.mapping import (
    SourceMapping,
    missing_columns_problem,
    missing_required,
    resolve,
    unused_columns,
)
from ingestion.sources.formats import normalized_sql
from ingestion.sources.formats import quote_identifier as _quote
from ingestion.sources.formats import quote_literal as _literal
from ingestion.sources.ledger import StoredVersions
from transform.definitions import load_definitions

log = logging.getLogger(__name__)

QUARANTINE_TABLE = "quarantined_rows"
SOURCE_FILE_COLUMN = "_source_file"
MODIFIED_AT_COLUMN = "_modified_at"
REJECT_REASON = "_reject_reason"
BATCH_ROWS = 100_000
NDJSON_SAMPLE_LINES = 100
QUARANTINE_SCHEMA = pa.schema(
    [
        (SOURCE_FILE_COLUMN, pa.string()),
        ("line_number", pa.int64()),
        ("reason", pa.string()),
        ("record", pa.string()),
    ]
)


class ExportFileError(ValueError):
    """An export file that cannot be loaded as a whole, e.g. a required column is missing."""


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs besides the files: whose mapping, for which system."""

    mapping: SourceMapping
    system: str
    # the records already stored, so that no older version replaces a newer one
    versions: StoredVersions | None = None

    @property
    def time_zone(self) -> str:
        return self.mapping.system(self.system).time_zone


def _path_list(paths: Iterable[str]) -> str:
    return "[" + ", ".join(_literal(p) for p in paths) + "]"


def _duckdb_paths(items: list[FileItemDict], con: duckdb.DuckDBPyConnection) -> list[str]:
    """Paths DuckDB can open: local files directly, anything else through dlt's fsspec client,
    registered once with the connection (an object store, say, by configuration alone)."""
    paths = []
    for item in items:
        filesystem = item.fsspec
        protocols = filesystem.protocol
        protocols = protocols if isinstance(protocols, tuple) else (protocols,)
        if "file" in protocols:
            paths.append(item.local_file_path)
            continue
        if not any(con.filesystem_is_registered(p) for p in protocols):
            con.register_filesystem(filesystem)
        paths.append(item["file_url"])
    return paths


GZIP_MAGIC = b"\x1f\x8b"


def _is_gzip(raw: IO[bytes]) -> bool:
    """Whether a file's bytes are gzip, by their first bytes, not its name (a Lead.csv
    holding gzip, as mail gateways and `gzip -S` leave them). `raw` must be seekable."""
    is_gzip = raw.read(len(GZIP_MAGIC)) == GZIP_MAGIC
    raw.seek(0)
    return is_gzip


def decompressed(raw: IO[bytes]) -> IO[bytes]:
    """An export file's bytes as the export wrote them (`raw` stays open)."""
    return cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb")) if _is_gzip(raw) else raw


def duckdb_compression(path: str | Path) -> str:
    """DuckDB's `compression` for reading one export file: gzip when its bytes are, whatever
    its name (DuckDB judges by the name)."""
    try:
        with open(path, "rb") as raw:
            return "gzip" if _is_gzip(raw) else "auto"
    except OSError:  # not a local file: DuckDB's own judgement
        return "auto"


def csv_header(first_line: bytes) -> tuple[str, ...]:
    """The columns a CSV header line names (a BOM is dropped)."""
    line = first_line.decode("utf-8-sig")
    if not line.strip():
        raise ValueError("empty file, expected a CSV header row")
    return tuple(next(csv.reader(io.StringIO(line))))


def _csv_header_and_records(item: FileItemDict) -> tuple[tuple[str, ...], int]:
    """The header and the number of records the file can hold at most (its lines after the
    header): a parse that yields fewer lost rows. Values spanning lines or blank lines only
    make this larger, which costs a re-read of that file, never a lost row."""
    with item.open(mode="rb", compression="disable") as raw:
        content = decompressed(raw).read()
    first_line, _, rest = content.partition(b"\n")
    records = rest.count(b"\n") + (1 if rest and not rest.endswith(b"\n") else 0)
    try:
        return csv_header(first_line), records
    except ValueError as error:
        raise ExportFileError(f"{item['file_url']}: {error}") from error


def ndjson_columns(lines: Iterable[bytes]) -> dict[str, str]:
    """Top-level keys of a sample of NDJSON lines: VARCHAR for scalars, JSON for nested
    values.

    Declaring the columns spares DuckDB sniffing every file (45 s of 100 for a year of GA4
    files) and keeps nested records as JSON text, the way the CSV exports stay text.
    Empty for an empty file (a quiet day).
    """
    columns: dict[str, str] = {}
    for raw in itertools.islice(lines, NDJSON_SAMPLE_LINES):
        try:
            record = json.loads(raw) if raw.strip() else None
        except ValueError:
            continue  # a malformed line is quarantined later
        if not isinstance(record, dict):
            continue
        for key, value in record.items():
            if isinstance(value, dict | list):
                columns[key] = "JSON"
            else:
                columns.setdefault(key, "VARCHAR")
    return columns


def _ndjson_columns(item: FileItemDict) -> dict[str, str]:
    with item.open(mode="rb", compression="disable") as raw:
        return ndjson_columns(decompressed(raw))


def _projection(
    table: ExportTable,
    header: tuple[str, ...],
    context: ReadContext,
    json_columns: frozenset[str] = frozenset(),
) -> str:
    """How one file's columns become the table's, as a select list over them: each role
    from the column the mapping names (normalised by its kind), a constant, or empty; then
    the columns no role uses, as they come. A table's absent optional key is a hash of the
    record's other roles."""
    resolved = resolve(context.mapping, context.system, table, header)
    expressions: dict[str, str] = {}
    for role in resolved:
        column = table.column(role.role)
        if role.column is not None:
            value = _quote(role.column)
            if role.column in json_columns and column.kind != "json":
                value = f"cast({value} as varchar)"
        elif role.constant is not None:
            value = _literal(role.constant)
        else:
            value = "cast(null as json)" if column.kind == "json" else "cast(null as varchar)"
        if column.kind != "json":
            value = f"nullif({value}, '')"  # Data Loader quotes an empty value: ""
        expressions[role.role] = normalized_sql(value, column.kind, context.time_zone)
    key = table.primary_key
    if key and next(r for r in resolved if r.role == key).is_missing:
        others = ", ".join(
            f"coalesce(cast({e} as varchar), '')" for r, e in expressions.items() if r != key
        )
        expressions[key] = f"md5(concat_ws('|', {others}))"
    select = [f"{e} as {_quote(r)}" for r, e in expressions.items()]
    select += [_quote(c) for c in unused_columns(header, resolved)]
    return ", ".join(select)


def _check_required(
    files: list[tuple[str, tuple[str, ...]]], table: ExportTable, context: ReadContext
) -> None:
    """One error naming every file of the page that lacks a required role, and the roles."""
    problems = []
    for path, header in files:
        missing = missing_required(table, resolve(context.mapping, context.system, table, header))
        if missing:
            problems.append(missing_columns_problem(path, table.name, missing))
    if problems:
        raise ExportFileError(
            "; ".join(problems) + f" (or map them in {settings.source_mapping_path()})"
        )


def _quarantine_batch(rows: pa.Table, table: ExportTable) -> pa.Table:
    """Tag rejected rows for the quarantine table, keyed so a re-read adds no duplicates."""
    ids = [
        hashlib.sha1(
            f"{table.name}|{r[SOURCE_FILE_COLUMN]}|{r['line_number']}|{r['record']}".encode()
        ).hexdigest()
        for r in rows.select([SOURCE_FILE_COLUMN, "line_number", "record"]).to_pylist()
    ]
    rows = rows.append_column("table_name", pa.array([table.name] * rows.num_rows, pa.string()))
    rows = rows.append_column(
        pa.field("quarantine_id", pa.string(), nullable=False), pa.array(ids, pa.string())
    )
    return dlt.mark.with_hints(
        rows,
        dlt.mark.make_hints(
            table_name=QUARANTINE_TABLE, write_disposition="merge", primary_key="quarantine_id"
        ),
        create_table_variant=True,  # without it dlt re-routes the resource's own rows here
    )


def _reject_reason_sql(table: ExportTable) -> str:
    """Why a keyed row cannot be merged: no primary key, no readable modified time, a
    modified time in the future (it would win over every later version of the record), or
    a required date outside the plausible window (the record cannot be placed in time).

    The window is the definitions file's ``plausible_values``, which staging applies to
    every other date (read as empty there, and flagged by the gate)."""
    assert table.primary_key and table.modified_column, f"{table.name} is not keyed"
    window = load_definitions().plausible_values
    key, modified = _quote(table.primary_key), _quote(table.modified_column)
    future = f"now() + interval {window.days_after_run} day"
    implausible = ""
    for column in table.columns:
        if not column.required or column.kind not in ("date", "timestamp"):
            continue
        if column.name == table.modified_column:
            continue
        days = window.scheduled_days_after_run if column.scheduled else window.days_after_run
        value = _quote(column.name)
        implausible += (
            f"when try_cast(left({value}, 10) as date) not between date "
            f"'{window.earliest_date}' and cast(now() + interval {days} day as date) "
            f"then 'implausible {column.name}, outside the plausible window: ' || {value} "
        )
    return (
        f"case when nullif(trim({key}), '') is null "
        f"then 'missing primary key {table.primary_key}' "
        f"when try_cast({modified} as timestamptz) is null "
        f"then 'unreadable {table.modified_column}: ' || coalesce({modified}, 'empty') "
        f"when try_cast({modified} as timestamptz) > {future} "
        f"then 'implausible {table.modified_column}, in the future: ' || {modified} "
        f"{implausible}end"
    )


def _not_nullable(rows: pa.Table, column: str) -> pa.Table:
    """Mark a column of the Arrow schema non-null, as dlt declares a key (rows without it
    were quarantined), so dlt doesn't warn that the two schemas differ."""
    index = rows.schema.get_field_index(column)
    return rows.cast(rows.schema.set(index, rows.schema.field(index).with_nullable(False)))


def _slices(rows: pa.Table) -> Iterator[pa.Table]:
    """Large slices of a table: dlt pays a fixed cost per item, so never yield tiny chunks."""
    for offset in range(0, rows.num_rows, BATCH_ROWS):
        yield rows.slice(offset, BATCH_ROWS)


def _split_rejected(rows: pa.Table) -> tuple[pa.Table, pa.Table]:
    """Split tagged rows into rows to load and rows to quarantine, in Arrow."""
    if rows[REJECT_REASON].null_count == rows.num_rows:  # the usual case: nothing rejected
        return rows.drop_columns([REJECT_REASON]), QUARANTINE_SCHEMA.empty_table()
    rejected = pc.is_valid(rows[REJECT_REASON])
    bad = rows.filter(rejected)
    good = rows.filter(pc.invert(rejected)).drop_columns([REJECT_REASON])
    quarantine = pa.table(
        [
            bad[SOURCE_FILE_COLUMN],
            pa.nulls(bad.num_rows, pa.int64()),
            bad[REJECT_REASON],
            pa.array(
                [json.dumps(r, default=str) for r in bad.drop_columns([REJECT_REASON]).to_pylist()],
                pa.string(),
            ),
        ],
        schema=QUARANTINE_SCHEMA,
    )
    return good, quarantine


def _csv_reader_sql(paths: list[str], header: tuple[str, ...], compression: str = "auto") -> str:
    """A strict DuckDB scan: the dialect and all-text columns are given, nothing sniffed."""
    columns = "{" + ", ".join(f"{_literal(c)}: 'VARCHAR'" for c in header) + "}"
    return (
        f"read_csv({_path_list(paths)}, auto_detect=false, header=true, columns={columns}, "
        f"delim=',', quote='\"', escape='\"', compression='{compression}', filename=true)"
    )


def _rows_sql(
    relation: str, table: ExportTable, projection: str, source_file: str = "filename"
) -> str:
    """Rows to load, as the table's roles, tagged with their file (keyed: also the
    modified time and the reject reason)."""
    rows = f"select {projection}, {source_file} as {SOURCE_FILE_COLUMN} from {relation}"
    if not table.primary_key or not table.modified_column:
        return rows
    return (
        f"select *, try_cast({_quote(table.modified_column)} as timestamptz) "
        f"as {MODIFIED_AT_COLUMN}, {_reject_reason_sql(table)} as {REJECT_REASON} "
        f"from ({rows})"
    )


def _read_csv_by_line(path: str, header: tuple[str, ...]) -> tuple[pa.Table, pa.Table]:
    """The slow path for a file DuckDB refused: parse it line by line, keep every good row.

    Each physical line is one record here, so a broken quote cannot swallow the rows after
    it; a value spanning lines in such a file is quarantined with its line, not lost.
    """
    good: list[list[str | None]] = []
    bad: list[tuple[int, str, str]] = []
    with open(path, "rb") as stored:
        handle = decompressed(stored)
        next(handle, None)  # the header, already checked
        for line_number, raw in enumerate(handle, start=2):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:  # never published as U+FFFD
                bad.append(
                    (
                        line_number,
                        f"undecodable bytes, not UTF-8 ({error.reason} at byte {error.start})",
                        raw.decode("utf-8", "backslashreplace"),
                    )
                )
                continue
            if not line.strip():
                continue
            try:
                values = next(csv.reader([line], strict=True))
            except csv.Error as error:
                bad.append((line_number, f"unparseable CSV: {error}", line))
                continue
            if len(values) != len(header):
                bad.append(
                    (line_number, f"expected {len(header)} fields, found {len(values)}", line)
                )
                continue
            good.append([v if v != "" else None for v in values])
    rows = pa.table(
        {
            **{c: pa.array([r[i] for r in good], pa.string()) for i, c in enumerate(header)},
            "filename": pa.array([path] * len(good), pa.string()),
        }
    )
    quarantined = pa.table(
        [[path] * len(bad), [b[0] for b in bad], [b[1] for b in bad], [b[2] for b in bad]],
        schema=QUARANTINE_SCHEMA,
    )
    return rows, quarantined


def _files_missing_rows(records: dict[str, int], rows: pa.Table) -> list[str]:
    """Files whose parsed rows don't add up to their lines: nothing may vanish silently.

    DuckDB 2.0 drops a trailing line with an unterminated quote without an error when it
    scans many files at once, so every file's rows are reconciled with its line count.
    """
    parsed = {
        entry["values"]: entry["counts"]
        for entry in pc.value_counts(rows[SOURCE_FILE_COLUMN]).to_pylist()
    }
    return [path for path, expected in records.items() if parsed.get(path, 0) != expected]


def _read_csv_group(
    con: duckdb.DuckDBPyConnection,
    records: dict[str, int],
    header: tuple[str, ...],
    table: ExportTable,
    projection: str,
) -> tuple[pa.Table, list[pa.Table]]:
    """Rows of files sharing one header, in one scan; files DuckDB refuses go line by line.

    ``records`` maps each file's path to the number of records its lines can hold.
    """
    paths = list(records)
    try:
        rows = con.sql(
            _rows_sql(_csv_reader_sql(paths, header), table, projection)
        ).to_arrow_table()
        suspects = _files_missing_rows(records, rows)
    except duckdb.Error:
        rows, suspects = None, paths  # at least one file is malformed: find which
    if not suspects:
        return rows, []

    tables, quarantined = [], []
    if rows is not None:
        tables.append(
            rows.filter(
                pc.invert(pc.is_in(rows[SOURCE_FILE_COLUMN], pa.array(suspects, pa.string())))
            )
        )
    for path in suspects:
        try:
            # Alone, DuckDB does raise on a malformed file; a file that passes here had
            # values spanning lines, which is fine.
            tables.append(
                con.sql(
                    _rows_sql(
                        _csv_reader_sql([path], header, duckdb_compression(path)),
                        table,
                        projection,
                    )
                ).to_arrow_table()
            )
        except duckdb.Error as error:
            log.warning(
                "%s: %s is malformed (%s), reading it line by line",
                table.name,
                path,
                str(error).splitlines()[0],
            )
            good, bad = _read_csv_by_line(path, header)
            con.register("malformed_file_rows", good)
            tables.append(
                con.sql(_rows_sql("malformed_file_rows", table, projection)).to_arrow_table()
            )
            con.unregister("malformed_file_rows")
            quarantined.append(bad)
    return pa.concat_tables(tables), quarantined


def _utc_connection() -> duckdb.DuckDBPyConnection:
    """A scratch connection whose session time zone can't colour any value read."""
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    return con


def read_csv_page(
    items: list[FileItemDict], table: ExportTable, context: ReadContext
) -> Iterator[pa.Table]:
    headers: dict[tuple[str, ...], list[tuple[FileItemDict, int]]] = {}
    for item in items:
        header, records = _csv_header_and_records(item)
        headers.setdefault(header, []).append((item, records))
    _check_required(
        [(item["file_url"], header) for header, group in headers.items() for item, _ in group],
        table,
        context,
    )

    # Files sharing a header are read in one scan; a file with a new column is its own group
    # and dlt adds the column to the table.
    for header, group in headers.items():
        projection = _projection(table, header, context)
        with _utc_connection() as con:
            paths = _duckdb_paths([item for item, _ in group], con)
            file_records = dict(zip(paths, (n for _, n in group), strict=True))
            rows, quarantined = _read_csv_group(con, file_records, header, table, projection)
        if table.primary_key:
            rows, unkeyed = _split_rejected(rows)
            rows = _not_nullable(rows, table.primary_key)
            quarantined.append(unkeyed)
            if context.versions is not None:
                rows, superseded = context.versions.not_older(
                    rows, table.name, table.primary_key, MODIFIED_AT_COLUMN
                )
                if superseded:
                    log.info(
                        "%s: %d row(s) older than the version already stored, kept out",
                        table.name,
                        superseded,
                    )
        yield from _slices(rows)
        for bad in quarantined:
            if bad.num_rows:
                log.warning("%s: quarantined %d unparseable row(s)", table.name, bad.num_rows)
                yield _quarantine_batch(bad, table)


def _ndjson_reader_sql(paths: list[str], columns: dict[str, str], compression: str) -> str:
    spec = "{" + ", ".join(f"{_literal(k)}: '{v}'" for k, v in columns.items()) + "}"
    return (
        f"read_json({_path_list(paths)}, format='newline_delimited', columns={spec}, "
        f"compression='{compression}', filename=true)"
    )


def _item_compression(item: FileItemDict) -> str:
    """DuckDB's `compression` for a listed file (see duckdb_compression)."""
    if item["file_url"].startswith("file://"):
        return duckdb_compression(item.local_file_path)
    return "auto"


def _ndjson_projection(table: ExportTable, columns: dict[str, str], context: ReadContext) -> str:
    json_columns = frozenset(k for k, v in columns.items() if v == "JSON")
    return _projection(table, tuple(columns), context, json_columns)


def read_ndjson_page(
    items: list[FileItemDict], table: ExportTable, context: ReadContext
) -> Iterator[pa.Table]:
    # one scan per set of keys and compression (gzip by its bytes: DuckDB judges by name)
    groups: dict[tuple[tuple[tuple[str, str], ...], str], list[FileItemDict]] = {}
    for item in items:
        columns = _ndjson_columns(item)
        if columns:
            groups.setdefault((tuple(columns.items()), _item_compression(item)), []).append(item)
    _check_required(
        [
            (item["file_url"], tuple(dict(key_types)))
            for (key_types, _), group in groups.items()
            for item in group
        ],
        table,
        context,
    )

    # Files with the same keys are read in one scan; a file with a new key is its own group
    # and dlt adds the column.
    for (key_types, compression), group_items in groups.items():
        columns = dict(key_types)
        projection = _ndjson_projection(table, columns, context)
        with _utc_connection() as con:
            paths = _duckdb_paths(group_items, con)
            try:
                # The strict scan is the fast path: clean files cost one read.
                scan = _rows_sql(_ndjson_reader_sql(paths, columns, compression), table, projection)
                rows = con.sql(scan).to_arrow_table()
            except duckdb.InvalidInputException as error:
                log.warning(
                    "%s: malformed JSON, validating line by line (%s)",
                    table.name,
                    str(error).splitlines()[0],
                )
                rows = None
        if rows is None:
            yield from _read_ndjson_with_quarantine(paths, columns, table, projection, compression)
        else:
            yield from _slices(rows)


def _read_ndjson_with_quarantine(
    paths: list[str],
    columns: dict[str, str],
    table: ExportTable,
    projection: str,
    compression: str = "auto",
) -> Iterator[pa.Table]:
    """The slow path: split each file into lines, quarantine the malformed ones."""
    con = _utc_connection()
    con.execute(
        f"create temp table lines as select filename as file_name, "
        f"row_number() over (partition by filename) as line_number, line "
        f"from read_csv({_path_list(paths)}, auto_detect=false, header=false, "
        f"columns={{'line': 'VARCHAR'}}, delim='\\x1e', quote='', escape='', "
        f"compression='{compression}', filename=true)"
    )
    quarantined = con.sql(
        f"select file_name as {SOURCE_FILE_COLUMN}, line_number, 'malformed JSON' as reason, "
        "line as record "
        "from lines where trim(line) <> '' and not json_valid(line)"
    ).to_arrow_table()
    with tempfile.TemporaryDirectory(prefix="quarantine_") as tmp:
        clean_paths = []
        for index, path in enumerate(paths):
            clean = str(Path(tmp) / f"{index}.json")
            con.execute(
                f"copy (select line from lines where file_name = {_literal(path)} "
                f"and json_valid(line) order by line_number) to {_literal(clean)} "
                f"(format csv, header false, quote '', escape '', delim '\\x1e')"
            )
            clean_paths.append((clean, path))
        cases = " ".join(f"when {_literal(c)} then {_literal(p)}" for c, p in clean_paths)
        rows = con.sql(
            _rows_sql(
                _ndjson_reader_sql([c for c, _ in clean_paths], columns, compression),
                table,
                projection,
                f"case filename {cases} end",
            )
        ).to_arrow_table()
    yield from _slices(rows)
    if quarantined.num_rows:
        log.warning("%s: quarantined %d malformed line(s)", table.name, quarantined.num_rows)
        yield _quarantine_batch(quarantined, table)
    con.close()


def refusal(item: FileItemDict, landing: str) -> str | None:
    """Why a listed file is not read (None: it is read). A day folder must be named
    YYYY-MM-DD (`15-01-2026 (resent)` is not a day, and data status would misdate it); a
    local file must lie inside the landing folder (a symlink out of it is refused)."""
    day = item["relative_path"].rsplit("/", 1)[0] if "/" in item["relative_path"] else ""
    try:
        dt.date.fromisoformat(day)
        if len(day) != 10:
            raise ValueError(day)
    except ValueError:
        return f"refused: day folder {day!r} is not named YYYY-MM-DD"
    if item["file_url"].startswith("file://"):
        root = Path(landing).resolve()
        if not Path(item.local_file_path).resolve().is_relative_to(root):
            return f"refused: a link out of the landing folder ({root})"
    return None


def read_export_page(
    items: list[FileItemDict],
    table: ExportTable,
    file_format: str,
    context: ReadContext,
    landing: str = "",
) -> Iterator[pa.Table]:
    """Read one page of export files of one table, in one set-based scan. Files refused by
    name or place go to the quarantine with the reason; an empty file is an empty drop."""
    refused = [(item, refusal(item, landing)) for item in items] if landing else []
    refused = [(item, reason) for item, reason in refused if reason]
    if refused:
        for item, reason in refused:
            log.warning("%s: %s", item["file_url"], reason)
        yield _quarantine_batch(
            pa.table(
                [
                    [item["file_url"] for item, _ in refused],
                    [0] * len(refused),
                    [reason for _, reason in refused],
                    [""] * len(refused),
                ],
                schema=QUARANTINE_SCHEMA,
            ),
            table,
        )
    skipped = {item["file_url"] for item, _ in refused}
    readable = [
        item
        for item in items
        if item["file_url"] not in skipped and item.get("size_in_bytes", 1) != 0
    ]
    if readable:
        reader = read_csv_page if file_format == "csv" else read_ndjson_page
        yield from reader(readable, table, context)
