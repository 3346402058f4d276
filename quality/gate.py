"""Validate quality rules with Great Expectations and render its Data Docs.

The rows of a rule are read with a read-only DuckDB connection into pandas and validated
with GE's pandas datasource (its SQL datasource does not work against DuckDB, see
shared/stack-notes.md). An expectation that raised an exception fails the rule: a crash is
never a pass. Every validation is written to the Data Docs site in
``<outputs>/quality_docs``; the results and suites are kept in ``<outputs>/quality_results``
(the latest ``KEPT_VALIDATIONS`` of each rule), so a run that validates some rules (one
mart materialized from the UI) still renders every rule's page, and the index lists them
as plain HTML too, which opens offline.

An integrity rule blocks on one failing row. A definition rule names each failing record
(``RuleOutcome.exceptions``) and blocks only above its tolerance in the definitions file
(``quality_tolerances``, default 0); :func:`record_exceptions` writes those records, with
their source ids, to the warehouse's ``quality`` schema (quality/exceptions.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ingestion import settings
from quality import exceptions as exception_table
from quality.rules import Rule, gate_rules, tolerance_problems
from transform.definitions import LeadDefinitions, load_definitions

EXAMPLE_ROWS = 10
NO_TOLERANCE = "0 (default)"
FLAGGED_ONLY = "any (flagged, never blocks)"


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
    # Definition rules: each failing record (quality.exceptions.FAILING_COLUMNS, and the
    # source ids once recorded), the tolerance as the definitions file sets it, and the
    # most failing records it allows on these rows.
    exceptions: pd.DataFrame = field(default_factory=pd.DataFrame)
    tolerance: str | None = None
    allowed_failures: int = 0

    @property
    def passed(self) -> bool:
        """Nothing failed: no failing row, nothing raised."""
        return not self.failed_expectations and not self.errors

    @property
    def within_tolerance(self) -> bool:
        """A definition rule with failing records, no more than its tolerance allows."""
        return (
            self.rule.is_definition
            and not self.passed
            and not self.errors
            and (self.failing_rows <= self.allowed_failures or not self.rule.blocks_publishing)
        )

    @property
    def blocks(self) -> bool:
        """Whether this outcome stops publishing."""
        return not self.passed and not self.within_tolerance

    @property
    def status(self) -> str:
        if self.passed:
            return "passed"
        if self.errors:
            return "error"
        if self.within_tolerance and not self.rule.blocks_publishing:
            return "flagged"
        return (
            "within tolerance"
            if self.within_tolerance
            else ("above tolerance" if self.rule.is_definition else "failed")
        )

    def description(self) -> str:
        """The verdict in a sentence: the rule when it passed, else what failed; for a
        definition rule, its exceptions against its tolerance and where they are listed."""
        if self.passed:
            return self.rule.description
        problems = "; ".join(self.errors + self.failed_expectations)
        if not self.rule.is_definition:
            return problems
        if not self.rule.blocks_publishing and not self.errors:
            return (
                f"{self.failing_rows:,} of {self.rows_checked:,} rows flagged (never blocks); "
                f"listed in {exception_table.EXCEPTIONS}: {problems}"
            )
        verdict = "within" if self.within_tolerance else "above"
        return (
            f"{self.failing_rows:,} exceptions of {self.rows_checked:,} rows, {verdict} the "
            f"tolerance; listed in {exception_table.EXCEPTIONS} (tolerance {self.tolerance}, "
            f"{self.allowed_failures:,} allowed): {problems}"
        )

    def example_ids(self, limit: int = EXAMPLE_ROWS) -> list[str]:
        """The failing records, as their owners find them: source ids for a definition
        rule's exceptions, the rule's record key for an integrity rule."""
        if self.rule.is_definition and len(self.exceptions):
            return [
                exception_table.record_label(row)
                for row in self.exceptions.head(limit).to_dict("records")
            ]
        key = [c for c in self.rule.record_key if c in self.examples.columns]
        if not key:
            return []
        return [
            ", ".join(f"{c}={exception_table.text(row[c])}" for c in key)
            for row in self.examples.head(limit).to_dict("records")
        ]


KEPT_VALIDATIONS = 10  # per rule: the Data Docs of its latest validations stay linked


def docs_dir() -> Path:
    return settings.outputs_dir() / "quality_docs"


def results_dir() -> Path:
    """Where every kept validation result and expectation suite is stored between runs,
    so a run that validates some rules renders the pages of all of them."""
    return settings.outputs_dir() / "quality_results"


@functools.cache
def _context(docs: Path, results: Path):
    """One ephemeral GE context per Data Docs folder (per data dir) in this process, its
    expectation suites and validation results stored on disk beside the Data Docs: GE
    renders the site from its stores and removes every page whose result it no longer
    holds, so with results kept in memory a run of one mart's checks would leave only
    that mart's pages."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(store_backend_defaults=InMemoryStoreBackendDefaults())
    assert config.stores is not None and config.validation_results_store_name
    for store, name in (
        ("ValidationResultsStore", config.validation_results_store_name),
        ("ExpectationsStore", config.expectations_store_name),
    ):
        config.stores[name] = {
            "class_name": store,
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(results / store),
            },
        }
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.add_data_docs_site(
        site_name="quality",
        site_config={
            "class_name": "SiteBuilder",
            "store_backend": {
                "class_name": "TupleFilesystemStoreBackend",
                "base_directory": str(docs),
            },
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        },
    )
    context.data_sources.add_pandas("warehouse")
    return context


def read_rows(query: str) -> pd.DataFrame:
    """The rows a rule judges, read with a read-only connection (never holds the lock)."""
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        return con.sql(query).df()


def validate_rules(
    rules: list[Rule],
    definitions: LeadDefinitions | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> list[RuleOutcome]:
    """Validate every rule, then write all their results to the Data Docs at once.

    A rule whose rows cannot be read or whose suite cannot run fails with its error; the
    other rules still run. Each result is stored by its validation definition and the site
    is rendered once at the end (a checkpoint per rule re-rendered the whole site every
    time: half a second per rule, whatever the size of its rows).
    """
    definitions = definitions or load_definitions()
    misnamed = tolerance_problems(definitions)  # a typo must not loosen or tighten a rule
    outcomes, run_ids = [], {}
    for rule in rules:
        started = time.perf_counter()
        try:
            outcome, run_ids[rule] = _validate(rule, definitions)
        except Exception as error:  # a rule that cannot run has failed
            outcome = RuleOutcome(
                rule=rule, rows_checked=0, errors=[f"{type(error).__name__}: {error}"]
            )
        if rule.is_definition:
            outcome = _with_tolerance(outcome, definitions, misnamed)
        verdict = outcome.status.upper() if outcome.blocks else outcome.status
        failing = f"{outcome.failing_rows:,} failing of " if outcome.failing_rows else ""
        log(
            f"{rule.model}.{rule.name}: {verdict}, {failing}{outcome.rows_checked:,} rows "
            "checked"
            + (f" (tolerance {outcome.tolerance})" if rule.is_definition and failing else "")
            + f" in {time.perf_counter() - started:.2f} s"
        )
        outcomes.append(outcome)
    try:
        context = _context(docs_dir(), results_dir())
        _forget_old_validations(context)
        context.build_data_docs(site_names=["quality"])
        _list_validations_offline(context)
    except Exception as error:  # the verdicts stand without their pages
        log(f"Data Docs could not be rendered: {type(error).__name__}: {error}")
    return [
        replace(outcome, docs_page=_docs_page(outcome.rule, run_ids[outcome.rule]))
        if outcome.rule in run_ids
        else outcome
        for outcome in outcomes
    ]


def _forget_old_validations(context, keep: int = KEPT_VALIDATIONS) -> None:
    """Keep the latest `keep` results of each rule; GE then removes the older pages."""
    store = context.validation_results_store
    by_rule: dict[str, list] = {}
    for key in store.list_keys():
        by_rule.setdefault(key.expectation_suite_identifier.name, []).append(key)
    for keys in by_rule.values():
        for key in sorted(keys, key=lambda k: k.run_id.run_time, reverse=True)[keep:]:
            store.remove_key(key)


def _list_validations_offline(context) -> None:
    """Write the list of validations into the index as plain HTML. GE's index fills its
    table from scripts on CDNs, so offline it lists nothing; the plain list is hidden
    when that table did render."""
    import html

    store = context.validation_results_store
    rows = []
    for key in sorted(
        store.list_keys(), key=lambda k: (-k.run_id.run_time.timestamp(), k.to_tuple())
    ):
        page = "validations/" + "/".join(key.to_tuple()) + ".html"
        if not (docs_dir() / page).is_file():
            continue
        result = store.get(key)
        rule = html.escape(key.expectation_suite_identifier.name)
        rows.append(
            f'<tr><td><a href="{html.escape(page)}">{rule}</a>'
            f"</td><td>{key.run_id.run_time.isoformat(timespec='seconds')}</td>"
            f"<td>{'passed' if result.success else 'failed'}</td></tr>"
        )
    listing = (
        '<section id="shared-funnel-validations" style="margin:2em">'
        "<h3>Validations</h3><table><tr><th>rule</th><th>validated at (UTC)</th>"
        f"<th>result</th></tr>{''.join(rows)}</table></section>"
        "<script>if (window.jQuery && jQuery.fn.bootstrapTable) "
        "document.getElementById('shared-funnel-validations').hidden = true;</script>"
    )
    index = docs_dir() / "index.html"
    page = index.read_text()
    index.write_text(page.replace("</body>", listing + "</body>", 1))


def _with_tolerance(
    outcome: RuleOutcome, definitions: LeadDefinitions, misnamed: list[str]
) -> RuleOutcome:
    tolerance = definitions.quality_tolerances.get(outcome.rule.name)
    if not outcome.rule.blocks_publishing:
        return replace(outcome, tolerance=FLAGGED_ONLY)
    return replace(
        outcome,
        errors=outcome.errors + [f"definitions file: {p}" for p in misnamed],
        tolerance=tolerance.describe() if tolerance else NO_TOLERANCE,
        allowed_failures=tolerance.allowed(outcome.rows_checked) if tolerance else 0,
    )


def record_exceptions(
    outcomes: list[RuleOutcome],
    run_id: str | None = None,
    definitions: LeadDefinitions | None = None,
    checked_at: dt.datetime | None = None,
    log: Callable[[str], None] = lambda _: None,
) -> list[RuleOutcome]:
    """Write the definition rules' exceptions to the warehouse (the caller holds the
    writer's lock); the outcomes with each exception's source ids.

    Exceptions that cannot be written cannot be shown to anyone, so a rule that would have
    published them within its tolerance blocks instead, with the reason.
    """
    definitions = definitions or load_definitions()
    known = [(rule.model, rule.name) for rule in gate_rules() if rule.is_definition]
    try:
        stored = exception_table.record(
            outcomes, known, checked_at or dt.datetime.now(dt.UTC), run_id, definitions.version
        )
    except Exception as error:
        message = (
            f"exceptions not recorded in {exception_table.EXCEPTIONS}: "
            f"{type(error).__name__}: {error}"
        )
        log(message)
        return [
            replace(o, errors=[*o.errors, message]) if o.within_tolerance else o for o in outcomes
        ]
    recorded = sum(len(frame) for frame in stored.values())
    log(
        f"Recorded {recorded:,} exceptions of {sum(o.rule.is_definition for o in outcomes)} "
        f"definition rules in {exception_table.EXCEPTIONS}"
    )
    return [
        replace(o, exceptions=stored.get((o.rule.model, o.rule.name), o.exceptions.head(0)))
        if o.rule.is_definition
        else o
        for o in outcomes
    ]


def _validate(rule: Rule, definitions: LeadDefinitions) -> tuple[RuleOutcome, Any]:
    import great_expectations as gx

    rows = read_rows(rule.query())
    context = _context(docs_dir(), results_dir())
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
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=name,
            expectations=rule.expectations(definitions),
            meta={"description": rule.description, "definitions_version": definitions.version},
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    result = validation.run(
        batch_parameters={"dataframe": rows}, result_format={"result_format": "COMPLETE"}
    )
    return _outcome(rule, rows, result), result.meta["run_id"]


def _docs_page(rule: Rule, run_id) -> Path | None:
    """This validation's page, if it was rendered: GE files a suite named <model>.<rule>
    under validations/<model>/<rule>/<run name>/<run time>/."""
    run_name, run_time = run_id.to_tuple()
    return next(
        docs_dir().glob(f"validations/{rule.model}/{rule.name}/{run_name}/{run_time}/*.html"), None
    )


def _outcome(rule: Rule, rows: pd.DataFrame, result) -> RuleOutcome:
    failed: list[str] = []
    errors: list[str] = []
    flagged: dict[Any, list[tuple[str, list[str]]]] = {}  # row index -> [(what, columns)]
    for expectation in result.results:
        config = expectation.expectation_config
        label = _label(config)
        raised = [
            info.get("exception_message")
            for info in _exception_infos(expectation)
            if info.get("raised_exception")
        ]
        if raised:
            errors.append(f"{label}: {raised[0]}")
        elif not expectation.success:
            failed.append(f"{label}: {expectation.result.get('unexpected_count', '?')} rows")
            indexes = expectation.result.get("unexpected_index_list") or []
            if rule.is_definition and not indexes:  # no record to list: cannot tolerate
                errors.append(f"{label}: failed without naming its rows")
            for index in indexes:
                flagged.setdefault(index, []).append(
                    (getattr(config, "description", None) or label, _columns(config))
                )
    failing_index = sorted(flagged)
    examples = rows.loc[failing_index[:EXAMPLE_ROWS]] if failing_index else rows.head(0)
    exceptions = _exceptions(rule, rows, flagged) if rule.is_definition else pd.DataFrame()
    return RuleOutcome(
        rule=rule,
        rows_checked=len(rows),
        failed_expectations=failed,
        errors=errors,
        failing_rows=len(failing_index),
        examples=examples,
        exceptions=exceptions,
    )


def _exceptions(rule: Rule, rows: pd.DataFrame, flagged: dict) -> pd.DataFrame:
    """One row per failing record of a definition rule: which record, what is wrong.

    Records failing the same expectations share their problem and detail columns, so the
    rows are built a group of records at a time, column by column."""
    records, text = rule.records, exception_table.text
    assert records, f"{rule.name} is a definition rule: it names its records"
    alike: dict[tuple, list] = {}  # (what failed, its columns) of each record -> records
    for index, failures in flagged.items():
        signature = tuple(dict.fromkeys((what, tuple(columns)) for what, columns in failures))
        alike.setdefault(signature, []).append(index)
    parts = []
    for signature, indexes in alike.items():
        judged = rows.loc[sorted(indexes)]
        named = [*records.details, *(c for _, columns in signature for c in columns)]
        details = [c for c in dict.fromkeys(named) if c in rows.columns]
        cell = {
            c: f"{c}=" + judged[c].astype(object).map(text).fillna("None").astype(str)
            for c in details
        }
        parts.append(
            pd.DataFrame(
                {
                    "record_kind": records.kind,
                    "record_id": judged[records.id_column].astype(object).map(text),
                    "person_kind": records.person[0],
                    "person_ref": judged[records.person[1]].astype(object).map(text),
                    "email": judged[records.email_column].astype(object).map(text)
                    if records.email_column
                    else None,
                    "problem": "; ".join(dict.fromkeys(what for what, _ in signature)),
                    "detail": functools.reduce(lambda a, b: a + ", " + b, cell.values())
                    if cell
                    else "",
                },
                index=judged.index,
            )
        )
    columns = list(exception_table.FAILING_COLUMNS)
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts).sort_index()[columns].reset_index(drop=True).astype(object)


def _columns(config) -> list[str]:
    kwargs = config.kwargs
    named = [
        kwargs.get("column"),
        kwargs.get("column_A"),
        kwargs.get("column_B"),
        *(kwargs.get("column_list") or []),
    ]
    return [c for c in named if c]


def _exception_infos(expectation) -> list[dict]:
    info = expectation.exception_info or {}
    if "raised_exception" in info:  # one expectation-level record
        return [info]
    return [value for value in info.values() if isinstance(value, dict)]  # per metric


def _label(config) -> str:
    kwargs = config.kwargs
    target = (
        kwargs.get("column")
        or kwargs.get("column_list")
        or (f"{kwargs.get('column_A')} vs {kwargs.get('column_B')}")
    )
    condition = kwargs.get("row_condition")
    if isinstance(condition, dict):  # GE 1.24 keeps the pandas condition in a wrapper
        condition = condition.get("pass_through_filter")
    condition = f" where {condition}" if condition else ""
    return f"{config.type}({target}){condition}"
