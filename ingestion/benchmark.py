"""Ingestion benchmark: the project's dlt load against DuckDB's own reader, side by side.

    python -m ingestion.benchmark --contacts 100000 --days 365

Generates (or reuses) demo exports at the chosen scale, then loads every source system, once
with each of these, each in a fresh process and into a fresh warehouse file:

- ``dlt``: the project's dlt source and pipeline (extract, normalize, load), as Dagster runs it;
- ``duckdb``: DuckDB's own ``read_csv`` / ``read_json`` over the same files straight into
  tables, the floor no loader can beat.

It prints the time per source (measured inside the process), the wall time of the whole
process (start-up included) and its peak memory (VmHWM), for both, and their ratios.
Machines are noisy: compare ratios measured in one run, not seconds across runs.
"""

import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingestion import settings
from ingestion.exports import SYSTEMS, ExportSystem

TARGET_RATIO = 1.5


def _floor_sql(export_system: ExportSystem, landing: Path) -> list[str]:
    statements = [f"create schema {export_system.dataset}"]
    for table in export_system.tables:
        files = f"{landing / export_system.name}/{table.file_glob}"
        if not glob.glob(files):  # an export the demo org doesn't make (LeadHistory)
            continue
        # DuckDB at its fastest: default options, schema sniffed from a sample of files.
        if export_system.file_format == "csv":
            reader = f"read_csv('{files}', filename=true)"
        else:
            reader = f"read_json('{files}', format='newline_delimited', filename=true)"
        statements.append(
            f"create table {export_system.dataset}.{table.name} as select * from {reader}"
        )
    return statements


def _worker(variant: str, landing: Path, data: Path) -> None:
    """Runs in the measured child process: loads every system, prints seconds and rows each."""
    results = {}
    if variant == "dlt":
        os.environ[settings.DATA_DIR_ENV] = str(data)
        from ingestion.sources import export_pipeline, source_for

        for export_system in SYSTEMS:
            started = time.perf_counter()
            pipeline = export_pipeline(export_system)
            info = pipeline.run(source_for(export_system))  # reads <data>/landing
            assert pipeline.last_trace and pipeline.last_trace.last_normalize_info, info
            counts = pipeline.last_trace.last_normalize_info.row_counts
            rows = sum(n for t, n in counts.items() if not t.startswith("_dlt"))
            results[export_system.name] = (time.perf_counter() - started, rows)
    else:
        import duckdb

        with duckdb.connect(str(data / "warehouse.duckdb")) as con:
            for export_system in SYSTEMS:
                started = time.perf_counter()
                for statement in _floor_sql(export_system, landing):
                    con.execute(statement)
                rows = sum(
                    con.execute(
                        f"select count(*) from {export_system.dataset}.{t.name}"
                    ).fetchall()[0][0]
                    for t in export_system.tables
                    if glob.glob(f"{landing / export_system.name}/{t.file_glob}")
                )
                results[export_system.name] = (time.perf_counter() - started, rows)
    print(json.dumps({"systems": results, "peak_mb": _peak_rss_mb()}))


def _peak_rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM, reset at exec, unlike ru_maxrss,
    which a child inherits from the parent it was forked from)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _measure(variant: str, landing: Path) -> dict:
    """One fresh process loading every system into a fresh warehouse, as a Dagster run does."""
    with tempfile.TemporaryDirectory(prefix=f"bench_{variant}_") as tmp:
        data = Path(tmp)
        (data / "landing").symlink_to(landing)
        started = time.perf_counter()
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ingestion.benchmark",
                "--worker",
                variant,
                "--landing",
                str(landing),
                "--data",
                str(data),
            ],
            stdout=subprocess.PIPE,
            env={**os.environ, "RUNTIME__LOG_LEVEL": "ERROR"},
        )
        output, _ = child.communicate()
        seconds = time.perf_counter() - started
        if child.returncode != 0:
            raise SystemExit(f"the {variant} load failed (exit {child.returncode})")
        return {"seconds": seconds, **json.loads(output.decode().strip().splitlines()[-1])}


def ensure_exports(landing: Path, contacts: int, days: int, seed: int) -> None:
    from ingestion.demo_exports import generate
    from ingestion.demo_exports.simulation.people import MQL_VIOLATION_SHARE

    manifest = landing / "_demo_exports.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        # exports with planted MQL violations (an older default) would fail the gate
        wanted = {
            "contacts": contacts,
            "days": days,
            "seed": seed,
            "mql_violation_share": MQL_VIOLATION_SHARE,
        }
        if all(found.get(key) == value for key, value in wanted.items()):
            print(f"Reusing exports in {landing}")
            return
        shutil.rmtree(landing)
    print(f"Generating {contacts:,} contacts over {days} days into {landing} ...", flush=True)
    started = time.perf_counter()
    generate(landing, seed=seed, contacts=contacts, days=days, shape="contract")
    print(f"Generated in {time.perf_counter() - started:.1f} s")


def _size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ingestion.benchmark")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--landing", type=Path, help="exports to use (default: generated)")
    parser.add_argument("--worker", choices=["dlt", "duckdb"], help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.landing, args.data)
        return

    settings.apply_environment()
    landing = args.landing or settings.data_dir() / "benchmark" / "landing"
    if not args.landing:
        ensure_exports(landing, args.contacts, args.days, args.seed)

    ours, floor = _measure("dlt", landing), _measure("duckdb", landing)
    header = (
        f"{'source':<22}{'files':>7}{'MB':>8}{'rows':>11}{'dlt s':>9}{'duckdb s':>10}{'ratio':>7}"
    )
    print("\n" + header + "\n" + "-" * len(header))
    for export_system in SYSTEMS:
        folder = landing / export_system.name
        files = sum(1 for f in folder.rglob("*") if f.is_file())
        ours_s, ours_rows = ours["systems"][export_system.name]
        floor_s, floor_rows = floor["systems"][export_system.name]
        print(
            f"{export_system.name:<22}{files:>7}{_size_mb(folder):>8.0f}{ours_rows:>11,}"
            f"{ours_s:>9.1f}{floor_s:>10.1f}{ours_s / floor_s:>7.2f}"
        )
        if ours_rows != floor_rows:
            print(f"  note: dlt extracted {ours_rows:,} rows, DuckDB read {floor_rows:,}")
    print("-" * len(header))
    ratio = ours["seconds"] / floor["seconds"]
    memory = ours["peak_mb"] / floor["peak_mb"]
    print(
        f"{'whole process (wall)':<48}{ours['seconds']:>9.1f}{floor['seconds']:>10.1f}{ratio:>7.2f}"
    )
    print(f"{'peak memory (MB)':<48}{ours['peak_mb']:>9.0f}{floor['peak_mb']:>10.0f}{memory:>7.2f}")
    print(
        f"\nTarget: ingestion within {TARGET_RATIO}x of DuckDB's own reader: "
        f"{'met' if ratio <= TARGET_RATIO else 'NOT met'} ({ratio:.2f}x)"
    )


if __name__ == "__main__":
    main()
