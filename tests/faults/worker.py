"""One pipeline run in a child process, as the terminal launcher makes it: dead runs
recovered first, then the job on the data dir's Dagster instance. Prints one JSON line.

    python -m tests.faults.worker [--loads-only]
"""

import argparse
import json
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loads-only", action="store_true")
    args = parser.parse_args()

    from dagster import AssetKey, DagsterInstance

    from ingestion import settings
    from ingestion.exports import SYSTEMS
    from orchestration import launcher
    from orchestration.definitions import defs
    from orchestration.recovery import recover_dead_runs

    settings.apply_environment()
    launcher.dagster_home()
    instance = DagsterInstance.get()
    recovered = recover_dead_runs(instance)
    job = defs.resolve_job_def("shared_funnel_refresh")
    selection = (
        [AssetKey([s.name, t.name]) for s in SYSTEMS for t in s.tables] if args.loads_only else None
    )
    result = job.execute_in_process(
        instance=instance, raise_on_error=False, asset_selection=selection
    )
    failures = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = getattr(event.event_specific_data, "error", None)
            message = (getattr(error, "message", "") or "").strip().splitlines()
            failures.append(f"{event.step_key}: {message[0] if message else ''}"[:300])
    print(
        json.dumps(
            {
                "success": result.success,
                "recovered": len(recovered),
                "failures": failures,
                "steps": sorted(
                    {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
                ),
            }
        )
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
