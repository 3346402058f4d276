"""Command-line entry points behind `make prepare`, `make demo` and `make ui`.

Wiring only: it points Dagster and dbt at the one data-dir setting, then hands over to
the generator, the Dagster job or the Dagster UI.
"""

import argparse
import os
import shutil
import signal
import sys
import time
from pathlib import Path

from ingestion import settings

DAGSTER_YAML = Path(__file__).with_name("dagster.yaml")


def dagster_home() -> Path:
    """The Dagster instance lives under the data dir, configured by orchestration/dagster.yaml."""
    home = settings.data_dir() / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(DAGSTER_YAML, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def prepare() -> None:
    """Parse the dbt project into its manifest, which the Definitions load (not build)."""
    from orchestration.dbt_project import dbt_resource

    settings.apply_environment()
    dbt_resource().cli(["parse", "--quiet"], target_path=Path("target")).wait()


def docs() -> Path:
    """Render the dbt docs (every model and column), naming the tables as the published
    file analysts query has them (dbt target `published`)."""
    from orchestration.dbt_project import dbt_resource

    settings.apply_environment()
    target = settings.outputs_dir() / "dbt_docs"
    dbt_resource().cli(
        ["docs", "generate", "--static", "--target", "published", "--target-path", str(target)]
    ).wait()
    print(f"dbt docs: {target / 'static_index.html'}")
    return target


def demo(contacts: int, days: int, seed: int, shape: str | None = None) -> None:
    """Generate demo exports (unless some are there already) and run the whole job once,
    reading them with their shape's source mapping."""
    from dagster import DagsterInstance

    from ingestion.demo_exports import DEFAULT_SHAPE, generate
    from ingestion.exports import SYSTEMS
    from ingestion.sources import quarantined_row_counts
    from orchestration.definitions import defs
    from orchestration.quality_checks import check_evaluations, failed_checks
    from orchestration.recovery import recover_dead_runs
    from orchestration.warehouse import table_row_counts

    settings.apply_environment()
    landing = settings.landing_dir()
    if any(landing.glob("*/*/*")):
        print(f"Using the exports already in {landing}")
    else:
        shape = shape or DEFAULT_SHAPE
        print(
            f"Generating demo exports ({shape} shape): {contacts} contacts over {days} days "
            f"-> {landing}"
        )
        generate(landing, seed=seed, contacts=contacts, days=days, shape=shape)
    print(f"Source mapping: {settings.source_mapping_path()}")

    dagster_home()
    started = time.monotonic()
    # A failed step doesn't stop the others: the sources that load, load; what depends on
    # a failed step is held back; the summary below is printed either way.
    job = defs.resolve_job_def("shared_funnel_refresh")
    instance = DagsterInstance.get()
    recover_dead_runs(instance, log=print)  # a killed run must not hold the warehouse
    result = job.execute_in_process(instance=instance, raise_on_error=False)
    elapsed = time.monotonic() - started
    print(f"\nRun {'succeeded' if result.success else 'FAILED'} in {elapsed:.1f} s")
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = getattr(event.event_specific_data, "error", None)
            reason = (getattr(error, "message", "") or "").strip().splitlines()[:12]
            print(f"  FAILED step {event.step_key}: " + "\n    ".join(reason))
    steps_started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
    held_back = sorted(set(job.graph.node_names()) - steps_started)
    if held_back:
        print(f"  held back (an upstream step failed): {', '.join(held_back)}")
    print()
    print(f"{'raw table':<45}{'rows':>12}{'quarantined':>14}")
    for system in SYSTEMS:
        rows = table_row_counts(system.dataset, [t.name for t in system.tables])
        quarantined = quarantined_row_counts(system.dataset)
        for table in system.tables:
            name = f"{system.dataset}.{table.name}"
            print(f"{name:<45}{rows.get(table.name, 0):>12,}{quarantined.get(table.name, 0):>14,}")
    checks = check_evaluations(result)
    flagged = failed_checks(checks, include_warnings=True)
    failed = [f for f in flagged if f.severity == "ERROR"]
    print(f"\nChecks: {len(checks) - len(failed)} passed or warned, {len(failed)} failed")
    for check in flagged:
        print(f"  {check.line()}")
    published = settings.published_warehouse_path()
    note = " (the last good copy: this run did not publish)" if failed else ""
    print(f"Published marts: {published if published.exists() else 'none yet'}{note}")
    print(f"Quality Data Docs: {settings.outputs_dir() / 'quality_docs' / 'index.html'}")
    print(f"Dashboards: {settings.outputs_dir() / 'dashboards' / 'index.html'}")
    print(f"\nWarehouse: {settings.warehouse_path()}")
    print(f"Query it:  make sql   (the duckdb shell, read-only, on {published})")
    print("Open the UI: make ui   (then http://127.0.0.1:3000)")
    if not result.success:
        sys.exit(1)


def ui(port: int) -> None:
    """Start the Dagster UI on 127.0.0.1 with the same definitions and instance."""
    settings.apply_environment()
    home = dagster_home()
    print(f"Dagster UI on http://127.0.0.1:{port} (instance {home}); Ctrl-C stops it.")
    # Started from make or a script with `&`, SIGINT may be ignored; restore the defaults
    # so Ctrl-C and kill stop it (shared/stack-notes.md, pitfall 7).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    dagster = str(Path(sys.executable).with_name("dagster"))
    os.execv(
        dagster,
        [dagster, "dev", "-h", "127.0.0.1", "-p", str(port), "-m", "orchestration.definitions"],
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m orchestration.launcher")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("prepare", help="parse the dbt project into its manifest")
    commands.add_parser(
        "docs", help="render the dbt docs, named as the published file has the tables"
    )
    demo_parser = commands.add_parser("demo", help="generate demo exports and run the job")
    demo_parser.add_argument("--contacts", type=int, default=2000)
    demo_parser.add_argument("--days", type=int, default=90)
    demo_parser.add_argument("--seed", type=int, default=7)
    demo_parser.add_argument(
        "--shape",
        help="the demo exports' shape (ingestion/demo_exports: the vendors' own by default)",
    )
    ui_parser = commands.add_parser("ui", help="start the Dagster UI on 127.0.0.1")
    ui_parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare()
    elif args.command == "docs":
        docs()
    elif args.command == "demo":
        demo(args.contacts, args.days, args.seed, args.shape)
    else:
        ui(args.port)


if __name__ == "__main__":
    main()
