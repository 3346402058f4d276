"""The shared dashboards in Dagster: one multi-asset rendering every page after the publish.

Wiring only: the pages are built in dashboards/. Every page depends on
`publish/shared_funnel_marts`, which runs only when every blocking quality check passed,
so a failed gate never re-renders a page: the last good HTML stays byte for byte. The
latest check evaluations are read from the Dagster instance here and handed to the
renderer as plain data.
"""

import datetime as dt

from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    DagsterInstance,
    MaterializeResult,
    MetadataValue,
    multi_asset,
)

from dashboards.render import INDEX, dashboards_dir, render_dashboards
from dashboards.status import CheckResult, RunStatus, source_freshness
from ingestion import settings
from ingestion.exports import SYSTEMS
from orchestration.dbt_project import source_freshness as source_freshness_of
from orchestration.quality_checks import gate_rules, model_key, published_marts
from orchestration.transform_assets import transform_models
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock

OWNERS = ["team:marketing-ops", "team:sales-ops"]
PAGES = {
    INDEX: "The index of the shared dashboards, with each page's headline numbers.",
    "funnel_overview": "Stage counts and conversion rates, day, week, month and quarter, and "
    "by acquisition channel.",
    "sla": "Sales' SLA (first touch, follow-up, acceptance and rejection reasons) and "
    "marketing's MQL volume against target.",
    "closed_loop": "What became of every MQL, and why, by source, campaign and content.",
    "attribution": "Pipeline and revenue by channel and campaign under each attribution "
    "model, side by side.",
    "customer_journey": "The timelines of chosen example persons and one account.",
    "glossary": "The agreed definitions, printed from the definitions file, with its version.",
    "data_status": "Last refresh, freshness of each source, and the quality check results.",
}


def dashboard_key(slug: str) -> AssetKey:
    return AssetKey(["dashboards", slug])


@multi_asset(
    name="render_dashboards",
    specs=[
        AssetSpec(
            key=dashboard_key(slug),
            deps=[published_marts.key],
            description=f"{description} A self-contained HTML page (Plotly embedded, opens "
            "offline) under <data dir>/outputs/dashboards/.",
            group_name="dashboards",
            owners=OWNERS,
            kinds={"plotly", "html"},
        )
        for slug, description in PAGES.items()
    ],
    pool=WAREHOUSE_POOL,  # reads the sources' freshness from the warehouse
)
def shared_dashboards(context: AssetExecutionContext):
    """Renders every dashboard page from the published marts."""
    now = dt.datetime.now(dt.UTC)
    stale_after = {
        system.name: freshness[1] or freshness[0]
        for system in SYSTEMS
        if (freshness := source_freshness_of(system.name))
    }
    with warehouse_lock(context.log):
        sources = source_freshness(
            settings.landing_dir(), settings.warehouse_path(), now, stale_after
        )
    run = RunStatus(now, sources, latest_check_results(context.instance))
    rendered = render_dashboards(settings.published_warehouse_path(), dashboards_dir(), run)
    context.log.info(f"Rendered {len(rendered)} dashboard pages to {dashboards_dir()}")
    for page in rendered:
        yield MaterializeResult(
            asset_key=dashboard_key(page.slug),
            metadata={
                "path": MetadataValue.path(str(page.path)),
                "refreshed_at": MetadataValue.timestamp(now),
                "charts": page.charts,
                **{
                    f"headline/{m.key}": MetadataValue.null() if m.value is None else m.value
                    for m in page.metrics
                },
            },
        )


def latest_check_results(instance: DagsterInstance) -> tuple[CheckResult, ...]:
    """The latest evaluation of every quality rule and dbt test, as plain data."""
    rules = {AssetCheckKey(model_key(rule.model), rule.name) for rule in gate_rules()}
    keys = sorted(rules | set(transform_models.check_keys), key=lambda k: k.to_user_string())
    records = instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    return tuple(_check_result(key, records.get(key), key in rules) for key in keys)


def _check_result(key: AssetCheckKey, record, is_rule: bool) -> CheckResult:
    evaluation = record.event.asset_check_evaluation if record and record.event else None
    metadata = evaluation.metadata if evaluation else {}
    return CheckResult(
        asset=key.asset_key.path[-1],
        name=key.name,
        kind="quality rule" if is_rule else "dbt test",
        passed=evaluation.passed if evaluation else None,
        severity=evaluation.severity.value if evaluation else "",
        evaluated_at=dt.datetime.fromtimestamp(record.event.timestamp, dt.UTC)
        if evaluation
        else None,
        rows_checked=_value(metadata, "rows_checked"),
        failing_rows=_value(metadata, "failing_rows"),
        description=(evaluation.description or "") if evaluation else "",
    )


def _value(metadata, name: str):
    entry = metadata.get(name)
    return entry.value if entry is not None else None
