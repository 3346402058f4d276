"""Shared fixtures: every test gets its own data dir (landing folder + warehouse)."""

import shutil
from pathlib import Path

import duckdb
import pytest

from ingestion import settings
from ingestion.demo_exports import generate

SMALL = dict(seed=11, contacts=150, days=14, start="2026-01-01")  # fixed dates: reproducible
# Vendor-shaped exports written from the vendors' documentation (facts hand-counted in its README)
VENDOR_FIXTURES = Path(__file__).parent / "fixtures" / "vendor"


def land_vendor_exports(landing: Path, marketing: str = "hubspot_v3") -> None:
    """A default Salesforce org, HubSpot (v3, or another shape's folder) and raw GA4 rows."""
    for folder, system in (
        ("salesforce_default_org", "crm"),
        (marketing, "marketing_automation"),
        ("ga4", "web_analytics"),
    ):
        shutil.copytree(VENDOR_FIXTURES / folder / system, landing / system)


def run_refresh():
    """The whole refresh job, in process, on the data dir set now; a failed step is held
    back in the result."""
    from orchestration.definitions import defs

    return defs.resolve_job_def("shared_funnel_refresh").execute_in_process(raise_on_error=False)


def failed_steps(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type_value == "STEP_FAILURE"}


@pytest.fixture(scope="session")
def small_exports(tmp_path_factory) -> Path:
    """One small generated landing folder, copied (never modified) by the tests that use it."""
    landing = tmp_path_factory.mktemp("exports") / "landing"
    generate(landing, shape="contract", **SMALL)
    return landing


@pytest.fixture(scope="session")
def refreshed(tmp_path_factory, small_exports):
    """The small exports run once through the whole refresh job: (data dir, run result).

    Shared by the tests: use it read-only, or through `refreshed_copy`.
    """
    root = tmp_path_factory.mktemp("refreshed") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.DATA_DIR_ENV, str(root))
        settings.apply_environment()
        shutil.copytree(small_exports, settings.landing_dir())
        result = run_refresh()
    return root, result


@pytest.fixture
def refreshed_copy(refreshed, tmp_path, monkeypatch) -> Path:
    """A private copy of the refreshed data dir, set as this test's data dir."""
    root = tmp_path / "data"
    shutil.copytree(refreshed[0], root)
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    settings.apply_environment()
    return root


@pytest.fixture
def data_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(tmp_path / "data"))
    settings.apply_environment()
    return settings.data_dir()


@pytest.fixture
def landing(data_dir, small_exports) -> Path:
    """A private copy of the small generated exports in this test's landing folder."""
    target = settings.landing_dir()
    shutil.copytree(small_exports, target)
    return target


def query(sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path()), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def table_counts(schema: str) -> dict[str, int]:
    """Rows per table of a warehouse schema ({} when nothing was ever loaded)."""
    if not settings.warehouse_path().exists():
        return {}
    tables = [
        row[0]
        for row in query(
            "select table_name from information_schema.tables "
            "where table_schema = ? and not starts_with(table_name, '_dlt')",
            [schema],
        )
    ]
    return {t: query(f'select count(*) from "{schema}"."{t}"')[0][0] for t in tables}
