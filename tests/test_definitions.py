"""The agreed lead definitions: validated on load, and the models classify by them."""

import pytest
import yaml
from dagster import AssetKey, AssetSelection

from ingestion import settings
from orchestration.definitions import defs
from tests.conftest import query
from transform.definitions import (
    FORM_TYPES,
    VOCABULARY_MEANINGS,
    DefinitionsError,
    definition_tables,
    load_definitions,
)

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
        "subscriber",
        "lead",
        "mql",
        "sal",
        "sql",
        "opportunity",
        "customer",
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


def test_every_vocabulary_is_agreed_with_the_vendors_own_values():
    vocabularies = load_definitions().vocabularies
    assert set(vocabularies) == set(VOCABULARY_MEANINGS)
    lead_status = vocabularies["crm_lead_status"].values
    # Salesforce's default picklist and the aligned org's added values
    assert lead_status["Closed - Not Converted"] == "disqualified"
    assert lead_status["Closed - Converted"] == "converted"
    assert lead_status["Accepted"] == "accepted"
    assert lead_status["Rejected - Nurture"] == "rejected"
    stages = vocabularies["crm_opportunity_stage"].values
    assert len(stages) == 10 and stages["Value Proposition"] == "open"
    assert stages["Closed Won"] == "won" and stages["Closed Lost"] == "lost"
    assert vocabularies["marketing_lifecycle_stage"].values["evangelist"] is None
    email = vocabularies["marketing_email_event_type"].values
    assert {t for t, m in email.items() if m == "delivery"} >= {
        "SENT",
        "PROCESSED",
        "DELIVERED",
        "DEFERRED",
        "DROPPED",
    }
    assert email["OPEN"] == "open" and email["CLICK"] == "click"
    assert vocabularies["marketing_form_type"].values["regular"] is None


def test_vocabulary_values_table_matches_ignoring_case_and_form_names_by_pattern():
    table = definition_tables(load_definitions())["vocabulary_values"].to_pylist()
    rows = {(r["vocabulary"], r["source_value"]): r for r in table}
    status = rows[("crm_lead_status", "Closed - Not Converted")]
    assert status["match_value"] == "closed - not converted" and not status["is_pattern"]
    name = rows[("marketing_form_name", "Download*")]
    assert name["match_value"] == "download%" and name["is_pattern"]
    # HubSpot's original source is a vocabulary too, with the channels as its one home
    assert rows[("marketing_original_source", "OFFLINE")]["meaning"] == "events"


def test_a_meaning_outside_the_fixed_set_names_the_vocabulary(tmp_path, monkeypatch):
    def invent_a_meaning(content):
        content["vocabularies"]["crm_lead_status"]["values"]["Nurture"] = "recycled"

    definitions_with(tmp_path, monkeypatch, invent_a_meaning)
    with pytest.raises(DefinitionsError, match=r"vocabularies\.crm_lead_status.*recycled"):
        load_definitions()


def test_a_custom_lifecycle_stage_id_maps_to_an_agreed_stage_key(tmp_path, monkeypatch):
    def add_custom_stages(content):
        values = content["vocabularies"]["marketing_lifecycle_stage"]["values"]
        values[123456789] = "sql"  # a portal's custom stage: YAML reads the id as a number

    definitions_with(tmp_path, monkeypatch, add_custom_stages)
    assert load_definitions().vocabularies["marketing_lifecycle_stage"].values["123456789"] == "sql"


def test_a_lifecycle_meaning_must_be_an_agreed_stage_key(tmp_path, monkeypatch):
    def map_to_no_stage(content):
        content["vocabularies"]["marketing_lifecycle_stage"]["values"]["evangelist"] = "fan"

    definitions_with(tmp_path, monkeypatch, map_to_no_stage)
    with pytest.raises(DefinitionsError, match="fan"):
        load_definitions()


def test_a_vocabulary_value_listed_twice_fails(tmp_path, monkeypatch):
    def list_twice(content):
        content["vocabularies"]["marketing_email_event_type"]["values"]["open "] = "click"

    definitions_with(tmp_path, monkeypatch, list_twice)
    with pytest.raises(DefinitionsError, match="listed twice"):
        load_definitions()


def test_a_missing_vocabulary_fails(tmp_path, monkeypatch):
    def drop_one(content):
        del content["vocabularies"]["crm_opportunity_stage"]

    definitions_with(tmp_path, monkeypatch, drop_one)
    with pytest.raises(DefinitionsError, match="missing.*crm_opportunity_stage"):
        load_definitions()


def test_high_intent_form_types_are_agreed_form_types(tmp_path, monkeypatch):
    assert set(load_definitions().mql_rules[0].high_intent_form_types) <= set(FORM_TYPES)

    def use_hubspots_form_type(content):
        content["mql_rules"][0]["high_intent_form_types"] = ["demo_request", "popup"]

    definitions_with(tmp_path, monkeypatch, use_hubspots_form_type)
    with pytest.raises(DefinitionsError, match="popup"):
        load_definitions()


def _refresh_mql_check():
    """Run the MQL check and everything upstream of it, as the next scheduled run would."""
    selection = (
        AssetSelection.assets(MQL_CHECK)
        .upstream()
        .required_multi_asset_neighbors()
        .materializable()
    )
    result = defs.resolve_job_def("shared_funnel_refresh").execute_in_process(
        asset_selection=list(selection.resolve(defs.resolve_asset_graph()))
    )
    assert result.success


def _meeting_score_bar(threshold: int) -> int:
    """Counted straight from staging, independently of the model under test."""
    return query(
        "select count(*) from staging.stg_marketing_automation__contacts where lead_score >= ?",
        [threshold],
    )[0][0]


def test_changing_the_score_threshold_moves_the_classification(landing, tmp_path, monkeypatch):
    _refresh_mql_check()
    at_60 = query(
        "select count(*) from intermediate.int_contacts_mql_rule_checked "
        "where meets_score_threshold"
    )[0][0]
    assert at_60 == _meeting_score_bar(60)

    def lower_the_bar(content):
        content["mql_rules"][0]["score_threshold"] = 30

    definitions_with(tmp_path, monkeypatch, lower_the_bar)
    _refresh_mql_check()
    at_30 = query(
        "select count(*) from intermediate.int_contacts_mql_rule_checked "
        "where meets_score_threshold"
    )[0][0]
    assert at_30 == _meeting_score_bar(30)
    assert at_30 > at_60
    assert query("select score_threshold from definitions.mql_rules") == [(30,)]


def test_an_unknown_vendor_value_warns_is_counted_and_never_fails_the_build(refreshed_copy):
    """An org's own Lead Status and an e-mail event type no vocabulary lists: the build
    passes, the warn-level vocabulary tests name them, and the counts are there to show."""
    import duckdb

    from orchestration.dbt_project import dbt_resource

    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(
            "update raw_crm.leads set status = 'Nurturing' where id in "
            "(select id from raw_crm.leads order by id limit 2)"
        )
        con.execute(
            "update raw_marketing_automation.email_events set type = 'MYSTERY' "
            "where event_id in (select event_id from "
            "raw_marketing_automation.email_events order by event_id limit 3)"
        )
    build = dbt_resource().cli(
        [
            "build",
            "--select",
            "stg_crm__leads stg_marketing_automation__email_events int_vocabulary_unknown_values",
            "--exclude-resource-type",
            "unit_test",
        ],
        raise_on_error=False,
    )
    assert build.wait().is_successful(), build.get_error()
    results = build.get_artifact("run_results.json")["results"]
    warned = {r["unique_id"].split(".")[2] for r in results if r["status"] == "warn"}
    assert "in_vocabulary_stg_crm__leads_lead_status__crm_lead_status" in warned
    assert any(
        name.startswith("in_vocabulary_stg_marketing_automation__email_events") for name in warned
    )
    assert query(
        "select vocabulary, source_value, row_count "
        "from intermediate.int_vocabulary_unknown_values order by 1"
    ) == [("crm_lead_status", "Nurturing", 2), ("marketing_email_event_type", "MYSTERY", 3)]
    assert query(
        "select lead_status_meaning from staging.stg_crm__leads where lead_status = 'Nurturing'"
    ) == [(None,), (None,)]
