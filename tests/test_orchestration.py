"""The Dagster definitions: one connected graph, run end to end in process."""

import csv
import os

import pytest
import yaml
from dagster import materialize
from syrupy.extensions.json import JSONSnapshotExtension

from ingestion import settings
from ingestion.exports import CRM, MARKETING_AUTOMATION, SYSTEMS, WEB_ANALYTICS
from orchestration import launcher
from orchestration.dbt_project import dbt_resource
from orchestration.definitions import defs
from orchestration.ingestion_assets import ingestion_assets
from tests.conftest import query, table_counts


def definitions_summary() -> dict:
    """What the Definitions promise a user of the UI: every asset with its group, owners,
    kinds, freshness policy, upstream assets and checks (blocking or not); each job's
    selection; the schedules and sensors."""
    graph = defs.resolve_asset_graph()

    def checks(key) -> dict:
        return {
            check.name: "blocking" if graph.get_check_spec(check).blocking else "non-blocking"
            for check in sorted(graph.get(key).check_keys, key=lambda c: c.name)
        }

    def freshness(node) -> str | None:
        policy = node.freshness_policy_or_from_metadata
        return repr(policy) if policy else None

    assets = {
        key.to_user_string(): {
            "group": node.group_name,
            "owners": sorted(node.owners),
            "kinds": sorted(node.kinds),
            "freshness_policy": freshness(node),
            "upstream": sorted(k.to_user_string() for k in node.parent_keys),
            "checks": checks(key),
        }
        for key, node in sorted(
            ((k, graph.get(k)) for k in graph.get_all_asset_keys()),
            key=lambda pair: pair[0].to_user_string(),
        )
    }
    jobs = {
        job.name: {
            "assets": sorted(k.to_user_string() for k in job.selection.resolve(graph)),
            "checks": len(job.selection.resolve_checks(graph)),
        }
        for job in sorted(defs.jobs or (), key=lambda job: job.name)
    }
    return {
        "assets": assets,
        "jobs": jobs,
        "schedules": {
            s.name: {"cron": s.cron_schedule, "timezone": s.execution_timezone, "job": s.job_name}
            for s in defs.schedules
        },
        "sensors": {
            s.name: {
                "job": s.job_name,
                "minimum_interval_seconds": s.minimum_interval_seconds,
                "default_status": s.default_status.value,
            }
            for s in defs.sensors
        },
    }


def test_the_definitions_match_the_snapshot(snapshot):
    """A refactor that drops, renames, regroups or disconnects an asset, a check, a
    freshness policy, a job's selection, a schedule or a sensor fails here.

    After an intended change: `pytest tests/test_orchestration.py -k snapshot
    --snapshot-update`, and review the diff of tests/__snapshots__/.
    """
    assert definitions_summary() == snapshot(extension_class=JSONSnapshotExtension)


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


def test_make_demo_loads_the_good_sources_and_prints_its_summary_when_one_fails(
    landing, capsys, monkeypatch
):
    monkeypatch.setenv(settings.SOURCE_MAPPING_ENV, "")  # the demo points it at its mapping
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


def test_make_demo_prints_its_summary_when_the_gate_blocks(landing, capsys, monkeypatch, tmp_path):
    """Every source loads and every model builds, but a definition rule with tolerance 0
    fails: the run fails, nothing is published, and the summary still says why."""
    monkeypatch.setenv(settings.SOURCE_MAPPING_ENV, "")  # the demo points it at its mapping
    definitions = yaml.safe_load(settings.definitions_path().read_text())
    assert definitions["quality_tolerances"] == {}  # every definition rule tolerates 0
    # No company is this big: every MQL HubSpot marked misses the MQL rule in force.
    for rule in definitions["mql_rules"]:
        rule["ideal_customer_profile"]["min_employees"] = 10**9
    changed = tmp_path / "lead_definitions.yml"
    changed.write_text(yaml.safe_dump(definitions, sort_keys=False))
    monkeypatch.setenv(settings.DEFINITIONS_ENV, str(changed))

    with pytest.raises(SystemExit) as exit_:
        launcher.demo(contacts=150, days=14, seed=11)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "Run FAILED" in out
    failed_step = next(line for line in out.splitlines() if line.startswith("  FAILED step"))
    assert "quality_gate" in failed_step
    assert "held back (an upstream step failed): " in out and "publish__shared_funnel_marts" in out
    # The summary's table: all three systems loaded.
    rows = {
        line.split()[0]: int(line.split()[1].replace(",", ""))
        for line in out.splitlines()
        if line.startswith("raw_")
    }
    for system in SYSTEMS:
        names = [f"{system.dataset}.{table.name}" for table in system.tables]
        assert set(names) <= set(rows)
        assert sum(rows[name] for name in names) > 0, system.dataset
    # The failed check names the rule and how many records break it: every MQL.
    [(mqls,)] = query(
        "select count(*) from intermediate.int_contacts_mql_rule_checked where is_mql"
    )
    assert mqls > 0
    failed = [line.strip() for line in out.splitlines() if line.startswith("  ERROR ")]
    assert len(failed) == 1
    assert f"mql_meets_rule_in_force: {mqls:,} failing" in failed[0]
    assert "; e.g. HubSpot contact " in failed[0]  # example records, by their source ids
    assert "Published marts: none yet" in out
    assert not settings.published_warehouse_path().exists()


@pytest.fixture(scope="module")
def vendor_demo(tmp_path_factory):
    """`make demo` as it runs by default, on an empty data dir (small): it generates the
    vendor-shaped exports and reads them through their source mapping. (data dir, output)"""
    import contextlib
    import io

    root = tmp_path_factory.mktemp("vendor_demo") / "data"
    output = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(settings.DATA_DIR_ENV, str(root))
        patch.setenv(settings.SOURCE_MAPPING_ENV, "")  # restored afterwards
        with contextlib.redirect_stdout(output):
            launcher.demo(contacts=150, days=14, seed=11)  # exits 1 if the run failed
    return root, output.getvalue()


def test_make_demo_by_default_reads_vendor_shaped_exports_through_their_mapping(vendor_demo):
    root, out = vendor_demo
    assert "Generating demo exports (vendor shape)" in out
    mapping = next(line for line in out.splitlines() if line.startswith("Source mapping: "))
    assert mapping.endswith("ingestion/demo_exports/mappings/vendor.yml")
    assert "Run succeeded" in out
    assert "Checks: " in out and ", 0 failed" in out
    assert (root / "outputs" / "shared_funnel.duckdb").exists()
    assert (root / "outputs" / "dashboards" / "index.html").exists()
    lines = {
        line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("raw_")
    }
    assert int(lines["raw_crm.lead_history"][0].replace(",", "")) > 0
    assert lines["raw_crm.leads"][1] == "0"  # nothing quarantined


def test_make_demo_on_vendor_exports_times_sales_stages_from_lead_history(vendor_demo, monkeypatch):
    root, _ = vendor_demo
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    # No custom fields: acceptances and qualifications are LeadHistory's Status changes,
    # the MQL dates HubSpot's; nothing had to be inferred from a current status.
    sources = query(
        "select accepted_at_source, count(accepted_at), qualified_at_source, count(qualified_at) "
        "from intermediate.int_crm_leads_stage_timed where accepted_at is not null "
        "or qualified_at is not null group by all"
    )
    assert {(a, q) for a, _, q, _ in sources} <= {
        ("lead_history", "lead_history"),
        ("lead_history", None),
        (None, "lead_history"),
    }
    assert sum(row[1] for row in sources) > 0 and sum(row[3] for row in sources) > 0
    assert query(
        "select count(*) filter (where mql_at_source = 'custom_field') "
        "from intermediate.int_crm_leads_stage_timed"
    ) == [(0,)]
    stages = dict(query("select stage_key, count(*) from marts.funnel_stage_entries group by 1"))
    assert stages.get("sal", 0) > 0 and stages.get("sql", 0) > 0 and stages.get("mql", 0) > 0
    pings = query("select count(*) from raw_web_analytics.events where user_pseudo_id is null")
    assert pings[0][0] > 0


def test_old_dbt_run_folders_are_pruned_and_the_current_one_kept(tmp_path):
    from orchestration.dbt_project import prune_run_folders

    folders = []
    for i in range(8):
        folder = tmp_path / f"transform_models-{i:03d}"
        folder.mkdir()
        os.utime(folder, (1_000_000 + i, 1_000_000 + i))
        folders.append(folder)
    (tmp_path / "manifest.json").write_text("{}")
    current = folders[0]  # the oldest by time, but the run that just finished

    # the 3 newest (005, 006, 007) stay, and the current one; 001 to 004 go
    assert prune_run_folders(current, keep=3) == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "manifest.json",
        "transform_models-000",
        "transform_models-005",
        "transform_models-006",
        "transform_models-007",
    ]


def _descriptions() -> dict[str, str | None]:
    """Every asset's and every check's description, as the UI gets them."""
    graph = defs.resolve_asset_graph()
    assets = {k.to_user_string(): graph.get(k).description for k in graph.get_all_asset_keys()}
    checks = {
        k.to_user_string(): graph.get_check_spec(k).description for k in graph.asset_check_keys
    }
    return {**assets, **checks}


def test_every_check_says_what_it_asserts():
    graph = defs.resolve_asset_graph()
    specs = {key.name: graph.get_check_spec(key) for key in graph.asset_check_keys}
    undescribed = sorted(name for name, spec in specs.items() if not spec.description)
    assert not undescribed, f"{len(undescribed)} of {len(specs)} checks: {undescribed[:10]}"
    # A generic dbt test says what it asserts, with its arguments...
    accepted = specs[
        "accepted_values_int_marketing_activities_matched_activity_kind__form_submission__email_event"
    ].description
    assert "activity_kind" in accepted and "form_submission, email_event" in accepted
    # ...a values list from a dbt var, the var's values; a singular test keeps its YAML's.
    from transform.project import project_var

    kinds = next(
        s.description
        for n, s in specs.items()
        if n.startswith("accepted_values_int_identities_linked_identity_kind")
    )
    assert ", ".join(project_var("identity_kinds")) in kinds
    assert specs["account_revenue_won_revenue_matches_the_crm"].description.startswith(
        "Cross-check against the CRM"
    )
    # A quality rule's check is the rule's own description.
    from orchestration.quality_checks import check_key
    from quality.rules import gate_rules

    for rule in gate_rules():
        described = graph.get_check_spec(check_key(rule)).description
        assert described.replace("`", "") == rule.description.replace("`", ""), rule.name


def test_descriptions_keep_their_placeholders_in_the_ui():
    """Dagster renders descriptions as Markdown (CommonMark, HTML allowed): a bare
    `<landing>` is an HTML tag and disappears. Every placeholder must survive rendering."""
    import html
    import re

    from markdown_it import MarkdownIt

    markdown = MarkdownIt("commonmark")
    placeholder = re.compile(r"<[^<>\s`][^<>`\n]*(?<!\s)>")
    lost = {}
    with_placeholders = 0
    for name, description in _descriptions().items():
        wanted = placeholder.findall(description or "")
        with_placeholders += bool(wanted)
        shown = html.unescape(re.sub(r"<[^>]+>", "", markdown.render(description or "")))
        missing = [p for p in wanted if p not in shown]
        if missing:
            lost[name] = missing
    assert with_placeholders >= 4  # the landing folders and the dashboard pages at least
    assert not lost, lost


def test_each_dashboard_page_depends_on_the_marts_its_exposure_reads():
    from orchestration.transform_assets import SharedFunnelDbtTranslator
    from transform.project import manifest

    graph = defs.resolve_asset_graph()
    translator = SharedFunnelDbtTranslator()
    every_page: set[str] = set()
    for exposure in manifest()["exposures"].values():
        slug = exposure["name"].removeprefix("dashboard_")
        reads = {
            translator.get_asset_key(
                manifest()["sources"].get(uid) or manifest()["nodes"][uid]
            ).to_user_string()
            for uid in exposure["depends_on"]["nodes"]
        }
        parents = {k.to_user_string() for k in graph.get(_key("dashboards", slug)).parent_keys}
        assert parents == reads | {"publish/shared_funnel_marts"}, slug
        every_page |= reads
    sla = {k.to_user_string() for k in graph.get(_key("dashboards", "sla")).parent_keys}
    assert "marts/sla_by_owner" in sla and "marts/customer_journey" not in sla
    index = {k.to_user_string() for k in graph.get(_key("dashboards", "index")).parent_keys}
    assert index == every_page | {"publish/shared_funnel_marts"}


def test_every_dbt_table_built_carries_its_row_count(refreshed, monkeypatch):
    root, result = refreshed
    monkeypatch.setenv(settings.DATA_DIR_ENV, str(root))
    from transform.project import models

    materialized = {
        event.asset_key.to_user_string(): event.step_materialization_data.materialization
        for event in result.get_asset_materialization_events()
    }
    tables = [m for m in models() if m["config"]["materialized"] != "view"]
    assert tables
    for node in tables:
        key = f"{node['schema']}/{node['name']}"
        count = materialized[key].metadata["dagster/row_count"].value
        assert count == query(f"select count(*) from {node['relation_name']}")[0][0], key


def test_a_dbt_run_folder_written_to_in_the_last_hour_is_never_pruned(tmp_path):
    """Runs of other data dirs share transform/target/ without sharing a lock: a folder
    still being written or read stays, however many newer ones there are."""
    from orchestration.dbt_project import prune_run_folders

    folders = [tmp_path / f"transform_models-{i:03d}" for i in range(5)]
    for folder in folders:
        folder.mkdir()
    os.utime(folders[0], (1_000_000, 1_000_000))  # days old: goes
    assert prune_run_folders(folders[-1], keep=2) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [f.name for f in folders[1:]]
