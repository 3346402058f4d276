"""The agreed lead definitions: validated on load, and the models classify by them."""

import pytest
import yaml
from dagster import AssetKey, AssetSelection

from ingestion import settings
from orchestration.definitions import defs
from tests.conftest import query
from transform.definitions import DefinitionsError, load_definitions

MQL_CHECK = AssetKey(["intermediate", "int_contacts_mql_rule_checked"])


def definitions_with(tmp_path, monkeypatch, change) -> None:
    """Point the pipeline at a changed copy of the agreed definitions file."""
    content = yaml.safe_load(settings.definitions_path().read_text())
    change(content)
    changed = tmp_path / "lead_definitions.yml"
    changed.write_text(yaml.safe_dump(content))
    monkeypatch.setenv(settings.DEFINITIONS_ENV, str(changed))


def test_the_agreed_definitions_file_is_valid():
    definitions = load_definitions()
    assert [s.key for s in definitions.lifecycle_stages] == [
        "subscriber", "lead", "mql", "sal", "sql", "opportunity", "customer"
    ]
    assert definitions.mql_rules[0].score_threshold == 60


def test_a_broken_definitions_file_names_the_field(tmp_path, monkeypatch):
    def break_threshold(content):
        content["mql_rules"][0]["score_threshold"] = "high"

    definitions_with(tmp_path, monkeypatch, break_threshold)
    with pytest.raises(DefinitionsError, match=r"mql_rules\.0\.score_threshold"):
        load_definitions()


def test_mql_rules_must_be_listed_oldest_first(tmp_path, monkeypatch):
    def add_older_rule(content):
        older = dict(content["mql_rules"][0], version=2, in_force_from="2024-01-01")
        content["mql_rules"].append(older)

    definitions_with(tmp_path, monkeypatch, add_older_rule)
    with pytest.raises(DefinitionsError, match="oldest first"):
        load_definitions()


def _refresh_mql_check():
    """Run the MQL check and everything upstream of it, as the next scheduled run would."""
    selection = (
        AssetSelection.assets(MQL_CHECK).upstream().required_multi_asset_neighbors()
        .materializable()
    )
    result = defs.resolve_job_def("shared_funnel_refresh").execute_in_process(
        asset_selection=list(selection.resolve(defs.resolve_asset_graph()))
    )
    assert result.success


def _meeting_score_bar(threshold: int) -> int:
    """Counted straight from staging, independently of the model under test."""
    return query(
        "select count(*) from staging.stg_marketing_automation__contacts "
        "where lead_score >= ?", [threshold]
    )[0][0]


def test_changing_the_score_threshold_moves_the_classification(landing, tmp_path, monkeypatch):
    _refresh_mql_check()
    at_60 = query("select count(*) from intermediate.int_contacts_mql_rule_checked "
                  "where meets_score_threshold")[0][0]
    assert at_60 == _meeting_score_bar(60)

    def lower_the_bar(content):
        content["mql_rules"][0]["score_threshold"] = 30

    definitions_with(tmp_path, monkeypatch, lower_the_bar)
    _refresh_mql_check()
    at_30 = query("select count(*) from intermediate.int_contacts_mql_rule_checked "
                  "where meets_score_threshold")[0][0]
    assert at_30 == _meeting_score_bar(30)
    assert at_30 > at_60
    assert query("select score_threshold from definitions.mql_rules") == [(30,)]
