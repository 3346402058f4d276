"""Data status: how fresh each source is, and what the quality checks of the run said.

A source is stale when its newest drop is older, at the run, than the freshness its dbt
source YAML declares (`warn_after`; the same setting gives the Dagster freshness policies of
the landing folders): the caller passes it in, per system.

Freshness is read from the landing folder (the newest day folder) and from the warehouse
(the newest vendor modified timestamp loaded, `_modified_at`; GA4 events carry none, so
their newest event time). These are facts about the sources, not numbers from the marts:
they are the only thing the dashboards read outside the published copy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from ingestion.exports import SYSTEMS, ExportSystem

GA4_EVENT_TIME = "to_timestamp(max(try_cast(event_timestamp as bigint)) / 1000000)"


@dataclass(frozen=True)
class SourceFreshness:
    system: str
    drops: int  # day folders in the landing folder
    latest_drop: dt.date | None
    newest_record_at: dt.datetime | None
    is_stale: bool
    stale_after: dt.timedelta  # the freshness the system's dbt source declares
    # Rows loaded but kept out of identity and sessions: GA4 consent-mode pings (no
    # user_pseudo_id). None for systems without such rows.
    kept_apart: int | None = None

    @property
    def status(self) -> str:
        if self.latest_drop is None:
            return "no data"
        return "stale" if self.is_stale else "fresh"


@dataclass(frozen=True)
class CheckResult:
    """One check's latest evaluation, as plain data for the renderer."""

    asset: str
    name: str
    kind: str  # "quality rule" (blocking, quality/rules.py) or "dbt test"
    passed: bool | None  # None: planned but not evaluated
    severity: str
    evaluated_at: dt.datetime | None
    failing_rows: int | None = None
    rows_checked: int | None = None
    description: str = ""

    @property
    def status(self) -> str:
        if self.passed is None:
            return "not run"
        if self.passed:
            return "passed"
        return "warned" if self.severity == "WARN" else "failed"


@dataclass(frozen=True)
class RunStatus:
    """Everything the data status page shows besides the published marts."""

    refreshed_at: dt.datetime
    sources: tuple[SourceFreshness, ...]
    checks: tuple[CheckResult, ...]


def latest_drop(landing: Path, system: ExportSystem) -> tuple[int, dt.date | None]:
    """How many day folders a system's landing folder holds, and the newest day."""
    days = []
    for folder in (landing / system.name).glob("*"):
        try:
            days.append(dt.date.fromisoformat(folder.name))
        except ValueError:
            continue  # not a day folder
    return len(days), max(days, default=None)


def newest_record_sql(system: ExportSystem, existing: set[str]) -> str | None:
    """The newest vendor timestamp loaded for a system, over its raw tables that exist."""
    parts = [
        f"select max(_modified_at) as newest from {system.dataset}.{table.name}"
        if table.modified_column
        else f"select {GA4_EVENT_TIME} as newest from {system.dataset}.{table.name}"
        for table in system.tables
        if f"{system.dataset}.{table.name}" in existing
    ]
    return f"select max(newest) from ({' union all '.join(parts)})" if parts else None


def newest_records(warehouse: Path) -> dict[str, dt.datetime | None]:
    if not warehouse.exists():
        return {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        existing = {
            f"{schema}.{table}"
            for schema, table in con.execute(
                "select schema_name, table_name from duckdb_tables()"
            ).fetchall()
        }
        newest = {}
        for system in SYSTEMS:
            sql = newest_record_sql(system, existing)
            newest[system.name] = con.execute(sql).fetchone()[0] if sql else None
        return newest


def consent_pings(warehouse: Path) -> int | None:
    """GA4 consent-mode pings loaded (no user_pseudo_id): counted, in no identity or session."""
    if not warehouse.exists():
        return None
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = {
            row[0]
            for row in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'raw_web_analytics' "
                "and table_name = 'events'"
            ).fetchall()
        }
        if "user_pseudo_id" not in columns:
            return None
        return con.execute(
            "select count(*) from raw_web_analytics.events where nullif(user_pseudo_id, '') is null"
        ).fetchone()[0]


def source_freshness(
    landing: Path, warehouse: Path, now: dt.datetime, stale_after: dict[str, dt.timedelta]
) -> tuple[SourceFreshness, ...]:
    """Each source system's newest drop and record, judged against its freshness."""
    newest = newest_records(warehouse)
    kept_apart = {"web_analytics": consent_pings(warehouse)}
    freshness = []
    for system in SYSTEMS:
        drops, latest = latest_drop(landing, system)
        stale = latest is None or latest < (now - stale_after[system.name]).date()
        freshness.append(
            SourceFreshness(
                system.name,
                drops,
                latest,
                newest.get(system.name),
                stale,
                stale_after[system.name],
                kept_apart.get(system.name),
            )
        )
    return tuple(freshness)
