"""Validate quality rules with Great Expectations and render its Data Docs.

The rows of a rule are read with a read-only DuckDB connection into pandas and validated
with GE's pandas datasource (its SQL datasource does not work against DuckDB, see
shared/stack-notes.md). An expectation that raised an exception fails the rule: a crash is
never a pass. Every validation is written to the Data Docs site in
``<outputs>/quality_docs``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from ingestion import settings
from quality.rules import Rule
from transform.definitions import LeadDefinitions, load_definitions

EXAMPLE_ROWS = 10


@dataclass(frozen=True)
class RuleOutcome:
    """What one rule found: which expectations failed, on how many rows, and examples."""

    rule: Rule
    rows_checked: int
    failed_expectations: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # expectations that raised
    failing_rows: int = 0
    examples: pd.DataFrame = field(default_factory=pd.DataFrame)
    docs_page: Path | None = None

    @property
    def passed(self) -> bool:
        return not self.failed_expectations and not self.errors


def docs_dir() -> Path:
    return settings.outputs_dir() / "quality_docs"


@functools.cache
def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(site_name="quality", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs_dir())},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    context.data_sources.add_pandas("warehouse")
    return context


def read_rows(query: str) -> pd.DataFrame:
    """The rows a rule judges, read with a read-only connection (never holds the lock)."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        return con.sql(query).df()


def validate(rule: Rule, definitions: LeadDefinitions | None = None) -> RuleOutcome:
    """Run one rule's expectations on its rows; write the result to the Data Docs."""
    import great_expectations as gx

    definitions = definitions or load_definitions()
    rows = read_rows(rule.query)
    context = _context()
    name = f"{rule.model}.{rule.name}"
    for existing in context.checkpoints.all():
        if existing.name == name:
            context.checkpoints.delete(name)
    for existing in context.validation_definitions.all():
        if existing.name == name:
            context.validation_definitions.delete(name)
    if name in {s.name for s in context.suites.all()}:
        context.suites.delete(name)
    source = context.data_sources.get("warehouse")
    asset = next((a for a in source.assets if a.name == rule.model), None)
    asset = asset or source.add_dataframe_asset(rule.model)
    batch = next((b for b in asset.batch_definitions if b.name == rule.name), None)
    batch = batch or asset.add_batch_definition_whole_dataframe(rule.name)
    suite = context.suites.add(gx.ExpectationSuite(
        name=name, expectations=rule.expectations(definitions),
        meta={"description": rule.description, "definitions_version": definitions.version}))
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite))
    checkpoint = context.checkpoints.add(gx.Checkpoint(
        name=name, validation_definitions=[validation],
        actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["quality"])],
        result_format={"result_format": "COMPLETE"}))
    result = next(iter(checkpoint.run(batch_parameters={"dataframe": rows}).run_results.values()))
    # GE files a suite named <model>.<rule> under validations/<model>/<rule>/<run>/.
    pages = sorted(docs_dir().glob(f"validations/{rule.model}/{rule.name}/**/*.html"),
                   key=lambda page: page.stat().st_mtime)
    return _outcome(rule, rows, result, pages[-1] if pages else None)


def _outcome(rule: Rule, rows: pd.DataFrame, result, docs_page: Path | None) -> RuleOutcome:
    failed, errors, failing_index = [], [], set()
    for expectation in result.results:
        config = expectation.expectation_config
        label = _label(config)
        raised = [info.get("exception_message") for info in _exception_infos(expectation)
                  if info.get("raised_exception")]
        if raised:
            errors.append(f"{label}: {raised[0]}")
        elif not expectation.success:
            failed.append(f"{label}: {expectation.result.get('unexpected_count', '?')} rows")
            failing_index.update(expectation.result.get("unexpected_index_list") or [])
    examples = rows.loc[sorted(failing_index)[:EXAMPLE_ROWS]] if failing_index else rows.head(0)
    return RuleOutcome(rule=rule, rows_checked=len(rows), failed_expectations=failed,
                       errors=errors, failing_rows=len(failing_index), examples=examples,
                       docs_page=docs_page)


def _exception_infos(expectation) -> list[dict]:
    info = expectation.exception_info or {}
    if "raised_exception" in info:  # one expectation-level record
        return [info]
    return [value for value in info.values() if isinstance(value, dict)]  # per metric


def _label(config) -> str:
    kwargs = config.kwargs
    target = kwargs.get("column") or kwargs.get("column_list") or (
        f'{kwargs.get("column_A")} vs {kwargs.get("column_B")}')
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):  # GE 1.24 keeps the pandas condition in a wrapper
        condition = condition.get("pass_through_filter")
    condition = f" where {condition}" if condition else ""
    return f"{config.type}({target}){condition}"
