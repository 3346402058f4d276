"""The quality gate in Dagster: a blocking asset check per rule, and the publish step.

Wiring only: the rules live in quality/, the publishing in dashboards/. A failed check
(severity error) stops everything downstream of the asset it guards, so `publish_marts`,
which depends on every guarded model and every mart, keeps the last good copy.
"""

import json

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    multi_asset_check,
)
from dagster_dbt import get_asset_key_for_model

from dashboards.publish import publish_marts
from ingestion import settings
from orchestration.dbt_project import manifest
from orchestration.transform_assets import transform_models
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock
from quality.rules import RULES, Rule, mart_rules

OWNERS = ["team:data-platform"]


def gate_rules() -> list[Rule]:
    return [*RULES, *mart_rules(manifest())]


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
        specs=[AssetCheckSpec(name=rule.name, asset=model_key(rule.model),
                              description=rule.description, blocking=True)
               for rule in rules],
        can_subset=True,
        pool=WAREHOUSE_POOL,  # a read-only connection still needs the writer gone
    )
    def _gate(context: AssetCheckExecutionContext):
        from quality import gate  # imports Great Expectations: only when checks run

        selected = [rule for rule in rules if check_key(rule) in context.selected_asset_check_keys]
        with warehouse_lock(context.log):
            outcomes = gate.validate_rules(selected, log=context.log.info)
        for outcome in outcomes:
            if outcome.errors:
                context.log.error(f"{outcome.rule.model}.{outcome.rule.name} raised: "
                                  f"{'; '.join(outcome.errors)}")
            yield _result(outcome.rule, outcome)

    return [_gate]


def _result(rule: Rule, outcome) -> AssetCheckResult:
    from quality.gate import docs_dir

    examples = json.loads(outcome.examples.to_json(orient="records", date_format="iso"))
    problems = outcome.errors + outcome.failed_expectations
    return AssetCheckResult(
        asset_key=model_key(rule.model),
        check_name=rule.name,
        passed=outcome.passed,
        severity=AssetCheckSeverity.ERROR,
        description=rule.description if outcome.passed else "; ".join(problems),
        metadata={
            "rows_checked": outcome.rows_checked,
            "failing_rows": outcome.failing_rows,
            "failed_expectations": MetadataValue.json(outcome.failed_expectations),
            "errors": MetadataValue.json(outcome.errors),
            "example_rows": MetadataValue.json(examples),
            "data_docs": MetadataValue.path(str(outcome.docs_page or docs_dir())),
        },
    )


def _published_deps() -> list[AssetKey]:
    marts = [node["name"] for node in _manifest_models() if node["fqn"][1] == "marts"]
    guarded = {rule.model for rule in gate_rules()}
    return [model_key(model) for model in sorted(guarded | set(marts))]


def _manifest_models() -> list[dict]:
    return [n for n in manifest()["nodes"].values() if n["resource_type"] == "model"]


@asset(
    key=AssetKey(["publish", "shared_funnel_marts"]),
    deps=_published_deps(),
    group_name="publish",
    owners=OWNERS,
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description="The marts and the definitions as analysts and dashboards read them: a copy "
    "of the warehouse's marts schema, replaced in one rename only after every blocking "
    "quality check passed.",
)
def published_marts(context: AssetExecutionContext) -> MaterializeResult:
    with warehouse_lock(context.log):
        rows = publish_marts()
    path = settings.published_warehouse_path()
    context.log.info(f"Published {len(rows)} tables to {path}")
    return MaterializeResult(metadata={
        "path": MetadataValue.path(str(path)),
        "tables": MetadataValue.json(rows),
        "dagster/row_count": sum(rows.values()),
    })
