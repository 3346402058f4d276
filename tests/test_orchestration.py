"""The Dagster definitions: one connected graph, run end to end in process."""

import csv
import json
import os
from pathlib import Path

import pytest
from dagster import materialize

from ingestion.exports import CRM, MARKETING_AUTOMATION, SYSTEMS, WEB_ANALYTICS
from orchestration import launcher
from orchestration.dbt_project import dbt_resource
from orchestration.definitions import defs
from orchestration.ingestion_assets import ingestion_assets
from tests.conftest import query, table_counts

SNAPSHOT = Path(__file__).parent / "snapshots" / "asset_graph.json"


def asset_graph_summary() -> dict:
    graph = defs.resolve_asset_graph()
    return {
        key.to_user_string(): {
            "group": node.group_name,
            "owners": sorted(node.owners),
            "kinds": sorted(node.kinds),
            "upstream": sorted(k.to_user_string() for k in node.parent_keys),
        }
        for key, node in sorted(
            ((k, graph.get(k)) for k in graph.get_all_asset_keys()),
            key=lambda pair: pair[0].to_user_string(),
        )
    }


def test_asset_graph_matches_the_snapshot():
    """A refactor that drops, renames, regroups or disconnects an asset fails here.

    After an intended change: UPDATE_SNAPSHOTS=1 make test, and review the diff.
    """
    summary = asset_graph_summary()
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(summary, indent=2) + "\n")
    assert summary == json.loads(SNAPSHOT.read_text())


def test_every_raw_table_feeds_its_staging_model():
    graph = defs.resolve_asset_graph()
    for system in SYSTEMS:
        for table in system.tables:
            raw = graph.get(_key(system.name, table.name))
            children = {k.to_user_string() for k in raw.child_keys}
            assert f"staging/stg_{system.name}__{table.name}" in children, children


def _key(*path):
    from dagster import AssetKey

    return AssetKey(list(path))


def test_the_refresh_job_runs_end_to_end(refreshed, monkeypatch):
    root, result = refreshed
    monkeypatch.setenv("SHARED_FUNNEL_DATA_DIR", str(root))
    assert result.success
    for system in SYSTEMS:
        raw = table_counts(system.dataset)
        for table in system.tables:
            if table.optional_file:  # the demo org exports no LeadHistory
                continue
            staged = query(f"select count(*) from staging.stg_{system.name}__{table.name}")[0][0]
            if table.primary_key:
                assert staged == raw[table.name] > 0, (system.name, table.name)
            else:
                # web events: exact duplicate hits collapse, nothing else is dropped
                assert 0 < staged <= raw[table.name]
    materialized = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
    }
    leads = materialized["crm/leads"]
    assert leads.metadata["dagster/row_count"].value == table_counts("raw_crm")["leads"]

    # The dbt unit tests (hand-worked answers for stage order, business hours, identity
    # merging, the MQL rule...) run here, on the schemas the job just built.
    unit_tests = dbt_resource().cli(["test", "--select", "test_type:unit"], raise_on_error=False)
    assert unit_tests.wait().is_successful(), unit_tests.get_error()


def test_one_bad_source_does_not_stop_the_others(landing):
    day = sorted(p.name for p in (landing / "crm").iterdir())[0]
    broken = landing / "crm" / day / "Account.csv"
    with broken.open() as handle:
        rows = list(csv.DictReader(handle))
    header = [c for c in CRM.table("accounts").required_columns if c != "Name"]
    with broken.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)

    result = materialize(ingestion_assets, resources=defs.resources, raise_on_error=False)
    assert not result.success
    failures = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    assert [e.step_key for e in failures] == ["load_crm"]
    message = failures[0].step_failure_data.error.to_string()
    assert str(broken) in message and "Name" in message
    assert table_counts(CRM.dataset) == {}
    for system in (MARKETING_AUTOMATION, WEB_ANALYTICS):
        assert all(table_counts(system.dataset).get(t.name, 0) > 0 for t in system.tables)


def test_make_demo_loads_the_good_sources_and_prints_its_summary_when_one_fails(landing, capsys):
    day = sorted(p.name for p in (landing / "crm").iterdir())[0]
    broken = landing / "crm" / day / "Lead.csv"
    with broken.open() as handle:
        rows = list(csv.DictReader(handle))
    header = [c for c in CRM.table("leads").column_names if c not in ("Status", "Email")]
    with broken.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)

    with pytest.raises(SystemExit) as exit_:
        launcher.demo(contacts=150, days=14, seed=11)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "Run FAILED" in out
    failed = next(line for line in out.splitlines() if line.startswith("  FAILED step"))
    assert "load_crm" in failed
    assert f"{broken}: missing required column(s) Email, Status" in out
    assert "held back (an upstream step failed): " in out and "transform_models" in out
    # The summary's table: the other sources loaded, the CRM did not.
    lines = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("raw_")
    }
    assert lines["raw_marketing_automation.contacts"][0] != "0"
    assert lines["raw_web_analytics.events"][0] != "0"
    assert lines["raw_crm.leads"][0] == "0"
    assert "Published marts: none yet" in out
