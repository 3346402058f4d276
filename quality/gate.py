"""Validate quality rules with Great Expectations and render its Data Docs.

The rows of a rule are read with a read-only DuckDB connection into pandas and validated
with GE's pandas datasource (its SQL datasource does not work against DuckDB, see
shared/stack-notes.md). An expectation that raised an exception fails the rule: a crash is
never a pass. Every validation is written to the Data Docs site in
``<outputs>/quality_docs``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

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
def _context(docs: Path):
    """One ephemeral GE context per Data Docs folder (per data dir) in this process."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(site_name="quality", site_config={
        "class_name": "SiteBuilder",
        "store_backend": {"class_name": "TupleFilesystemStoreBackend",
                          "base_directory": str(docs)},
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    })
    context.data_sources.add_pandas("warehouse")
    return context


def read_rows(query: str) -> pd.DataFrame:
    """The rows a rule judges, read with a read-only connection (never holds the lock)."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        return con.sql(query).df()


def validate_rules(rules: list[Rule], definitions: LeadDefinitions | None = None,
                   log: Callable[[str], None] = lambda _: None) -> list[RuleOutcome]:
    """Validate every rule, then write all their results to the Data Docs at once.

    A rule whose rows cannot be read or whose suite cannot run fails with its error; the
    other rules still run. Each result is stored by its validation definition and the site
    is rendered once at the end (a checkpoint per rule re-rendered the whole site every
    time: half a second per rule, whatever the size of its rows).
    """
    definitions = definitions or load_definitions()
    outcomes, run_ids = [], {}
    for rule in rules:
        started = time.perf_counter()
        try:
            outcome, run_ids[rule] = _validate(rule, definitions)
        except Exception as error:  # a rule that cannot run has failed
            outcome = RuleOutcome(rule=rule, rows_checked=0,
                                  errors=[f"{type(error).__name__}: {error}"])
        log(f"{rule.model}.{rule.name}: {'passed' if outcome.passed else 'FAILED'} on "
            f"{outcome.rows_checked:,} rows in {time.perf_counter() - started:.2f} s")
        outcomes.append(outcome)
    try:
        _context(docs_dir()).build_data_docs(site_names=["quality"])
    except Exception as error:  # the verdicts stand without their pages
        log(f"Data Docs could not be rendered: {type(error).__name__}: {error}")
    return [replace(outcome, docs_page=_docs_page(outcome.rule, run_ids[outcome.rule]))
            if outcome.rule in run_ids else outcome for outcome in outcomes]


def _validate(rule: Rule, definitions: LeadDefinitions) -> tuple[RuleOutcome, Any]:
    import great_expectations as gx

    rows = read_rows(rule.query)
    context = _context(docs_dir())
    name = f"{rule.model}.{rule.name}"
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
    result = validation.run(batch_parameters={"dataframe": rows},
                            result_format={"result_format": "COMPLETE"})
    return _outcome(rule, rows, result), result.meta["run_id"]


def _docs_page(rule: Rule, run_id) -> Path | None:
    """This validation's page, if it was rendered: GE files a suite named <model>.<rule>
    under validations/<model>/<rule>/<run name>/<run time>/."""
    run_name, run_time = run_id.to_tuple()
    return next(docs_dir().glob(f"validations/{rule.model}/{rule.name}/{run_name}/{run_time}/"
                                "*.html"), None)


def _outcome(rule: Rule, rows: pd.DataFrame, result) -> RuleOutcome:
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
                       errors=errors, failing_rows=len(failing_index), examples=examples)


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
