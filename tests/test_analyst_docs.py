"""The analyst's path through the dbt docs, read from the parsed manifest: the names the
docs give the tables are those of the published file (`make sql`), and every mart that
stacks the four reporting grains in one table says loudly to filter one."""

import json
from pathlib import Path

import pytest
import yaml

from ingestion import settings

TRANSFORM = settings.REPO_ROOT / "transform"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((TRANSFORM / "target" / "manifest.json").read_text())


def _models(manifest: dict) -> list[dict]:
    return [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]


def test_every_grain_stacked_mart_and_its_period_grain_say_to_filter_one_grain(manifest):
    stacked = {
        model["name"]: model
        for model in _models(manifest)
        if "period_grain" in model["columns"] and model["schema"] == "marts"
    }
    # the marts that hold day, week, month and quarter rows in one table
    assert set(stacked) == {
        "funnel_conversion_by_period",
        "funnel_conversion_by_cohort",
        "funnel_stage_velocity",
        "lead_velocity_rate",
        "sla_compliance_by_owner",
        "funnel_cohort_rates_by_period",
        "sla_by_period",
    }
    for name, model in stacked.items():
        assert "ALWAYS FILTER ONE `period_grain`" in model["description"], name
        assert "where period_grain = 'month'" in model["description"], name
        assert "where period_grain = 'month'" in model["columns"]["period_grain"]["description"]


def test_no_doc_names_a_table_by_the_warehouse(manifest):
    texts = [
        (node["name"], text)
        for node in _models(manifest) + list(manifest["sources"].values())
        for text in [node["description"]] + [c["description"] for c in node["columns"].values()]
    ]
    assert [name for name, text in texts if "warehouse.marts" in text] == []


def test_the_docs_read_the_published_file_under_its_own_name():
    """`make docs` renders against dbt target `published`: the published file attached
    read-only under the name DuckDB gives it when opened (its stem), so the docs call a
    mart shared_funnel.marts.<table>, which `make sql` answers."""
    profile = yaml.safe_load((TRANSFORM / "profiles.yml").read_text())["shared_funnel"]
    published = profile["outputs"]["published"]
    (attached,) = published["attach"]
    published_file = settings.published_warehouse_path()
    assert attached["path"].endswith("/outputs/" + published_file.name)
    assert attached["alias"] == published["database"] == Path(published_file).stem
    assert attached["read_only"] is True
    launcher = (settings.REPO_ROOT / "orchestration" / "launcher.py").read_text()
    assert '"docs", "generate", "--static", "--target", "published"' in launcher
