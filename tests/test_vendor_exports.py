"""Exports in the vendors' own shapes load with the shipped mapping, build, and publish.

The fixtures (tests/fixtures/vendor/, sources in its README) were written from the
vendors' documentation, not by the demo generator: a default Salesforce org's Data Loader
export (upper-case API names, every value quoted, no custom fields, default picklists,
LeadHistory), HubSpot CRM v3 and legacy v1 contacts with the Email Events API and the
contact profile's form submissions, and raw GA4 BigQuery export rows with consent-mode
pings. The expected values are the README's hand-counted facts.
"""

import shutil
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion import settings
from ingestion.exports import MARKETING_AUTOMATION
from ingestion.sources import create_empty_tables, export_pipeline, source_for
from tests.conftest import VENDOR_FIXTURES, land_vendor_exports, query, run_refresh

HUBSPOT_ROLES = (
    "hs_object_id, lower(email), lifecyclestage, createdate, lastmodifieddate, "
    "hs_lifecyclestage_lead_date, hs_lifecyclestage_marketingqualifiedlead_date, "
    "hs_merged_object_ids"
)


def test_legacy_v1_contacts_load_as_the_same_records_as_v3(data_dir):
    loaded = {}
    for shape in ("hubspot_v3", "hubspot_legacy"):
        target = settings.landing_dir() / "marketing_automation"
        shutil.rmtree(settings.data_dir(), ignore_errors=True)
        shutil.copytree(
            VENDOR_FIXTURES / shape / "marketing_automation" / "2026-03-02",
            target / "2026-03-02",
            ignore=shutil.ignore_patterns("[!c]*"),
        )
        export_pipeline(MARKETING_AUTOMATION).run(source_for(MARKETING_AUTOMATION))
        create_empty_tables(MARKETING_AUTOMATION)
        loaded[shape] = query(
            f"select {HUBSPOT_ROLES} from raw_marketing_automation.contacts order by 1"
        )
    assert len(loaded["hubspot_v3"]) == 7
    # v3 writes ISO with Z (milliseconds), legacy epoch milliseconds: the same instants.
    assert loaded["hubspot_legacy"] == loaded["hubspot_v3"]
    alice = loaded["hubspot_v3"][0]
    assert alice[:5] == (
        "40100101",
        "alice.moreno@acmerobotics.example",
        "opportunity",
        "2026-03-01T14:20:06.115000Z",
        "2026-03-02T14:46:10.402000Z",
    )


# Brightline's sign-off: its MQLs are judged by the shipped rule, which two of them miss
# (HubSpot's numemployees is a range such as "100-500", so the size test can't pass), and
# three people came with no source any system names. Both teams agreed to publish with
# those few listed as exceptions rather than hold every mart back.
TOLERANCES = {
    "mql_meets_rule_in_force": {"max_count": 2, "agreed_because": "employee ranges"},
    "every_lead_has_a_source": {"max_share": 0.5, "agreed_because": "blank LeadSource"},
}


def company_definitions(folder: Path) -> Path:
    definitions = yaml.safe_load(settings.definitions_path().read_text())
    definitions["quality_tolerances"] = TOLERANCES
    path = folder / "brightline_definitions.yml"
    path.write_text(yaml.safe_dump(definitions, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def vendor_run(tmp_path_factory):
    """The vendor-shaped exports run once through the whole refresh job, with the shipped
    source mapping and the company's tolerances."""
    root = tmp_path_factory.mktemp("vendor") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.DEFINITIONS_ENV, str(company_definitions(root.parent)))
        patch.setenv(settings.DATA_DIR_ENV, str(root))
        settings.apply_environment()
        land_vendor_exports(settings.landing_dir())
        yield root, run_refresh()


@pytest.fixture
def vendor_data(vendor_run, monkeypatch):
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(vendor_run[0]))
    monkeypatch.setenv(
        settings.DEFINITIONS_ENV, str(vendor_run[0].parent / "brightline_definitions.yml")
    )
    settings.apply_environment()
    return vendor_run


def test_vendor_exports_build_pass_the_gate_and_publish(vendor_data):
    _, result = vendor_data
    failures = [
        f"{e.step_key}: {e.event_specific_data.error.message[:2000]}"
        for e in result.all_events
        if e.event_type_value == "STEP_FAILURE"
    ]
    assert result.success, failures
    assert settings.published_warehouse_path().exists()
    assert (settings.outputs_dir() / "dashboards" / "index.html").exists()
    # The records breaking a definition are published as exceptions, by their source ids.
    with duckdb.connect(str(settings.published_warehouse_path()), read_only=True) as con:
        exceptions = dict(
            con.execute(
                "select rule_name, count(*) from quality.rule_exceptions group by 1"
            ).fetchall()
        )
    assert set(exceptions) <= set(TOLERANCES) and exceptions


def test_vendor_exports_raw_counts_match_the_hand_count(vendor_data):
    assert query("select count(*) from raw_crm.leads") == [(6,)]
    assert query("select status, count(*) from raw_crm.leads group by 1 order by 1") == [
        ("Closed - Converted", 2),
        ("Closed - Not Converted", 1),
        ("Working - Contacted", 3),
    ]
    assert query(
        "select count(*), count(*) filter (where field = 'Status') from raw_crm.lead_history"
    ) == [(17, 9)]
    assert query(
        "select count(*), count(*) filter (where user_pseudo_id is null) "
        "from raw_web_analytics.events"
    ) == [(26, 2)]


def test_vendor_people_are_one_person_each_across_the_systems(vendor_data):
    # Nine people: five in both HubSpot and Salesforce (Ben's e-mail in another case), two
    # HubSpot-only, two CRM-only (Erin a lead, Ivan a contact without a lead); Alice's and
    # Chloe's leads converted into contacts of the same person; Grace's merged HubSpot ids
    # are not people.
    persons = query(
        "select count(distinct person_id) from intermediate.int_identities_linked "
        "where is_surviving and identity_kind in ('marketing_contact', 'crm_lead', "
        "'crm_contact')"
    )
    assert persons == [(9,)]
    same_person = query(
        "select count(distinct person_id) from intermediate.int_identities_linked "
        "where source_id in ('40100102', '00QHs000007mBb2MAE')"
    )
    assert same_person == [(1,)]


def test_crm_only_people_have_one_current_stage(vendor_data):
    rows = query(
        "select identities.source_id, count(*) from intermediate.int_identities_linked "
        "as identities join intermediate.int_lifecycle_stages_entered as stages "
        "using (person_id) where stages.is_current_stage and identities.source_id in "
        "('00QHs000007mEe5MAE', '003Hs000009kIi9IAE') group by 1 order by 1"
    )
    assert rows == [("003Hs000009kIi9IAE", 1), ("00QHs000007mEe5MAE", 1)]


def test_vendor_ga4_hits_are_counted_once_and_consent_pings_kept_apart(vendor_data):
    # 26 rows, one shard delivered twice: 25 events, of which 2 are consent pings; the two
    # page views of one microsecond differ only by batch_event_index and stay two.
    assert query("select count(*) from staging.stg_web_analytics__events") == [(25,)]
    assert query("select count(*) from intermediate.int_web_sessions_sessionized") == [(4,)]
