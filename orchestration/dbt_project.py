"""The dbt project in transform/ and the dbt CLI resource that runs it, offline."""

import sys
from functools import cached_property
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
