"""Dagster assets for the dbt project in transform/: every model, seed and test."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import dbt_project
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock

MODEL_OWNERS = {"staging": ["team:data-platform"]}


class SharedFunnelDbtTranslator(DagsterDbtTranslator):
    """Groups staging models with their source; later layers by their folder."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        if len(fqn) > 2 and fqn[1] == "staging":
            return fqn[2]
        return fqn[1] if len(fqn) > 2 else "transform"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else ""
        return MODEL_OWNERS.get(layer, ["team:data-platform"])

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SharedFunnelDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def transform_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """Builds and tests every dbt model; a failing test at severity error fails its check."""
    # cautious: in a partial run, a test runs only when all the models it reads were built.
    # Unit tests check the SQL, not the data: `make test` runs them, scheduled runs don't.
    with warehouse_lock(context.log):
        yield from dbt.cli(
            ["build", "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test"],
            context=context,
        ).stream()
