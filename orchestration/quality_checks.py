"""The quality gate in Dagster: one blocking asset check per rule, and the publish step.

Wiring only: the rules live in quality/, the publishing in dashboards/. A failed check
(severity error) stops everything downstream of the asset it guards, so `publish_marts`,
which depends on every guarded model and every mart, keeps the last good copy.
"""

import json

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)
from dagster_dbt import get_asset_key_for_model

from dashboards.publish import publish_marts
from ingestion import settings
from orchestration.dbt_project import dbt_project
from orchestration.transform_assets import transform_models
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock
from quality.rules import RULES, Rule, mart_rules

OWNERS = ["team:data-platform"]


def gate_rules() -> list[Rule]:
    return [*RULES, *mart_rules(dbt_project.manifest_path)]


def model_key(model: str) -> AssetKey:
    return get_asset_key_for_model([transform_models], model)


def _check_for(rule: Rule) -> AssetChecksDefinition:
    @asset_check(
        asset=model_key(rule.model),
        name=rule.name,
        description=rule.description,
        blocking=True,
        pool=WAREHOUSE_POOL,  # a read-only connection still needs the writer gone
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        from quality import gate  # imports Great Expectations: only when checks run

        with warehouse_lock(context.log):
            outcome = gate.validate(rule)
        examples = json.loads(outcome.examples.to_json(orient="records", date_format="iso"))
        problems = outcome.errors + outcome.failed_expectations
        return AssetCheckResult(
            passed=outcome.passed,
            severity=AssetCheckSeverity.ERROR,
            description=rule.description if outcome.passed else "; ".join(problems),
            metadata={
                "rows_checked": outcome.rows_checked,
                "failing_rows": outcome.failing_rows,
                "failed_expectations": MetadataValue.json(outcome.failed_expectations),
                "errors": MetadataValue.json(outcome.errors),
                "example_rows": MetadataValue.json(examples),
                "data_docs": MetadataValue.path(str(outcome.docs_page or gate.docs_dir())),
            },
        )

    return _check


def quality_checks() -> list[AssetChecksDefinition]:
    return [_check_for(rule) for rule in gate_rules()]


def _published_deps() -> list[AssetKey]:
    marts = [node["name"] for node in _manifest_models() if node["fqn"][1] == "marts"]
    guarded = {rule.model for rule in gate_rules()}
    return [model_key(model) for model in sorted(guarded | set(marts))]


def _manifest_models() -> list[dict]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


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
