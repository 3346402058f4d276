"""The one Definitions object: dlt ingestion and dbt models as one connected asset graph."""

from __future__ import annotations

from dagster import (
    AssetSelection,
    Definitions,
    define_asset_job,
    in_process_executor,
    map_asset_specs,
)
from dagster_dlt import DagsterDltResource

from ingestion import settings
from orchestration.automation import daily_refresh_schedule, new_exports_sensor
from orchestration.dashboard_assets import shared_dashboards
from orchestration.dbt_project import dbt_resource
from orchestration.definitions_assets import lead_definitions
from orchestration.ingestion_assets import ingestion_assets, landing_specs
from orchestration.markdown import markdown_text
from orchestration.quality_checks import published_marts, quality_checks
from orchestration.transform_assets import transform_models

settings.apply_environment()

# In process: every step writes the same DuckDB file, and one process with one writer at a
# time is both the fastest and the only safe way (shared/stack-notes.md, pitfall 6).
refresh_job = define_asset_job(
    name="shared_funnel_refresh",
    selection=AssetSelection.all().materializable(),
    description="Load new exports, rebuild and test every model on top of them, run the "
    "quality gate, then publish the marts and render the dashboards only if every blocking "
    "check passed.",
    executor_def=in_process_executor,
)

gate_checks = quality_checks()

# The gate alone, on the warehouse as it is: after a fix to the data or to the definitions
# file, re-check and publish without reloading or rebuilding anything.
gate_job = define_asset_job(
    name="quality_gate_and_publish",
    selection=AssetSelection.checks(*gate_checks)
    | AssetSelection.assets(published_marts, shared_dashboards),
    description="Run every blocking quality check on the current warehouse and publish the "
    "marts only if all pass.",
    executor_def=in_process_executor,
)

# Descriptions are Markdown in the UI: every asset's goes through markdown_text here.
assets = map_asset_specs(
    lambda spec: spec.replace_attributes(description=markdown_text(spec.description)),
    [
        *landing_specs(),
        lead_definitions,
        *ingestion_assets,
        transform_models,
        published_marts,
        shared_dashboards,
    ],
)

defs = Definitions(
    assets=assets,
    asset_checks=gate_checks,
    jobs=[refresh_job, gate_job],
    schedules=[daily_refresh_schedule(refresh_job)],
    sensors=[new_exports_sensor(refresh_job)],
    resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
)
