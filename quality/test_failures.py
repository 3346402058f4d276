"""The failing rows of the dbt tests, read back for the checks that report them.

Every dbt test stores its failing rows (dbt's ``store_failures``, as a view in the schema
``test_failures``: transform/dbt_project.yml), so a violation a dbt test catches shows its
rows like a gate rule's: up to :data:`quality.gate.EXAMPLE_ROWS` of them in the check's
metadata (``example_rows``) and in the log, with the failing count. The view is read right
after the build, with a read-only connection, while the rows it selects are the ones
judged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from ingestion import settings

# The same number of example rows as a gate rule shows (quality.gate.EXAMPLE_ROWS).
from quality.gate import EXAMPLE_ROWS


@dataclass(frozen=True)
class TestFailures:
    """What a failed dbt test stored: its view, how many rows fail, the first of them."""

    test: str
    relation: str
    failing_rows: int
    examples: list[dict[str, Any]]

    def line(self) -> str:
        shown = "; ".join(
            ", ".join(f"{k}={v}" for k, v in row.items() if v is not None)
            for row in self.examples[:3]
        )
        return (
            f"dbt test {self.test} failed on {self.failing_rows:,} rows "
            f"({self.relation}), e.g. {shown or 'no row stored'}"
        )


def failure_relation(test_node: Mapping[str, Any]) -> str:
    """Where a test of the manifest stores its failing rows."""
    if test_node.get("relation_name"):
        return test_node["relation_name"]
    parts = (
        test_node["database"],
        test_node["schema"],
        test_node.get("alias") or test_node["name"],
    )
    return ".".join('"' + part.replace('"', '""') + '"' for part in parts)


def test_node(manifest: Mapping[str, Any], test_name: str) -> Mapping[str, Any] | None:
    """The test node of the manifest named `test_name` (a check's name)."""
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node["name"] == test_name:
            return node
    return None


def read_failures(manifest: Mapping[str, Any], test_name: str) -> TestFailures | None:
    """The failing rows a dbt test stored, or None when it stored none (a unit test, a
    test not of this project, a view that cannot be read: the count then comes from dbt)."""
    node = test_node(manifest, test_name)
    if node is None:
        return None
    relation = failure_relation(node)
    try:
        with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
            [(failing,)] = con.execute(f"select count(*) from {relation}").fetchall()
            frame = con.sql(f"select * from {relation} limit {EXAMPLE_ROWS}").df()
    except duckdb.Error:
        return None
    examples = json.loads(frame.to_json(orient="records", date_format="iso"))
    return TestFailures(test_name, relation, failing, examples)
