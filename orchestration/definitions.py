"""The one Definitions object: dlt ingestion and dbt models as one connected asset graph."""

from __future__ import annotations

from dagster import AssetSelection, Definitions, define_asset_job, in_process_executor
from dagster_dlt import DagsterDltResource

from ingestion import settings
from orchestration.dbt_project import dbt_resource
from orchestration.definitions_assets import lead_definitions
from orchestration.ingestion_assets import ingestion_assets, landing_specs
from orchestration.transform_assets import transform_models

settings.apply_environment()

# In process: every step writes the same DuckDB file, and one process with one writer at a
# time is both the fastest and the only safe way (shared/stack-notes.md, pitfall 6).
refresh_job = define_asset_job(
    name="shared_funnel_refresh",
    selection=AssetSelection.all().materializable(),
    description="Load new exports, then rebuild and test every model on top of them.",
    executor_def=in_process_executor,
)

defs = Definitions(
    assets=[*landing_specs(), lead_definitions, *ingestion_assets, transform_models],
    jobs=[refresh_job],
    resources={"dlt": DagsterDltResource(), "dbt": dbt_resource()},
)
