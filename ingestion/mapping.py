"""The source mapping: which column of a company's export files plays each contract role.

Written once per company, in one YAML file (the setting
:func:`ingestion.settings.source_mapping_path`, default ``ingestion/source_mapping.yml``,
which reads the vendors' standard exports and the demo generator's files). Per system it
declares the time zone of timestamps written without one; per table, optionally, another
file name, and per role (:mod:`ingestion.exports`) one of:

- a column name, matched case-insensitively (Salesforce API names are case-insensitive);
- a list of candidate names: the first the file has plays the role;
- ``{constant: value}``: the same value in every row (e.g. what a GA4 ``user_id`` is);
- ``null``: absent; the role's documented fallback applies (required roles can't be absent).

A role the mapping does not list is looked up under its own name and the vendor's other
spellings the contract knows (HubSpot legacy ``vid``, the Email Events API's ``id``, UI
export labels, ...), so a mapping holds only what is the company's own. The file is validated
when it is read: an unknown system, table or role, a bad time zone or a required role
mapped to ``null`` fails with its path, before anything is loaded.
"""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from types import EllipsisType

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ingestion import settings
from ingestion.exports import SYSTEMS, Column, ExportTable


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Constant(_Strict):
    constant: str | int | float | bool | None


RoleSource = str | list[str] | Constant | None
NOT_LISTED = ...  # a role the mapping does not list: read by the contract's names


class TableMapping(_Strict):
    file: str | None = None  # a file name (glob) inside each day folder, if not the contract's
    columns: dict[str, RoleSource] = {}

    @field_validator("columns")
    @classmethod
    def _candidates_not_empty(cls, columns: dict[str, RoleSource]) -> dict[str, RoleSource]:
        empty = [role for role, source in columns.items() if source == [] or source == ""]
        if empty:
            raise ValueError(f"no column named for {', '.join(empty)} (use null for absent)")
        return columns


class SystemMapping(_Strict):
    time_zone: str = "UTC"  # the zone of timestamps this system writes without one
    tables: dict[str, TableMapping] = {}

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {zone!r}") from error
        return zone


class SourceMapping(_Strict):
    """The whole mapping file."""

    version: str | int
    systems: dict[str, SystemMapping] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _roles_exist(self):
        known = {s.name: s for s in SYSTEMS}
        for system_name, mapping in self.systems.items():
            if system_name not in known:
                raise ValueError(f"unknown system {system_name!r} (one of {', '.join(known)})")
            tables = {t.name: t for t in known[system_name].tables}
            for table_name, table_mapping in mapping.tables.items():
                if table_name not in tables:
                    raise ValueError(
                        f"{system_name}: unknown table {table_name!r} (one of {', '.join(tables)})"
                    )
                table = tables[table_name]
                for role, source in table_mapping.columns.items():
                    where = f"{system_name}.{table_name}.{role}"
                    if role not in table.column_names:
                        close = difflib.get_close_matches(role, table.column_names, 1)
                        hint = f" (did you mean {close[0]}?)" if close else ""
                        raise ValueError(f"{where}: not a role of the contract{hint}")
                    if source is None and table.column(role).required:
                        raise ValueError(f"{where}: a required role can't be absent")
        return self

    def system(self, name: str) -> SystemMapping:
        return self.systems.get(name) or SystemMapping()

    def table(self, system_name: str, table_name: str) -> TableMapping:
        return self.system(system_name).tables.get(table_name) or TableMapping()

    def file_name(self, system_name: str, table: ExportTable) -> str:
        return self.table(system_name, table.name).file or table.file_name


class MappingError(ValueError):
    """The mapping file is missing or breaks its shape."""


@functools.cache
def _load(path: Path, modified: float) -> SourceMapping:
    try:
        return SourceMapping.model_validate(yaml.safe_load(path.read_text()) or {})
    except FileNotFoundError as error:
        raise MappingError(f"{path}: no source mapping file") from error
    except ValueError as error:  # pydantic's ValidationError and YAML errors
        raise MappingError(f"{path}: {error}") from error


def load_mapping(path: Path | None = None) -> SourceMapping:
    """Read and validate the mapping file (default: the configured one), once per version."""
    path = (path or settings.source_mapping_path()).resolve()
    try:
        modified = path.stat().st_mtime
    except FileNotFoundError as error:
        raise MappingError(f"{path}: no source mapping file") from error
    return _load(path, modified)


@dataclass(frozen=True)
class Resolved:
    """Where one role's values come from in one file."""

    role: str
    column: str | None = None  # the file's own column name
    constant: str | None = None  # a constant from the mapping, or the role's default
    is_mapped_absent: bool = False  # the mapping says null

    @property
    def is_missing(self) -> bool:
        return self.column is None and self.constant is None


def _candidates(column: Column, source: RoleSource | EllipsisType) -> tuple[str, ...]:
    """The column names that may play the role: the mapping's, else (not listed) the role's
    own name and spellings."""
    if isinstance(source, str):
        return (source,)
    if isinstance(source, list):
        return tuple(source)
    return column.candidates


def _as_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve(
    mapping: SourceMapping, system_name: str, table: ExportTable, header: tuple[str, ...]
) -> list[Resolved]:
    """Each role of `table` resolved against a file's `header`, in the contract's order."""
    by_lower: dict[str, str] = {}
    for name in header:
        by_lower.setdefault(name.strip().lower(), name)
    columns = mapping.table(system_name, table.name).columns
    resolved = []
    for column in table.columns:
        source = columns.get(column.name, NOT_LISTED)
        if isinstance(source, Constant):
            resolved.append(Resolved(column.name, constant=_as_text(source.constant)))
            continue
        if source is None:
            resolved.append(Resolved(column.name, constant=column.default, is_mapped_absent=True))
            continue
        found = next(
            (by_lower[c.lower()] for c in _candidates(column, source) if c.lower() in by_lower),
            None,
        )
        resolved.append(
            Resolved(column.name, column=found, constant=None if found else column.default)
        )
    return resolved


def missing_required(table: ExportTable, resolved: list[Resolved]) -> list[str]:
    """Required roles no column of the file plays."""
    return [r.role for r in resolved if r.is_missing and table.column(r.role).required]


def closest_column(role: str, header: tuple[str, ...]) -> str | None:
    """The file's column most like a role's name (one containing it, else the closest
    spelling): what a mapping line would likely name."""
    containing = [h for h in header if role.lower() in h.lower()]
    if containing:
        return min(containing, key=len)
    close = difflib.get_close_matches(role.lower(), [h.lower() for h in header], 1, 0.6)
    return next((h for h in header if close and h.lower() == close[0]), None)


def missing_columns_problem(path, table_name: str, missing: list[str]) -> str:
    """How a file that lacks required roles is named, by the loads and the preflight."""
    return f"{path}: missing required column(s) {', '.join(missing)} for table '{table_name}'"


def unused_columns(header: tuple[str, ...], resolved: list[Resolved]) -> list[str]:
    """Columns of the file no role uses: loaded as they come."""
    used = {r.column for r in resolved if r.column}
    roles = {r.role.lower() for r in resolved}
    return [h for h in header if h not in used and h.strip().lower() not in roles]
