"""Dagster assets for the dbt project in transform/: every model, seed and test."""

from collections.abc import Iterator, Mapping
from typing import Any

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    Failure,
    MetadataValue,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_project import (
    DBT_TARGET,
    dbt_project,
    prune_run_folders,
    release_row_count_connection,
)
from orchestration.markdown import markdown_text
from orchestration.warehouse import WAREHOUSE_POOL, warehouse_lock
from transform.project import test_description


class SharedFunnelDbtTranslator(DagsterDbtTranslator):
    """Groups staging models with their source; later layers by their folder. Every dbt
    test's check says what the test asserts (transform.project.test_description)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        if dbt_resource_props["resource_type"] == "source":
            return dbt_resource_props["source_name"]
        if len(fqn) > 2 and fqn[1] == "staging":
            return fqn[2]
        return fqn[1] if len(fqn) > 2 else "transform"

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_asset_check_spec(
        self,
        asset_spec: AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> AssetCheckSpec | None:
        """A dbt test does not end the dbt step when it fails: the quality gate still runs
        its rules on the same rows, and publishing refuses after any check that failed at
        severity error (orchestration.quality_checks.published_marts). Its description
        says what it asserts (transform.project.test_description)."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        return AssetCheckSpec(
            name=spec.name,
            asset=spec.asset_key,
            description=markdown_text(test_description(manifest["nodes"][unique_id])),
            additional_deps=spec.additional_deps,
            metadata=spec.metadata,
            blocking=False,
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=SharedFunnelDbtTranslator(),
    pool=WAREHOUSE_POOL,
)
def transform_models(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator:
    """Builds and tests every dbt model. A failing test fails its check (at its severity)
    with its failing rows in the metadata; a model that raised fails the step."""
    # cautious: in a partial run, a test runs only when all the models it reads were built.
    # Unit tests check the SQL, not the data: `make test` runs them, scheduled runs don't.
    # Row counts (dagster/row_count) of every table built: on DuckDB, dagster-dbt counts
    # once dbt has exited and let go of the file, with a read-only connection, still under
    # the lock, which is closed before the tests run. Views are not counted (that would run
    # their query).
    from quality.test_failures import read_failures

    # Models first, then their tests: a failing test then skips no model, so the quality
    # gate still runs its rules on the rows the test saw (publishing refuses after it).
    with warehouse_lock(context.log):
        built = dbt.cli(
            ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"],
            context=context,
            raise_on_error=False,  # a model that raised fails the step below
        )
        try:
            yield from built.stream().fetch_row_counts()
        finally:
            release_row_count_connection()
        broken = _raised(built)
        if broken:
            raise Failure(f"dbt build: {len(broken)} node(s) raised an error: {', '.join(broken)}")
        invocation = dbt.cli(
            ["test", "--indirect-selection", "cautious", "--exclude-resource-type", "unit_test"],
            context=context,
            raise_on_error=False,  # a failing test is reported by its check
        )
        failed_tests = []
        for event in invocation.stream():
            if isinstance(event, AssetCheckResult) and not event.passed:
                failed_tests.append(event)  # reported with its rows once dbt is done
            else:
                yield event
        # the failing rows each failed test stored, read back now that dbt has let go
        for result in failed_tests:
            failures = read_failures(invocation.manifest, result.check_name or "")
            if failures is None:
                yield result
                continue
            context.log.warning(failures.line())
            yield result.with_metadata(
                {
                    **(result.metadata or {}),
                    "failing_rows": failures.failing_rows,
                    "example_rows": MetadataValue.json(failures.examples),
                    "failures_relation": failures.relation,
                }
            )
        broken = _raised(invocation)
    if broken:
        raise Failure(f"dbt test: {len(broken)} test(s) could not run: {', '.join(broken)}")
    pruned = prune_run_folders(invocation.target_path)
    if pruned:
        context.log.info(f"Removed {pruned} old dbt run folder(s) under {DBT_TARGET}")


def _raised(invocation) -> list[str]:
    """The nodes of a dbt invocation that raised an error (not a test that failed)."""
    return sorted(
        r["unique_id"]
        for r in invocation.get_artifact("run_results.json")["results"]
        if r["status"] in ("error", "runtime error")
    )
