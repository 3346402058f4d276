"""Dagster assets for the dlt sources: one asset per raw table, one multi-asset per system."""

import tempfile
from collections.abc import Iterator
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    FreshnessPolicy,
    MaterializeResult,
)
from dagster_dlt import DagsterDltResource, DagsterDltTranslator, dlt_assets
from dagster_dlt.translator import DltResourceTranslatorData
from dlt.pipeline.exceptions import PipelineStepFailed

from ingestion import settings
from ingestion.exports import SYSTEMS, ExportSystem
from ingestion.mapping import MappingError, SourceMapping
from ingestion.preflight import check_system, missing_roles_message
from ingestion.sources import (
    create_empty_tables,
    export_file_error,
    export_pipeline,
    quarantined_row_counts,
    source_for,
)
from orchestration.dbt_project import source_freshness
from orchestration.warehouse import (
    WAREHOUSE_POOL,
    table_row_counts,
    warehouse_lock,
)
from transform.project import source_owners


def landing_key(system: ExportSystem) -> AssetKey:
    return AssetKey(["landing", system.name])


def landing_specs() -> list[AssetSpec]:
    """The export folders themselves: external assets, so lineage starts at the files."""
    return [
        AssetSpec(
            key=landing_key(system),
            description=f"{system.description} Daily drops under "
            f"<landing>/{system.name}/<YYYY-MM-DD>/.",
            group_name=system.name,
            owners=source_owners(system.name),
            kinds={"csv" if system.file_format == "csv" else "json", "file"},
            metadata={"files": ", ".join(t.file_name for t in system.tables)},
            freshness_policy=_freshness_policy(system),
        )
        for system in SYSTEMS
    ]


def _freshness_policy(system: ExportSystem) -> FreshnessPolicy | None:
    """A new drop is expected as the dbt source's freshness says (its YAML is the one place)."""
    after = source_freshness(system.name)
    return (
        FreshnessPolicy.time_window(fail_window=after[0], warn_window=after[1]) if after else None
    )


class ExportTranslator(DagsterDltTranslator):
    """Keys raw tables as [system, table], the key dagster-dbt gives the dbt source."""

    def __init__(self, system: ExportSystem):
        self.system = system

    def get_asset_spec(self, data: DltResourceTranslatorData) -> AssetSpec:
        table = self.system.table(data.resource.name)
        return (
            super()
            .get_asset_spec(data)
            .replace_attributes(
                key=AssetKey([self.system.name, table.name]),
                deps=[landing_key(self.system)],
                group_name=self.system.name,
                owners=source_owners(self.system.name),
                kinds={"dlt", "duckdb"},
                description=f"Raw {table.name} from {table.file_name}: {table.description} "
                f"Loaded into {self.system.dataset}.{table.name}.",
                metadata={
                    "primary_key": table.primary_key or "none (rows replaced per source file)",
                    "latest_wins_by": table.modified_column or "file",
                    "required_columns": ", ".join(table.required_columns),
                    "optional_columns": ", ".join(c.name for c in table.columns if not c.required),
                    "source_mapping": str(settings.source_mapping_path()),
                },
            )
        )


# The pipeline the decorator inspects when the definitions load gets a private working
# folder: dlt tidies its folder when a pipeline is created, and the shared one may be in
# use by a run in another process. Runs build the real pipeline under the warehouse lock.
_DEFINITION_PIPELINES = tempfile.TemporaryDirectory(prefix="shared_funnel_dlt_")


def _build_system_assets(system: ExportSystem):
    # The assets are the contract's tables whatever the mapping says: the definitions
    # load even while the mapping file is broken, and the run names its error.
    @dlt_assets(
        dlt_source=source_for(system, SourceMapping(version="contract")),
        dlt_pipeline=export_pipeline(system, Path(_DEFINITION_PIPELINES.name)),
        name=f"load_{system.name}",
        dagster_dlt_translator=ExportTranslator(system),
        pool=WAREHOUSE_POOL,
    )
    def _assets(context: AssetExecutionContext, dlt: DagsterDltResource) -> Iterator:
        # Every file lacking a required role, named in one message before anything loads.
        try:
            message = missing_roles_message(
                check_system(system, values=False)[0], settings.source_mapping_path()
            )
        except MappingError as error:
            message = str(error)
        if message:
            raise Failure(
                description=f"{system.name} was not loaded, nothing of it was published: {message}"
            )
        # A fresh source and pipeline per run: dlt sources keep state between runs.
        try:
            with warehouse_lock(context.log):
                results = list(
                    dlt.run(
                        context=context,
                        dlt_source=source_for(system),
                        dlt_pipeline=export_pipeline(system),
                    )
                )
                empty = create_empty_tables(system)
                if empty:
                    context.log.info(
                        f"{system.dataset}: no rows yet in {', '.join(empty)}; "
                        "created empty from the contract"
                    )
                tables = [result.asset_key.path[-1] for result in results if result.asset_key]
                rows = table_row_counts(system.dataset, tables)
                quarantined = quarantined_row_counts(system.dataset)
        except PipelineStepFailed as error:
            cause = export_file_error(error) or error.exception
            raise Failure(
                description=f"{system.name} was not loaded, nothing of it was published: {cause}",
            ) from error
        for result in results:
            assert result.asset_key, result
            table = result.asset_key.path[-1]
            context.log.info(
                f"{system.dataset}.{table}: {rows.get(table, 0)} rows, "
                f"{quarantined.get(table, 0)} quarantined"
            )
            yield MaterializeResult(
                asset_key=result.asset_key,
                metadata={
                    **(result.metadata or {}),
                    "dagster/row_count": rows.get(table, 0),
                    "quarantined_rows": quarantined.get(table, 0),
                },
            )

    return _assets


ingestion_assets = [_build_system_assets(system) for system in SYSTEMS]
