"""Runs by itself: the schedule, the landing-folder sensor, freshness, safe concurrency."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from dagster import AssetKey, DagsterInstance, build_sensor_context

from ingestion import settings
from orchestration.definitions import defs

REPO = Path(__file__).resolve().parents[1]


def tick(cursor: str | None = None):
    sensor = defs.resolve_sensor_def("new_exports")
    context = build_sensor_context(
        cursor=cursor, definitions=defs, instance=DagsterInstance.ephemeral()
    )
    return sensor.evaluate_tick(context)


def test_the_whole_graph_is_scheduled_daily():
    schedule = defs.resolve_schedule_def("daily_refresh")
    assert schedule.job_name == "shared_funnel_refresh"
    assert schedule.cron_schedule == "0 6 * * *"


def test_the_sensor_refreshes_only_the_systems_with_new_files_and_what_is_downstream(landing):
    first = tick()
    [request] = first.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert {
        "crm/leads",
        "marketing_automation/contacts",
        "web_analytics/events",
        "marts/customer_journey",
        "publish/shared_funnel_marts",
    } <= selected
    assert not any(key.startswith("landing/") for key in selected)
    landed = {event.asset_key.to_user_string() for event in first.asset_events}
    assert landed == {"landing/crm", "landing/marketing_automation", "landing/web_analytics"}

    assert tick(first.cursor).run_requests == []  # nothing new: a skip, not a run

    day = sorted((landing / "crm").iterdir())[-1]
    drop = landing / "crm" / "2099-01-01"
    drop.mkdir()
    shutil.copy(day / "Lead.csv", drop / "Lead.csv")
    os.utime(drop / "Lead.csv", (time.time() + 5, time.time() + 5))

    second = tick(first.cursor)
    [request] = second.run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert "crm/leads" in selected and "marts/customer_journey" in selected
    assert not any(key.startswith(("marketing_automation/", "web_analytics/")) for key in selected)
    assert [e.asset_key.to_user_string() for e in second.asset_events] == ["landing/crm"]
    assert json.loads(second.cursor)["crm"] != json.loads(first.cursor)["crm"]
    assert tick(second.cursor).run_requests == []

    # A late drop copied with its old modification time (cp -p, rsync -a) is new all the same.
    late = landing / "crm" / "2025-12-31"
    late.mkdir()
    shutil.copy2(day / "Lead.csv", late / "Lead.csv")
    os.utime(late / "Lead.csv", (0, 0))
    [request] = tick(second.cursor).run_requests
    assert "crm/leads" in {key.to_user_string() for key in request.asset_selection}


def test_export_folders_carry_the_freshness_agreed_in_the_dbt_sources():
    graph = defs.resolve_asset_graph()
    for system in ("marketing_automation", "crm", "web_analytics"):
        policy = graph.get(AssetKey(["landing", system])).freshness_policy
        assert policy is not None, system
        assert policy.fail_window.to_timedelta().days == 7
        assert policy.warn_window.to_timedelta().days == 2


def test_two_runs_at_once_queue_for_the_warehouse_and_both_succeed(landing, tmp_path):
    """Two refreshes started together (say, the schedule and a person with `make demo`):
    the second waits for the warehouse instead of failing on DuckDB's lock."""
    script = (
        "from orchestration.definitions import defs; import sys; "
        "r = defs.resolve_job_def('shared_funnel_refresh').execute_in_process("
        "raise_on_error=False); sys.exit(0 if r.success else 1)"
    )
    env = {**os.environ, settings.DATA_DIR_ENV: str(settings.data_dir())}
    logs = [tmp_path / f"run{n}.log" for n in range(2)]  # files: a full pipe would block
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            cwd=REPO,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        for log in logs
    ]
    for run in runs:
        run.wait(timeout=900)
    outputs = [log.read_text() for log in logs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    assert any("Waiting for the warehouse" in output for output in outputs)


def test_the_first_tick_after_a_run_that_loaded_every_file_starts_nothing(refreshed_copy):
    """`make demo` loads every file, then `make ui` evaluates the sensor for the first time
    (no cursor): nothing is new to the ledger, so no run takes the warehouse's only slot."""
    first = tick()
    assert first.run_requests == [] and not first.asset_events
    assert set(json.loads(first.cursor)) == {"marketing_automation", "crm", "web_analytics"}
    assert tick(first.cursor).run_requests == []

    # Touched or copied again with the same bytes: still in the ledger, still no run.
    landing = settings.landing_dir()
    lead = sorted((landing / "crm").glob("*/Lead.csv"))[-1]
    os.utime(lead, (time.time() + 5, time.time() + 5))
    touched = tick(first.cursor)
    assert touched.run_requests == []

    # A new file is a run, of its system only.
    drop = landing / "crm" / "2099-01-01"
    drop.mkdir()
    shutil.copy(lead, drop / "Lead.csv")
    [request] = tick(touched.cursor).run_requests
    selected = {key.to_user_string() for key in request.asset_selection}
    assert "crm/leads" in selected
    assert not any(key.startswith(("marketing_automation/", "web_analytics/")) for key in selected)
