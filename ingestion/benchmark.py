"""Ingestion benchmark: the project's dlt load against DuckDB's own reader, side by side.

    python -m ingestion.benchmark --contacts 100000 --days 365

Generates (or reuses) demo exports at the chosen scale, then for every source system runs,
each in a fresh process and into a fresh warehouse file:

- ``dlt``: the project's dlt source and pipeline (extract, normalize, load), as Dagster runs it;
- ``duckdb``: DuckDB's own ``read_csv`` / ``read_json`` over the same files straight into
  tables, the floor no loader can beat.

It prints wall time and peak memory (max RSS of the process) of both and their ratios.
Machines are noisy: compare ratios measured in one run, not seconds across runs.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingestion import settings
from ingestion.exports import SYSTEMS, ExportSystem, system

TARGET_RATIO = 1.5


def _floor_sql(export_system: ExportSystem, landing: Path) -> list[str]:
    statements = [f"create schema {export_system.dataset}"]
    for table in export_system.tables:
        files = f"{landing / export_system.name}/{table.file_glob}"
        if export_system.file_format == "csv":
            reader = f"read_csv('{files}', union_by_name=true, filename=true)"
        else:
            reader = (
                f"read_json('{files}', format='newline_delimited', union_by_name=true, "
                f"filename=true)"
            )
        statements.append(
            f"create table {export_system.dataset}.{table.name} as select * from {reader}"
        )
    return statements


def _worker(variant: str, system_name: str, landing: Path, data: Path) -> None:
    """Runs in the measured child process; prints the rows it loaded as JSON."""
    export_system = system(system_name)
    if variant == "dlt":
        os.environ[settings.DATA_DIR_ENV] = str(data)
        from ingestion.sources import export_pipeline, source_for

        pipeline = export_pipeline(export_system)
        pipeline.run(source_for(export_system))  # reads <data>/landing, linked to the exports
        counts = pipeline.last_trace.last_normalize_info.row_counts
        rows = sum(n for t, n in counts.items() if not t.startswith("_dlt"))
    else:
        import duckdb

        with duckdb.connect(str(data / "warehouse.duckdb")) as con:
            for statement in _floor_sql(export_system, landing):
                con.execute(statement)
            rows = sum(
                con.execute(f"select count(*) from {export_system.dataset}.{t.name}").fetchone()[0]
                for t in export_system.tables
            )
    print(json.dumps({"rows": rows}))


def _measure(variant: str, export_system: ExportSystem, landing: Path) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"bench_{variant}_") as tmp:
        data = Path(tmp)
        (data / "landing").symlink_to(landing)
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "ingestion.benchmark", "--worker", variant,
             "--system", export_system.name, "--landing", str(landing), "--data", str(data)],
            stdout=subprocess.PIPE,
            env={**os.environ, "RUNTIME__LOG_LEVEL": "WARNING"},
        )
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            raise SystemExit(f"{variant} load of {export_system.name} failed (status {status})")
        rows = json.loads(output.decode().strip().splitlines()[-1])["rows"]
        return {"seconds": seconds, "peak_mb": usage.ru_maxrss / 1024, "rows": rows}


def _exports(landing: Path, contacts: int, days: int, seed: int) -> None:
    manifest = landing / "_demo_exports.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if (found.get("contacts"), found.get("days"), found.get("seed")) == (contacts, days, seed):
            print(f"Reusing exports in {landing}")
            return
        shutil.rmtree(landing)
    from ingestion.demo_exports import generate

    print(f"Generating {contacts:,} contacts over {days} days into {landing} ...", flush=True)
    started = time.perf_counter()
    generate(landing, seed=seed, contacts=contacts, days=days)
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
    parser.add_argument("--system", help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args.worker, args.system, args.landing, args.data)
        return

    settings.apply_environment()
    landing = args.landing or settings.data_dir() / "benchmark" / "landing"
    if not args.landing:
        _exports(landing, args.contacts, args.days, args.seed)

    header = (f"{'source':<22}{'files':>7}{'MB':>8}{'rows':>11}"
              f"{'dlt s':>9}{'duckdb s':>10}{'ratio':>7}"
              f"{'dlt MB':>9}{'duckdb MB':>11}{'ratio':>7}")
    print("\n" + header + "\n" + "-" * len(header))
    totals = {"dlt": 0.0, "duckdb": 0.0}
    for export_system in SYSTEMS:
        folder = landing / export_system.name
        files = sum(1 for f in folder.rglob("*") if f.is_file())
        ours = _measure("dlt", export_system, landing)
        floor = _measure("duckdb", export_system, landing)
        totals["dlt"] += ours["seconds"]
        totals["duckdb"] += floor["seconds"]
        print(
            f"{export_system.name:<22}{files:>7}{_size_mb(folder):>8.0f}{ours['rows']:>11,}"
            f"{ours['seconds']:>9.1f}{floor['seconds']:>10.1f}"
            f"{ours['seconds'] / floor['seconds']:>7.2f}"
            f"{ours['peak_mb']:>9.0f}{floor['peak_mb']:>11.0f}"
            f"{ours['peak_mb'] / floor['peak_mb']:>7.2f}",
            flush=True,
        )
        if ours["rows"] != floor["rows"]:
            print(f"  note: dlt extracted {ours['rows']:,} rows, DuckDB read {floor['rows']:,}: "
                  "the difference is quarantined or malformed rows")
    ratio = totals["dlt"] / totals["duckdb"]
    print("-" * len(header))
    print(f"{'all sources':<48}{totals['dlt']:>9.1f}{totals['duckdb']:>10.1f}{ratio:>7.2f}")
    print(f"\nTarget: within {TARGET_RATIO}x of DuckDB's own reader: "
          f"{'met' if ratio <= TARGET_RATIO else 'NOT met'} ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
