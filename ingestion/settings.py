"""Where the pipeline's data lives: one setting, read by every stage.

``SHARED_FUNNEL_DATA_DIR`` (default: ``data/`` at the repository root) holds the landing
folder of exports, the DuckDB warehouse, and every output; dbt's profile reads the same
variable, so :func:`apply_environment` exports it before dbt or dlt run. It also switches
off the telemetry of dlt, dbt and Dagster: nothing reaches the network at run time.
``SHARED_FUNNEL_DEFINITIONS`` points at the agreed lead definitions (default:
``transform/lead_definitions.yml``). ``SHARED_FUNNEL_SOURCE_MAPPING`` points at the company's
source mapping: which column of its exports plays each role (default:
``ingestion/source_mapping.yml``).
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "SHARED_FUNNEL_DATA_DIR"
DEFINITIONS_ENV = "SHARED_FUNNEL_DEFINITIONS"
SOURCE_MAPPING_ENV = "SHARED_FUNNEL_SOURCE_MAPPING"
REPO_ROOT = Path(__file__).resolve().parent.parent

_OFFLINE_ENV = {
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
    "GX_ANALYTICS_ENABLED": "false",
}


def data_dir() -> Path:
    """The root of everything the pipeline reads and writes."""
    root = Path(os.environ.get(DATA_DIR_ENV) or REPO_ROOT / "data").resolve()
    if "#" in str(root):
        raise ValueError(
            f"{DATA_DIR_ENV}={root}: dbt-duckdb reads the warehouse path as a URL, so a "
            "'#' cuts it short (the models would look for a database of another name); "
            "choose a folder without '#'"
        )
    return root


def landing_dir() -> Path:
    """Where export files are dropped: ``<landing>/<system>/<YYYY-MM-DD>/<file>``."""
    return data_dir() / "landing"


def warehouse_path() -> Path:
    """The DuckDB warehouse file."""
    return data_dir() / "warehouse.duckdb"


def outputs_dir() -> Path:
    """Dashboards, data docs and other published outputs."""
    return data_dir() / "outputs"


def published_warehouse_path() -> Path:
    """The marts as last published: replaced only when every quality check passed."""
    return outputs_dir() / "shared_funnel.duckdb"


def definitions_path() -> Path:
    """The lead definitions both teams signed off (default: transform/lead_definitions.yml)."""
    return Path(
        os.environ.get(DEFINITIONS_ENV) or REPO_ROOT / "transform" / "lead_definitions.yml"
    ).resolve()


def source_mapping_path() -> Path:
    """The company's source mapping: ``SHARED_FUNNEL_SOURCE_MAPPING`` when set; else, when
    the landing folder holds a demo generation, the mapping of its shape (the generator's
    manifest says which); else ingestion/source_mapping.yml. The loaders, the preflight
    and the UI all read it from here, so demo exports are always read the same way."""
    if os.environ.get(SOURCE_MAPPING_ENV):
        return Path(os.environ[SOURCE_MAPPING_ENV]).resolve()
    from ingestion.demo_exports import source_mapping_for

    demo = source_mapping_for(landing_dir())
    return (demo or REPO_ROOT / "ingestion" / "source_mapping.yml").resolve()


def apply_environment() -> Path:
    """Export the data-dir setting to child processes (dbt) and turn telemetry off."""
    root = data_dir()
    os.environ[DATA_DIR_ENV] = str(root)
    # dlt reads its settings from <project>/.dlt/config.toml (telemetry off, load ids)
    os.environ.setdefault("DLT_PROJECT_DIR", str(REPO_ROOT))
    for name, value in _OFFLINE_ENV.items():
        os.environ.setdefault(name, value)
    return root
