"""The shared dashboards in Dagster: one multi-asset rendering every page after the publish.

Wiring only: the pages are built in dashboards/, and their list is the dbt exposures
(dashboards.pages.page_specs). Every page depends on `publish/shared_funnel_marts`, which
runs only when every blocking quality check passed, so a failed gate never re-renders a
page: the last good HTML stays byte for byte. Each page also depends on the marts it reads
(its exposure's depends_on), so lineage shows which marts feed which page; the index on
those of every page. The pages read nothing but the published
copy (source freshness included, as dbt judged it), so the asset takes no warehouse pool
or lock. The latest check evaluations are read from the Dagster instance here and handed
to the renderer as plain data.
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

from dashboards.pages import EXPOSURE_PREFIX, page_specs
from dashboards.render import INDEX, dashboards_dir, render_dashboards
from dashboards.status import CheckResult, RunStatus
from ingestion import settings
from orchestration.quality_checks import model_key, published_marts
from orchestration.transform_assets import SharedFunnelDbtTranslator, transform_models
from quality.rules import gate_rules
from transform.project import exposure_nodes, exposure_owners

PAGES = {
    INDEX: "The index of the shared dashboards, with each page's headline numbers.",
    **{spec.slug: spec.description for spec in page_specs()},
}


def dashboard_key(slug: str) -> AssetKey:
    return AssetKey(["dashboards", slug])


def page_marts(slug: str) -> list[AssetKey]:
    """The marts and definitions a page reads, as its dbt exposure's depends_on lists them;
    the index shows every page's headlines, so it reads what they all read."""
    slugs = [spec.slug for spec in page_specs()] if slug == INDEX else [slug]
    translator = SharedFunnelDbtTranslator()
    keys = [
        translator.get_asset_key(node)
        for page in slugs
        for node in exposure_nodes(EXPOSURE_PREFIX + page)
    ]
    return sorted(set(keys), key=lambda key: key.to_user_string())


@multi_asset(
    name="render_dashboards",
    specs=[
        AssetSpec(
            key=dashboard_key(slug),
            # the publish runs only after the gate passed; the marts show the lineage
            deps=[published_marts.key, *page_marts(slug)],
            description=f"{description} An HTML page (plotly.js shared beside it, opens "
            "offline) under <data dir>/outputs/dashboards/.",
            group_name="dashboards",
            owners=exposure_owners(),
            kinds={"plotly", "html"},
        )
        for slug, description in PAGES.items()
    ],
)
def shared_dashboards(context: AssetExecutionContext):
    """Renders every dashboard page from the published marts."""
    now = dt.datetime.now(dt.UTC)
    run = RunStatus(now, latest_check_results(context.instance))
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
