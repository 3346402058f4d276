"""Preflight: a landing folder read against the contract and the source mapping, loading nothing.

``make check-exports`` (``python -m ingestion.preflight``) prints, per export file, the
required roles it lacks (with the mapping lines to add), the optional roles it lacks and
what the pipeline does without them, the columns no role uses (loaded as they come), the
timestamp and date values no format reads, and files no table reads. The loads run the
same check on headers first, so one message names every missing role of every file.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion import settings
from ingestion.exports import (
    SYSTEMS,
    ExportSystem,
    ExportTable,
    is_export_file,
)
from ingestion.mapping import (
    MappingError,
    SourceMapping,
    closest_column,
    load_mapping,
    missing_columns_problem,
    missing_required,
    resolve,
    unused_columns,
)
from ingestion.sources.formats import parsed_sql, quote_identifier, quote_literal
from ingestion.sources.readers import (
    csv_header,
    decompressed,
    duckdb_compression,
    ndjson_columns,
)


@dataclass
class FileCheck:
    """What one export file lacks or carries that the contract doesn't read."""

    system: str
    table: str
    path: Path
    header: tuple[str, ...] = ()
    missing_required: list[str] = field(default_factory=list)
    absent_optional: list[tuple[str, str]] = field(default_factory=list)  # (role, fallback)
    unused_columns: list[str] = field(default_factory=list)
    unparseable: dict[str, tuple[int, str]] = field(default_factory=dict)  # role: (n, e.g.)
    error: str | None = None

    @property
    def blocks_loading(self) -> bool:
        return bool(self.missing_required or self.error)


def header_of(system: ExportSystem, path: Path) -> tuple[str, ...]:
    """A file's columns: the CSV header, or the keys of a sample of NDJSON lines, read as
    the loads read them; none for a 0-byte file (an empty drop: a quiet day, as the loads
    read it)."""
    if path.stat().st_size == 0:
        return ()
    with path.open("rb") as raw:
        handle = decompressed(raw)
        if system.file_format == "csv":
            return csv_header(handle.readline())
        return tuple(ndjson_columns(handle))


def _unparseable(
    system: ExportSystem,
    table: ExportTable,
    paths: list[Path],
    resolved,
    time_zone: str,
    compression: str = "auto",
) -> dict[Path, dict[str, tuple[int, str]]]:
    """Per file sharing one header, per timestamp or date role: the values no format
    reads, and one of them. One scan for all the files."""
    checks = []
    for role in resolved:
        column = table.column(role.role)
        if role.column is None or column.kind not in ("timestamp", "date"):
            continue
        value = f"trim(cast({quote_identifier(role.column)} as varchar))"
        parsed = parsed_sql(value, column.kind, time_zone)
        bad = f"nullif({value}, '') is not null and {parsed} is null"
        checks.append(
            (role.role, f"count(*) filter (where {bad}), any_value({value}) filter (where {bad})")
        )
    if not checks:
        return {}
    files = "[" + ", ".join(quote_literal(str(p)) for p in paths) + "]"
    reader = (
        f"read_csv({files}, header=true, all_varchar=true, compression='{compression}', "
        "filename=true)"
        if system.file_format == "csv"
        else f"read_json({files}, format='newline_delimited', compression='{compression}', "
        "filename=true)"
    )
    with duckdb.connect() as con:
        con.execute("set TimeZone = 'UTC'")
        rows = con.execute(
            f"select filename, {', '.join(sql for _, sql in checks)} "
            f"from {reader} group by filename"
        ).fetchall()
    return {
        Path(row[0]): {
            role: (row[2 * i + 1], row[2 * i + 2])
            for i, (role, _) in enumerate(checks)
            if row[2 * i + 1]
        }
        for row in rows
    }


def _check_values(
    mapping: SourceMapping, system: ExportSystem, table: ExportTable, checks: list[FileCheck]
) -> None:
    """Fill in the unparseable values of loadable files, one scan per shared header (a
    file DuckDB can't scan with the others is read alone, and named if it can't be)."""
    groups: dict[tuple[str, ...], list[FileCheck]] = {}
    for check in checks:
        if check.header and not check.blocks_loading:
            groups.setdefault(check.header, []).append(check)
    time_zone = mapping.system(system.name).time_zone
    for header, group in groups.items():
        resolved = resolve(mapping, system.name, table, header)
        try:
            found = _unparseable(system, table, [c.path for c in group], resolved, time_zone)
        except duckdb.Error:
            found = {}
            for check in group:
                try:
                    found |= _unparseable(
                        system,
                        table,
                        [check.path],
                        resolved,
                        time_zone,
                        duckdb_compression(check.path),
                    )
                except duckdb.Error as error:
                    check.error = f"unreadable: {str(error).splitlines()[0]}"
        for check in group:
            check.unparseable = found.get(check.path, {})


def check_file(
    mapping: SourceMapping, system: ExportSystem, table: ExportTable, path: Path
) -> FileCheck:
    """One file's columns against its table's roles (its header only)."""
    check = FileCheck(system.name, table.name, path)
    try:
        check.header = header_of(system, path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        check.error = str(error)
        return check
    if not check.header:
        return check  # an empty file: a quiet day
    resolved = resolve(mapping, system.name, table, check.header)
    check.missing_required = missing_required(table, resolved)
    check.absent_optional = [
        (r.role, table.column(r.role).fallback or "loaded empty")
        for r in resolved
        if r.column is None and not table.column(r.role).required
    ]
    check.unused_columns = unused_columns(check.header, resolved)
    return check


def check_system(
    system: ExportSystem,
    mapping: SourceMapping | None = None,
    landing: Path | None = None,
    values: bool = True,
) -> tuple[list[FileCheck], list[Path]]:
    """Every export file of a system's local landing folder: (checks, files no table reads)."""
    mapping = mapping or load_mapping()
    folder = (landing or settings.landing_dir()) / system.name
    files = sorted(p for p in folder.glob("*/*") if p.is_file())
    checks, read = [], set()
    for table in system.tables:
        file_name = mapping.file_name(system.name, table)
        paths = [p for p in files if is_export_file(p.name, file_name)]
        read.update(paths)
        table_checks = [check_file(mapping, system, table, path) for path in paths]
        if values:
            _check_values(mapping, system, table, table_checks)
        checks += table_checks
    return checks, [p for p in files if p not in read]


def missing_roles_message(checks: list[FileCheck], mapping_path: Path) -> str | None:
    """One message naming every file that can't be loaded and every role it lacks."""
    blocking = [c for c in checks if c.blocks_loading]
    if not blocking:
        return None
    lines = [
        f"{c.path}: {c.error}"
        if c.error
        else missing_columns_problem(c.path, c.table, c.missing_required)
        for c in blocking
    ]
    return (
        f"{len(blocking)} export file(s) can't be loaded:\n  "
        + "\n  ".join(lines)
        + f"\nMap the columns in {mapping_path} (`make check-exports` prints the lines)."
    )


def _mapping_lines(checks: list[FileCheck]) -> list[str]:
    """The YAML to add to the mapping for every missing required role, grouped."""
    wanted: dict[str, dict[str, dict[str, str]]] = {}
    for check in checks:
        for role in check.missing_required:
            column = closest_column(role, check.header) or "<your column>"
            wanted.setdefault(check.system, {}).setdefault(check.table, {}).setdefault(role, column)
    if not wanted:
        return []
    lines = ["systems:"]
    for system_name, tables in wanted.items():
        lines += [f"  {system_name}:", "    tables:"]
        for table_name, roles in tables.items():
            lines += [f"      {table_name}:", "        columns:"]
            lines += [f"          {role}: {column}" for role, column in roles.items()]
    return lines


def report(checks: list[FileCheck], unknown_files: list[Path], mapping_path: Path) -> str:
    """The preflight as text, per file."""
    out = [f"Source mapping: {mapping_path}"]
    for check in checks:
        status = "CAN'T LOAD" if check.blocks_loading else "ok"
        out.append(f"\n{check.path} -> {check.system}.{check.table}: {status}")
        if check.error:
            out.append(f"  error: {check.error}")
        if check.missing_required:
            out.append(f"  missing required: {', '.join(check.missing_required)}")
        for role, fallback in check.absent_optional:
            out.append(f"  absent optional {role}: {fallback}")
        for role, (count, example) in check.unparseable.items():
            out.append(
                f"  unparseable {role}: {count} value(s), e.g. {example!r} "
                "(loaded as they came, read as empty)"
            )
        if check.unused_columns:
            out.append(
                f"  columns no role uses (loaded as they come): {', '.join(check.unused_columns)}"
            )
    for path in unknown_files:
        out.append(f"\n{path}: no table reads this file (rename it, or map it with `file:`)")
    lines = _mapping_lines(checks)
    if lines:
        out += ["", f"Add to {mapping_path}:", *lines]
    blocking = sum(c.blocks_loading for c in checks)
    out.append(
        f"\n{len(checks)} file(s) checked, {blocking} can't be loaded, "
        f"{len(unknown_files)} read by no table."
    )
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ingestion.preflight", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--landing", type=Path, default=None, help="the landing folder (default: the data dir's)"
    )
    parser.add_argument(
        "--mapping",
        type=Path,
        default=None,
        help="the source mapping (default: SHARED_FUNNEL_SOURCE_MAPPING)",
    )
    args = parser.parse_args(argv)
    mapping_path = (args.mapping or settings.source_mapping_path()).resolve()
    try:
        mapping = load_mapping(mapping_path)
    except MappingError as error:
        print(error, file=sys.stderr)
        return 2
    checks, unknown = [], []
    for system in SYSTEMS:
        system_checks, system_unknown = check_system(system, mapping, args.landing)
        checks += system_checks
        unknown += system_unknown
    print(report(checks, unknown, mapping_path))
    return 1 if any(c.blocks_loading for c in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
