"""The cases of the fault suite, their runs and their verdicts (see tests/faults/__init__)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ingestion import settings
from ingestion.demo_exports import generate
from ingestion.exports import SYSTEMS

# Small exports with fixed dates: a clean run takes about two minutes on two cores.
EXPORTS = dict(seed=5, contacts=80, days=6, start="2026-01-01", shape="contract")
# The steps a kill lands in, each at a random point of its time in the clean run.
KILLED_STEPS = ("load_crm", "transform_models", "quality_gate", "publish__shared_funnel_marts")


@dataclass
class Verdict:
    """One row of the table: what happened, and whether it met the rule of its case."""

    case: str
    outcome: str
    quarantined: int
    marts_equal: bool | None  # None: not a question for this case
    published_unchanged: bool | None
    ok: bool
    note: str = ""


@dataclass
class Workspace:
    """A data dir of its own, copied from a state, and runs of the pipeline in it."""

    root: Path
    log: list[str] = field(default_factory=list)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def landing(self) -> Path:
        return self.data / "landing"

    @property
    def published(self) -> Path:
        return self.data / "outputs" / "shared_funnel.duckdb"

    @property
    def warehouse(self) -> Path:
        return self.data / "warehouse.duckdb"

    def environment(self) -> dict[str, str]:
        return {**os.environ, settings.DATA_DIR_ENV: str(self.data)}

    def start(self, loads_only: bool = False) -> subprocess.Popen:
        command = [sys.executable, "-m", "tests.faults.worker"]
        if loads_only:
            command.append("--loads-only")
        return subprocess.Popen(
            command,
            env=self.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    def run(self, loads_only: bool = False) -> dict:
        process = self.start(loads_only)
        out, _ = process.communicate()
        return finished(process, out)

    def quarantined(self) -> int:
        if not self.warehouse.exists():
            return 0
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            total = 0
            for system in SYSTEMS:
                found = con.execute(
                    "select count(*) from information_schema.tables "
                    "where table_schema = ? and table_name = 'quarantined_rows'",
                    [system.dataset],
                ).fetchall()[0]
                if found[0]:
                    row = con.execute(f"select count(*) from {system.dataset}.quarantined_rows")
                    total += row.fetchall()[0][0]
            return total

    def published_digest(self) -> str | None:
        if not self.published.exists():
            return None
        return hashlib.sha256(self.published.read_bytes()).hexdigest()


def finished(process: subprocess.Popen, out: str | None) -> dict:
    lines = [line for line in (out or "").splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        return {"success": False, "failures": [f"exit {process.returncode}"], "recovered": 0}
    return json.loads(lines[-1])


def raw_differences(left: Path, right: Path) -> int:
    """Rows of the keyed raw tables in one warehouse and not the other (both directions),
    the columns a load writes about itself (load id, file path) aside. GA4 events are a log
    of deliveries by design (staging keeps one row per hit): the marts judge those."""
    total = 0
    with duckdb.connect() as con:
        con.execute(f"attach '{left}' as l (read_only)")
        con.execute(f"attach '{right}' as r (read_only)")
        for system in SYSTEMS:
            for table in system.tables:
                if not table.primary_key:
                    continue
                name = f"{system.dataset}.{table.name}"
                try:
                    columns = [
                        c
                        for (c,) in con.execute(
                            "select column_name from information_schema.columns "
                            "where table_catalog = 'l' and table_schema = ? "
                            "and table_name = ? and column_name not like '\\_%' escape '\\'",
                            [system.dataset, table.name],
                        ).fetchall()
                    ]
                    listed = ", ".join(f'"{c}"' for c in columns)
                    for a, b in (("l", "r"), ("r", "l")):
                        total += con.execute(
                            f"select count(*) from (select {listed} from {a}.{name} "
                            f"except all select {listed} from {b}.{name})"
                        ).fetchall()[0][0]
                except duckdb.Error:
                    total += 1
    return total


def mart_differences(left: Path, right: Path) -> int:
    from tests.test_incremental import differences

    return sum(differences(left, right).values())


# ---------------------------------------------------------------- damage to the exports


def _last_day(landing: Path, system: str) -> Path:
    return sorted(p for p in (landing / system).iterdir() if p.is_dir())[-1]


def _new_day(landing: Path, system: str) -> Path:
    day = landing / system / "2026-02-01"
    day.mkdir(parents=True, exist_ok=True)
    return day


def non_utf8(landing: Path) -> None:
    """A lead re-sent with one Latin-1 byte in its last name (M\xfcller)."""
    source = sorted((landing / "crm").glob("*/Lead.csv"))[0]
    header, first = source.read_bytes().splitlines()[:2]
    fields = first.split(b",")
    fields[2] = b'"M\xfcller"'
    (_new_day(landing, "crm") / "Lead.csv").write_bytes(header + b"\n" + b",".join(fields) + b"\n")


def gzip_named_csv(landing: Path) -> None:
    day = _new_day(landing, "crm")
    source = sorted((landing / "crm").glob("*/Lead.csv"))[0]
    (day / "Lead.csv").write_bytes(gzip.compress(source.read_bytes()))


def zero_bytes(landing: Path) -> None:
    (_new_day(landing, "crm") / "Lead.csv").write_bytes(b"")


def header_only(landing: Path) -> None:
    source = sorted((landing / "crm").glob("*/Lead.csv"))[0]
    header = source.read_text().splitlines()[0]
    (_new_day(landing, "crm") / "Lead.csv").write_text(header + "\n")


def odd_folder(landing: Path) -> None:
    source = sorted((landing / "crm").glob("*/Lead.csv"))[0]
    odd = landing / "crm" / "15-01-2026 (resent)"
    odd.mkdir()
    shutil.copyfile(source, odd / "Lead.csv")


def symlink_out(landing: Path) -> None:
    outside = landing.parent.parent / "outside"
    outside.mkdir(exist_ok=True)
    shutil.copyfile(sorted((landing / "crm").glob("*/Lead.csv"))[0], outside / "Lead.csv")
    (_new_day(landing, "crm") / "Lead.csv").symlink_to(outside / "Lead.csv")


def duplicate(landing: Path) -> None:
    """Every file of the last day delivered again, unchanged, in a new day folder."""
    for system in ("marketing_automation", "crm", "web_analytics"):
        last = _last_day(landing, system)
        shutil.copytree(last, landing / system / "2026-02-01", dirs_exist_ok=True)


def older_redelivery(landing: Path) -> None:
    """The first day's CRM files re-sent in a later folder, older by their contents."""
    first = sorted(p for p in (landing / "crm").iterdir() if p.is_dir())[0]
    shutil.copytree(first, landing / "crm" / "2026-02-01", copy_function=shutil.copy2)


def implausible_date(landing: Path) -> None:
    """One lead re-sent, created in 2099 (its modified time is today's)."""
    source = sorted((landing / "crm").glob("*/Lead.csv"))[-1]
    lines = source.read_text().splitlines()
    header = lines[0].split(",")
    created = header.index('"CreatedDate"')
    fields = lines[1].split(",")
    fields[created] = '"2099-01-15T09:00:00.000+0000"'
    (_new_day(landing, "crm") / "Lead.csv").write_text(lines[0] + "\n" + ",".join(fields) + "\n")


def negative_amount(landing: Path) -> None:
    """One opportunity sent with its amount negative: an open deal of a new account (the
    suite's small world has no opportunity of its own yet), every other field plausible."""
    day = _new_day(landing, "crm")
    owner = _first_record(landing, "User.csv")["Id"]
    stamp = f"{day.name}T09:00:00.000+0000"
    account = {
        "Id": "001FAULTS000000001",
        "Name": "Fault Suite Ltd",
        "Website": "faultsuite.example",
        "Industry": "Software",
        "NumberOfEmployees": "120",
        "BillingCountry": "United Kingdom",
        "Type": "Prospect",
        "OwnerId": owner,
        "IsDeleted": "false",
        "CreatedDate": stamp,
        "LastModifiedDate": stamp,
        "SystemModstamp": stamp,
    }
    opportunity = {
        "Id": "006FAULTS000000001",
        "AccountId": account["Id"],
        "Name": "Fault Suite Ltd - Pilot",
        "StageName": "Prospecting",
        "Amount": "-12000.0",
        "CloseDate": "2026-03-31",
        "Probability": "10",
        "IsClosed": "false",
        "IsWon": "false",
        "LeadSource": "Web",
        "Type": "New Business",
        "OwnerId": owner,
        "IsDeleted": "false",
        "CreatedDate": stamp,
        "LastModifiedDate": stamp,
        "SystemModstamp": stamp,
    }
    for file_name, record in (("Account.csv", account), ("Opportunity.csv", opportunity)):
        header = _header(landing, file_name)
        with (day / file_name).open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerow({column: record.get(column, "") for column in header})


def _header(landing: Path, file_name: str) -> list[str]:
    with sorted((landing / "crm").glob(f"*/{file_name}"))[0].open(newline="") as handle:
        return next(csv.reader(handle))


def _first_record(landing: Path, file_name: str) -> dict[str, str]:
    for export in sorted((landing / "crm").glob(f"*/{file_name}")):
        with export.open(newline="") as handle:
            record = next(csv.DictReader(handle), None)
        if record:
            return record
    raise LookupError(f"no {file_name} record in {landing / 'crm'}")


# What each damaged input must come to: the loads succeed or fail the source by name;
# "raw equal" says the raw tables must equal the clean state's (nothing added or lost).
DAMAGE: dict[str, tuple[Callable[[Path], None], bool, bool]] = {
    # name: (damage, loads must succeed, raw tables equal to the clean state)
    "non-UTF-8 bytes": (non_utf8, True, True),
    "gzip named .csv": (gzip_named_csv, True, True),
    "0-byte file": (zero_bytes, True, True),
    "header-only file": (header_only, True, True),
    "odd day folder": (odd_folder, True, True),
    "symlink out of landing": (symlink_out, True, True),
    "duplicate delivery": (duplicate, True, True),
    "older re-delivery": (older_redelivery, True, True),
}
# The cases `make test` runs (tests/test_faults.py): a few loads, seconds each.
FAST = {"header-only file", "odd day folder", "older re-delivery"}


# ---------------------------------------------------------------------------- the suite


class Suite:
    def __init__(self, base: Path, kills: int, seed: int = 14, log=print):
        self.base = base
        self.kills = kills
        self.random = random.Random(seed)
        self.log = log
        self.verdicts: list[Verdict] = []

    # states
    def state(self, name: str) -> Workspace:
        return Workspace(self.base / name)

    def copy(self, state: str, name: str) -> Workspace:
        # a case's folder is its name with only path-safe characters: dbt-duckdb can't
        # open a warehouse whose path holds '#' (as in "kill -9 in load_crm #1")
        target = self.base / "cases" / re.sub(r"[^A-Za-z0-9._+-]+", "_", name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(self.base / state, target, symlinks=True)
        return Workspace(target)

    def prepare(self) -> None:
        """The exports, the history (every day but the last, built and published) and the
        clean run (the last day added): the states every case starts from or ends at."""
        exports = self.base / "exports"
        if not exports.exists():
            generate(exports / "landing", **EXPORTS)  # type: ignore[arg-type]
        history = self.state("history")
        if not history.published.exists():
            shutil.rmtree(history.root, ignore_errors=True)
            shutil.copytree(exports, history.data)
            for system in history.landing.iterdir():
                if system.is_dir():
                    shutil.rmtree(_last_day(history.landing, system.name))
            started = time.monotonic()
            assert history.run()["success"], "the history run failed"
            self.log(f"history built in {time.monotonic() - started:.0f} s")
        clean = self.state("clean")
        if not clean.published.exists():
            shutil.rmtree(clean.root, ignore_errors=True)
            shutil.copytree(history.root, clean.root, symlinks=True)
            for system in (exports / "landing").iterdir():
                if system.is_dir():
                    last = _last_day(exports / "landing", system.name)
                    shutil.copytree(last, clean.landing / system.name / last.name)
            started = time.monotonic()
            process = clean.start()
            out, _ = process.communicate()
            self.clean_seconds = time.monotonic() - started
            assert finished(process, out)["success"], "the clean run failed"
            self.log(f"clean run in {self.clean_seconds:.0f} s")
        else:
            self.clean_seconds = 120.0

    def add_last_day(self, workspace: Workspace) -> None:
        exports = self.base / "exports" / "landing"
        for system in exports.iterdir():
            if system.is_dir():
                last = _last_day(exports, system.name)
                shutil.copytree(last, workspace.landing / system.name / last.name)

    # cases
    def damaged_input(self, name: str) -> Verdict:
        damage, must_succeed, raw_equal = DAMAGE[name]
        workspace = self.copy("clean", name)
        before = workspace.quarantined()
        damage(workspace.landing)
        result = workspace.run(loads_only=True)
        quarantined = workspace.quarantined() - before
        equal = raw_differences(workspace.warehouse, self.state("clean").warehouse) == 0
        ok = result["success"] == must_succeed and (equal or not raw_equal)
        if name == "non-UTF-8 bytes":  # the undecodable line is kept apart, not mangled
            ok = ok and quarantined >= 1
        return Verdict(
            name,
            "loaded" if result["success"] else "failed: " + "; ".join(result["failures"]),
            quarantined,
            None,
            None,
            ok,
            "raw tables equal the clean state" if equal else "raw tables changed",
        )

    def replay(self, times: int = 3) -> Verdict:
        """The whole landing folder loaded again, `times` times: nothing changes."""
        workspace = self.copy("clean", f"replay x{times}")
        digest = workspace.published_digest()
        results = [workspace.run(loads_only=True) for _ in range(times)]
        equal = raw_differences(workspace.warehouse, self.state("clean").warehouse) == 0
        ok = all(r["success"] for r in results) and equal
        return Verdict(
            f"replay x{times}",
            "loaded" if ok else "changed",
            workspace.quarantined() - self.state("clean").quarantined(),
            None,
            workspace.published_digest() == digest,
            ok and workspace.published_digest() == digest,
        )

    def implausible_values(self) -> Verdict:
        """A 2099 date and a negative amount: published, the date's record quarantined,
        the amount flagged, no 2099 period."""
        workspace = self.copy("clean", "2099 date + negative amount")
        implausible_date(workspace.landing)
        negative_amount(workspace.landing)
        result = workspace.run()
        flagged = 0
        periods = -1
        if workspace.published.exists():
            with duckdb.connect(str(workspace.published), read_only=True) as con:
                flagged = con.execute(
                    "select count(*) from quality.rule_exceptions "
                    "where rule_name = 'values_are_plausible'"
                ).fetchall()[0][0]
                periods = con.execute(
                    "select count(*) from marts.funnel_conversion_by_period "
                    "where year(period_start) > 2030"
                ).fetchall()[0][0]
        # The lead's CreatedDate is a required date: out of the window, the record is
        # quarantined at the load (readers._reject_reason_sql); the amount is optional
        # data, read as empty in staging and flagged by the gate's values_are_plausible.
        quarantined = workspace.quarantined() - self.state("clean").quarantined()
        ok = result["success"] and flagged == 1 and quarantined == 1 and periods == 0
        return Verdict(
            "2099 date + negative amount",
            "published" if result["success"] else "failed",
            quarantined,
            None,
            False,
            ok,
            f"{flagged} records flagged, {periods} periods after 2030",
        )

    def file_changed_while_read(self) -> Verdict:
        """A file rewritten while the load reads it: the run loads it or fails it by name,
        and the next run, with the file settled, equals the clean state."""
        workspace = self.copy("history", "file changed while read")
        self.add_last_day(workspace)
        lead = sorted(workspace.landing.glob("crm/*/Lead.csv"))[-1]
        content = lead.read_bytes()
        process = workspace.start()
        for _ in range(200):  # rewrite it a few times while the run starts and loads
            lead.write_bytes(content[: len(content) // 2])
            time.sleep(0.02)
            lead.write_bytes(content)
            time.sleep(0.05)
        out, _ = process.communicate()
        first = finished(process, out)
        second = workspace.run()
        equal = mart_differences(workspace.warehouse, self.state("clean").warehouse) == 0
        return Verdict(
            "file changed while read",
            f"first run {'ok' if first['success'] else 'failed'}, next run "
            + ("ok" if second["success"] else "failed"),
            workspace.quarantined() - self.state("clean").quarantined(),
            equal,
            None,
            second["success"] and equal,
        )

    def concurrent_runs(self) -> Verdict:
        workspace = self.copy("history", "concurrent runs x2")
        self.add_last_day(workspace)
        processes = [workspace.start(), workspace.start()]
        results = [finished(p, p.communicate()[0]) for p in processes]
        equal = mart_differences(workspace.warehouse, self.state("clean").warehouse) == 0
        ok = all(r["success"] for r in results) and equal
        return Verdict(
            "concurrent runs x2",
            ", ".join("ok" if r["success"] else "failed" for r in results),
            workspace.quarantined() - self.state("clean").quarantined(),
            equal,
            None,
            ok,
        )

    def kill(self, step: str, trial: int) -> Verdict:
        """kill -9 of a run at a random point of `step`, then the next run with no hand."""
        name = f"kill -9 in {step} #{trial}"
        workspace = self.copy("history", name)
        self.add_last_day(workspace)
        digest = workspace.published_digest()
        process = workspace.start()
        landed = _wait_for_step(workspace, step, process, self.random.uniform(0.1, 0.9))
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        published_intact = _opens(workspace.published) and (
            landed != "after" or workspace.published_digest() is not None
        )
        result = workspace.run()
        equal = result["success"] and (
            mart_differences(workspace.warehouse, self.state("clean").warehouse) == 0
        )
        return Verdict(
            name,
            f"killed {landed}; next run "
            + ("succeeded" if result["success"] else "FAILED: " + "; ".join(result["failures"]))
            + (", after failing the dead run" if result["recovered"] else ""),
            workspace.quarantined() - self.state("clean").quarantined(),
            equal,
            published_intact if digest else None,
            bool(result["success"] and equal and published_intact),
        )


def _opens(path: Path) -> bool:
    if not path.exists():
        return True
    try:
        with duckdb.connect(str(path), read_only=True) as con:
            con.execute("select count(*) from information_schema.tables").fetchall()
        return True
    except duckdb.Error:
        return False


def _wait_for_step(workspace: Workspace, step: str, process, fraction: float) -> str:
    """Wait until `step` of the run has started, then `fraction` of a typical step time."""
    from dagster import DagsterEventType, DagsterInstance

    home = workspace.data / "dagster_home"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline and process.poll() is None:
        if (home / "dagster.yaml").exists():
            try:
                with DagsterInstance.from_config(str(home)) as instance:
                    runs = instance.get_runs(limit=1)
                    if runs:
                        records = instance.get_records_for_run(
                            runs[0].run_id, of_type=DagsterEventType.STEP_START
                        ).records
                        started = {r.event_log_entry.step_key for r in records}
                        if step in started:
                            time.sleep(fraction * STEP_SECONDS.get(step, 5.0))
                            return f"{fraction:.0%} into {step}"
            except Exception:
                pass
        time.sleep(0.5)
    return "after the run ended" if process.poll() is not None else "never reached"


# A typical time of each killed step in the clean run on this machine (seconds), so a
# random fraction of it lands inside the step.
STEP_SECONDS = {
    "load_crm": 3.0,
    "transform_models": 90.0,
    "quality_gate": 12.0,
    "publish__shared_funnel_marts": 2.0,
}


def table(verdicts: list[Verdict]) -> str:
    def mark(value: bool | None) -> str:
        return "n/a" if value is None else ("yes" if value else "NO")

    rows = [("case", "outcome", "quarantined", "marts = clean", "published kept", "ok")]
    rows += [
        (
            v.case,
            v.outcome[:70] + (f" ({v.note})" if v.note else ""),
            str(v.quarantined),
            mark(v.marts_equal),
            mark(v.published_unchanged),
            "ok" if v.ok else "FAIL",
        )
        for v in verdicts
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    )
