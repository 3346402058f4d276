"""The dbt project in transform/ and the dbt CLI resource that runs it, offline."""

import shutil
import sys
import time
from datetime import timedelta
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from transform.project import PROJECT_DIR as DBT_PROJECT_DIR
from transform.project import manifest

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


class OfflineDbtCliResource(DbtCliResource):
    """DbtCliResource that never asks the network for dbt's version.

    dagster-dbt learns dbt's version from ``dbt --version``, which also asks the package
    registry for the latest release on every run; here it is read from the installed
    package, so runs stay offline.
    """

    @cached_property
    def _cli_version(self) -> Version:
        return Version(version("dbt-core"))


DBT_TARGET = DBT_PROJECT_DIR / "target"
KEPT_RUN_FOLDERS = 10  # each dbt invocation of Dagster writes ~30 MB of artifacts of its own
# runs of other data dirs share transform/target/ without sharing a warehouse lock: a folder
# written to in the last hour may belong to a run still reading its run_results.json
QUIET_SECONDS_BEFORE_PRUNING = 3600


def prune_run_folders(current: Path, keep: int = KEPT_RUN_FOLDERS) -> int:
    """Remove all but the `keep` newest dbt run folders beside `current` (dagster-dbt gives
    every invocation its own target folder and never removes one), none written to in the
    last hour; returns how many."""
    runs = sorted(
        (p for p in current.parent.iterdir() if p.is_dir() and p.name.startswith("transform_")),
        key=lambda p: p.stat().st_mtime,
    )
    quiet_since = time.time() - QUIET_SECONDS_BEFORE_PRUNING
    old = [p for p in runs[:-keep] if p != current and p.stat().st_mtime < quiet_since]
    for path in old:
        shutil.rmtree(path, ignore_errors=True)
    return len(old)


def release_row_count_connection() -> None:
    """Close the warehouse connection of the dbt adapter dagster-dbt opens in this process
    to count rows (`fetch_row_counts`). dbt-duckdb keeps it open for the life of the
    process (`keep_open`), and while it is open every other connection to the file is
    refused: the gate's and the publish's in this run (another configuration), and the
    writers of every other run."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    try:
        environment = DuckDBConnectionManager.env()
    except Exception:  # no adapter was opened: nothing to close
        return
    environment.close()
    DuckDBConnectionManager.close_all_connections()


def dbt_resource() -> OfflineDbtCliResource:
    return OfflineDbtCliResource(
        # a DbtProject is what the dagster-dbt docs pass; the field is annotated as str
        project_dir=dbt_project,  # type: ignore[arg-type]
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )


PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


def source_freshness(source_name: str) -> tuple[timedelta, timedelta | None] | None:
    """(error_after, warn_after) of a dbt source, as its YAML declares them.

    The freshness of each export system is agreed once, in the dbt source YAML
    (transform/models/staging/<system>/_<system>__sources.yml); Dagster's freshness
    policies and the data-status page read it from the manifest.
    """
    for node in manifest()["sources"].values():
        freshness = node["source_name"] == source_name and node.get("freshness")
        error_after = freshness and _timedelta(freshness.get("error_after"))
        if error_after:
            return error_after, _timedelta(freshness.get("warn_after"))
    return None


def _timedelta(after: dict | None) -> timedelta | None:
    if not after or not after.get("count"):
        return None
    return timedelta(**{PERIODS[after["period"]]: after["count"]})
