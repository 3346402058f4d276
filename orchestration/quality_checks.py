"""The quality gate in Dagster: a blocking asset check per rule, and the publish step.

Wiring only: the rules live in quality/, the publishing in dashboards/. A failed check
(severity error) stops everything downstream of the asset it guards, so `publish_marts`,
which depends on every guarded model and every mart, keeps the last good copy.

A definition rule whose failing records stay within its tolerance (definitions file,
`quality_tolerances`) fails at severity WARN, which does not block: its records are in
`quality.rule_exceptions`, published with the marts. Above the tolerance it fails at
ERROR and blocks like an integrity rule. `failed_checks` turns a finished run's check
evaluations into the failed rules, their counts and example record ids, for a summary.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    DagsterEventType,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model

from dashboards.publish import publish_marts
from ingestion import settings
from orchestration.markdown import markdown_text
from orchestration.transform_assets import transform_models
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock
from quality.rules import Rule, gate_rules, models_published_after_the_gate
from transform.definitions import load_definitions
from transform.project import model_owners


def model_key(model: str) -> AssetKey:
    return get_asset_key_for_model([transform_models], model)


def check_key(rule: Rule) -> AssetCheckKey:
    return AssetCheckKey(model_key(rule.model), rule.name)


def quality_checks() -> list[AssetChecksDefinition]:
    """One blocking check per rule, on the model it guards, run together in one step (one
    Great Expectations context, one lock) so the gate costs seconds, not a step per rule."""
    rules = gate_rules()

    @multi_asset_check(
        name="quality_gate",
        specs=[
            AssetCheckSpec(
                name=rule.name,
                asset=model_key(rule.model),
                description=markdown_text(rule.description),
                blocking=True,
            )
            for rule in rules
        ],
        can_subset=True,
        pool=WAREHOUSE_POOL,  # a read-only connection still needs the writer gone
    )
    def _gate(context: AssetCheckExecutionContext):
        from quality import gate  # imports Great Expectations: only when checks run

        selected = [rule for rule in rules if check_key(rule) in context.selected_asset_check_keys]
        # what the dbt tests of this run caught, with their rows, beside the rules' verdicts
        for evaluation in run_check_evaluations(context):
            if not evaluation.passed and "example_rows" in (evaluation.metadata or {}):
                context.log.warning(
                    f"dbt test {evaluation.asset_key.to_user_string()}.{evaluation.check_name} "
                    f"failed ({evaluation.severity.value}) on "
                    f"{_metadata(evaluation.metadata, 'failing_rows')} rows, e.g. "
                    f"{json.dumps(_metadata(evaluation.metadata, 'example_rows')[:3], default=str)}"
                )
        definitions = load_definitions()
        with warehouse_lock(context.log):
            outcomes = gate.validate_rules(selected, definitions, log=context.log.info)
            outcomes = gate.record_exceptions(
                outcomes, context.run.run_id, definitions, log=context.log.info
            )
        for outcome in outcomes:
            if outcome.errors:
                context.log.error(
                    f"{outcome.rule.model}.{outcome.rule.name} raised: {'; '.join(outcome.errors)}"
                )
            yield _result(outcome.rule, outcome)

    return [_gate]


def _result(rule: Rule, outcome) -> AssetCheckResult:
    from quality.exceptions import EXCEPTIONS
    from quality.gate import docs_dir

    examples = json.loads(outcome.examples.to_json(orient="records", date_format="iso"))
    metadata = {
        "rule_kind": rule.kind,
        "rows_checked": outcome.rows_checked,
        "failing_rows": outcome.failing_rows,
        "failed_expectations": MetadataValue.json(outcome.failed_expectations),
        "errors": MetadataValue.json(outcome.errors),
        "example_rows": MetadataValue.json(examples),
        "example_record_ids": MetadataValue.json(outcome.example_ids()),
        "data_docs": MetadataValue.path(str(outcome.docs_page or docs_dir())),
    }
    if rule.is_definition:
        metadata |= {
            "exceptions": outcome.failing_rows,
            "tolerance": outcome.tolerance,
            "allowed_exceptions": outcome.allowed_failures,
            "exceptions_table": EXCEPTIONS,
        }

    return AssetCheckResult(
        asset_key=model_key(rule.model),
        check_name=rule.name,
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR if outcome.blocks else AssetCheckSeverity.WARN,
        description=outcome.description(),
        metadata=metadata,
    )


@dataclass(frozen=True)
class FailedCheck:
    """One failed check of a run, as a summary prints it."""

    asset: str  # the guarded asset, e.g. "int_lifecycle_stages_entered"
    check: str  # the rule (or dbt test) name
    severity: str  # "ERROR" blocked publishing; "WARN" did not (within tolerance)
    failing_rows: int | None  # failing records; None when the check does not say
    example_ids: tuple[str, ...]  # up to `examples` record ids, source ids first
    tolerance: str | None  # definition rules: the tolerance of the definitions file
    description: str

    def line(self) -> str:
        count = "" if self.failing_rows is None else f": {self.failing_rows:,} failing"
        tolerance = f" (tolerance {self.tolerance})" if self.tolerance else ""
        examples = f"; e.g. {' | '.join(self.example_ids)}" if self.example_ids else ""
        return f"{self.severity} {self.asset}.{self.check}{count}{tolerance}{examples}"


def check_evaluations(result) -> list:
    """The AssetCheckEvaluation of every check of a finished run (an
    ExecuteInProcessResult, or anything with `all_events`)."""
    return [
        event.event_specific_data
        for event in result.all_events
        if event.event_type_value == "ASSET_CHECK_EVALUATION"
    ]


def run_check_evaluations(context) -> list:
    """The AssetCheckEvaluation of every check this run has evaluated so far."""
    records = context.instance.get_records_for_run(
        context.run.run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION, limit=100_000
    ).records
    return [record.event_log_entry.dagster_event.event_specific_data for record in records]


def failed_checks(
    evaluations: Iterable, include_warnings: bool = False, examples: int = 3
) -> list[FailedCheck]:
    """The failed checks among a run's evaluations, blocking (ERROR) ones first: each with
    its failing count and up to `examples` example record ids (HubSpot / Salesforce ids and
    e-mail for a definition rule's exceptions, the record key for an integrity rule).
    Checks that failed at WARN (definition rules within their tolerance) only when
    `include_warnings`."""
    failed = []
    for evaluation in evaluations:
        severity = evaluation.severity.value
        if evaluation.passed or (severity != "ERROR" and not include_warnings):
            continue
        metadata = evaluation.metadata or {}
        count = _metadata(metadata, "failing_rows")
        if count is None:
            count = _metadata(metadata, "dagster_dbt/failed_row_count")  # a dbt test
        failed.append(
            FailedCheck(
                asset=evaluation.asset_key.to_user_string(),
                check=evaluation.check_name,
                severity=severity,
                failing_rows=count,
                example_ids=tuple(_metadata(metadata, "example_record_ids") or [])[:examples],
                tolerance=_metadata(metadata, "tolerance"),
                description=evaluation.description or "",
            )
        )
    return sorted(failed, key=lambda f: (f.severity != "ERROR", f.asset, f.check))


def _metadata(metadata, name: str):
    entry = metadata.get(name)
    return getattr(entry, "value", entry)


@asset(
    key=AssetKey(["publish", "shared_funnel_marts"]),
    deps=[model_key(model) for model in models_published_after_the_gate()],
    group_name="publish",
    owners=model_owners(),
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="The marts and the definitions as analysts and dashboards read them: a copy "
    "of the warehouse's marts schema, replaced in one rename only after every blocking "
    "quality check passed.",
)
def published_marts(context: AssetExecutionContext) -> MaterializeResult:
    # A blocking gate rule that failed skips this step; a dbt test does not (the gate must
    # still run its rules), so any check of this run that failed at ERROR refuses here.
    blocked = failed_checks(run_check_evaluations(context))
    if blocked:
        raise Failure(
            f"Not published: {len(blocked)} check(s) failed at severity ERROR: "
            + "; ".join(check.line() for check in blocked)
        )
    with warehouse_lock(context.log):
        rows = publish_marts()
    path = settings.published_warehouse_path()
    context.log.info(f"Published {len(rows)} tables to {path}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(path)),
            "tables": MetadataValue.json(rows),
            "dagster/row_count": sum(rows.values()),
        }
    )
