"""Data status: what the quality checks of the run said, as plain data for the renderer.

How fresh each source is comes from the published marts (`marts.source_freshness`, built
by dbt from the sources' own freshness settings), not from here: the dashboards read
nothing but the published copy and this run's check results, which the Dagster asset
hands over.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
    checks: tuple[CheckResult, ...] = ()
