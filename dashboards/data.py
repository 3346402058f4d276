"""The one door to the published marts: a read-only connection every page queries through.

The dashboards read only the published copy (`settings.published_warehouse_path()`,
schemas `marts`, `definitions` and `quality`), which is replaced only after every blocking
quality check passed, so a page never shows numbers the gate has not seen. Each page
module owns its queries (dashboards/pages/<page>.py). Rates are computed in dbt, by the
reporting marts (transform/models/marts/reporting/: sums of numerators over sums of
denominators, never averages of rates), so the pages select them.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd

from dashboards.formatting import plain


class PublishedMarts:
    """A read-only connection to the published marts; `frame` runs one query."""

    def __init__(self, path: Path):
        if not path.exists():
            raise FileNotFoundError(f"{path}: no published marts yet (the gate has never passed)")
        self.path = path
        self.connection = duckdb.connect(str(path), read_only=True)

    def __enter__(self) -> PublishedMarts:
        return self

    def __exit__(self, *_) -> None:
        self.connection.close()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()

    def row(self, sql: str, params: list | None = None) -> dict:
        """The first row as a dict of plain values (None for SQL null); {} without a row."""
        rows = self.frame(sql, params).to_dict("records")
        return {name: plain(value) for name, value in rows[0].items()} if rows else {}

    def published_at(self) -> dt.datetime:
        """When the gate last passed: the published file was moved in place then."""
        return dt.datetime.fromtimestamp(os.stat(self.path).st_mtime, dt.UTC)

    def definitions_version(self) -> str | None:
        return self.row("select definitions_version from definitions.terms").get(
            "definitions_version"
        )

    def currency(self) -> str:
        """The amounts' currency in words (definitions.terms.currency_code, ISO 4217)."""
        from dashboards.formatting import currency_unit

        terms = self.frame("select * from definitions.terms")
        code = terms["currency_code"].iloc[0] if "currency_code" in terms and len(terms) else None
        return currency_unit(plain(code))
