"""Refresh benchmark: one day's drop refreshed incrementally against a full rebuild.

    python -m orchestration.benchmark --contacts 100000 --days 365

Uses (or generates) the same demo exports as the ingestion benchmark, then, each run of
the job `shared_funnel_refresh` in a fresh process:

1. history: every day but the last, loaded and built from scratch (the state before);
2. daily: the last day's drop added, refreshed (what the sensor or the schedule runs);
3. full: every day, loaded and built from scratch into a fresh warehouse.

It prints the wall time of each, the time of each step of the daily and full runs, and
the daily / full ratio against the target. Export files are hard links, not copies.

All three runs use one warehouse path, for which dbt's parse state is made once before
them, as `make prepare` makes it for a user's warehouse: dbt re-parses the whole project
(8 s more per run) when the warehouse path differs from the one it was parsed for.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ingestion import settings

TARGET_RATIO = 0.10


def _worker() -> None:
    """Runs in the measured child process: the whole refresh job; prints step seconds."""
    from dagster import DagsterInstance

    from orchestration.definitions import defs

    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def("shared_funnel_refresh").execute_in_process(
        instance=instance, raise_on_error=False
    )
    steps = {
        stats.step_key: stats.end_time - stats.start_time
        for stats in instance.get_run_step_stats(result.run_id)
        if stats.start_time and stats.end_time
    }
    failures = [
        f"step {event.step_key} failed" for event in result.all_events if event.is_step_failure
    ]
    failures += [
        f"check {check.asset_key.to_user_string()}:{check.check_name} failed"
        for check in result.get_asset_check_evaluations()
        if not check.passed
    ]
    print(json.dumps({"success": result.success, "steps": steps, "failures": failures}))


def _environment(data: Path, dbt_target: Path) -> dict:
    return {**os.environ, settings.DATA_DIR_ENV: str(data), "DBT_TARGET_PATH": str(dbt_target)}


def _parse(data: Path, dbt_target: Path) -> None:
    """dbt's parse state for this warehouse path (dagster-dbt starts every run from it)."""
    from orchestration.dbt_project import DBT_PROJECT_DIR

    subprocess.run(
        [
            str(Path(sys.executable).with_name("dbt")),
            "parse",
            "--quiet",
            "--profiles-dir",
            ".",
            "--target-path",
            str(dbt_target),
        ],
        cwd=DBT_PROJECT_DIR,
        env=_environment(data, dbt_target),
        check=True,
    )


def _run(data: Path, dbt_target: Path) -> dict:
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-m", "orchestration.benchmark", "--worker"],
        env=_environment(data, dbt_target),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = child.stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        raise SystemExit(f"the refresh of {data} failed:\n{child.stderr[-3000:]}")
    outcome = json.loads(lines[-1])
    if not outcome["success"]:
        raise SystemExit(f"the refresh of {data} failed: {'; '.join(outcome['failures'])}")
    return {"seconds": seconds, "steps": outcome["steps"]}


def _link_days(exports: Path, landing: Path, days: list[str]) -> None:
    for system in sorted(p for p in exports.iterdir() if p.is_dir()):
        for day in days:
            if (system / day).is_dir():
                shutil.copytree(system / day, landing / system.name / day, copy_function=os.link)


def _steps_table(daily: dict, full: dict) -> None:
    header = f"{'step':<58}{'daily s':>9}{'full s':>9}"
    print("\n" + header + "\n" + "-" * len(header))
    for step in sorted(
        set(daily["steps"]) | set(full["steps"]), key=lambda s: -full["steps"].get(s, 0)
    ):
        if full["steps"].get(step, 0) >= 0.5 or daily["steps"].get(step, 0) >= 0.5:
            print(
                f"{step[:57]:<58}{daily['steps'].get(step, 0):>9.1f}"
                f"{full['steps'].get(step, 0):>9.1f}"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.benchmark")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker()
        return

    from ingestion.benchmark import ensure_exports

    settings.apply_environment()
    root = settings.data_dir() / "benchmark"
    exports = root / "landing"
    ensure_exports(exports, args.contacts, args.days, args.seed)
    days = sorted(p.name for p in (exports / "crm").iterdir() if p.is_dir())

    data, dbt_target = root / "refresh", root / "dbt_target"
    incremental, full = root / "refresh_incremental", root / "refresh_full"
    for stale in (data, dbt_target, incremental, full):
        shutil.rmtree(stale, ignore_errors=True)
    _parse(data, dbt_target)
    _link_days(exports, data / "landing", days[:-1])
    print(f"History: {len(days) - 1} days, built from scratch ...", flush=True)
    history = _run(data, dbt_target)
    print(f"  {history['seconds']:.1f} s\nDaily: the drop of {days[-1]} refreshed ...", flush=True)
    _link_days(exports, data / "landing", days[-1:])
    daily = _run(data, dbt_target)
    data.rename(incremental)
    print(f"  {daily['seconds']:.1f} s\nFull: all {len(days)} days from scratch ...", flush=True)
    _link_days(exports, data / "landing", days)
    rebuild = _run(data, dbt_target)
    data.rename(full)
    print(f"  {rebuild['seconds']:.1f} s")

    _steps_table(daily, rebuild)
    ratio = daily["seconds"] / rebuild["seconds"]
    print(
        f"\n{'whole run (wall, start-up included)':<58}{daily['seconds']:>9.1f}"
        f"{rebuild['seconds']:>9.1f}"
    )
    print(
        f"\nTarget: a one-day refresh under {TARGET_RATIO:.0%} of a full rebuild: "
        f"{'met' if ratio < TARGET_RATIO else 'NOT met'} ({ratio:.1%})"
    )


if __name__ == "__main__":
    main()
