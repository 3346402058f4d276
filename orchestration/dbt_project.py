"""The dbt project in transform/ and the dbt CLI resource that runs it, offline."""

import json
import sys
from datetime import timedelta
from functools import cache, cached_property
from importlib.metadata import version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from ingestion.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "transform"

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


def dbt_resource() -> OfflineDbtCliResource:
    return OfflineDbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=str(Path(sys.executable).with_name("dbt")),
    )


PERIODS = {"minute": "minutes", "hour": "hours", "day": "days"}


@cache
def manifest() -> dict:
    """The parsed dbt manifest, read once per process (`make prepare` writes it)."""
    return json.loads(dbt_project.manifest_path.read_text())


def source_freshness(source_name: str) -> tuple[timedelta, timedelta | None] | None:
    """(error_after, warn_after) of a dbt source, as its YAML declares them.

    The freshness of each export system is agreed once, in the dbt source YAML
    (transform/models/staging/<system>/_<system>__sources.yml); Dagster's freshness
    policies and the data-status page read it from the manifest.
    """
    for node in manifest()["sources"].values():
        freshness = node["source_name"] == source_name and node.get("freshness")
        if freshness and freshness.get("error_after", {}).get("count"):
            return _timedelta(freshness["error_after"]), _timedelta(freshness.get("warn_after"))
    return None


def _timedelta(after: dict | None) -> timedelta | None:
    if not after or not after.get("count"):
        return None
    return timedelta(**{PERIODS[after["period"]]: after["count"]})
