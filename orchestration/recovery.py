"""Runs whose process is gone: marked failed, their warehouse pool slots freed.

A run killed with ``kill -9`` (or lost with its machine) never reports its end: it stays
STARTED and keeps its slot of the ``duckdb_warehouse`` pool, or its pending claim, and every
later run waits for that slot forever. Dagster's run monitoring cannot tell for the default
run launcher, and nothing watches a run started from the terminal.

Every run of this project executes its steps in one process (the in-process executor), which
logs its pid when it starts them. Before a run is launched (the terminal launcher, the
sensor, the schedule), each run still in progress whose process no longer exists on this
machine is reported failed, with the reason, and its pool slots and pending claims are
freed. A run that has not logged its pid yet (queued, or killed before its first step) is
left alone: it holds no slot.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus, RunsFilter

IN_PROGRESS = [DagsterRunStatus.STARTING, DagsterRunStatus.STARTED, DagsterRunStatus.CANCELING]


def run_process_id(instance: DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executes the run's steps, as its executor logged it."""
    records = instance.get_records_for_run(run_id, of_type=DagsterEventType.ENGINE_EVENT).records
    for record in records:
        event = record.event_log_entry.dagster_event
        metadata = getattr(event and event.event_specific_data, "metadata", None) or {}
        pid = metadata.get("pid")
        if pid is not None:
            return int(getattr(pid, "value", pid))
    return None


def process_is_alive(pid: int) -> bool:
    """Whether a process with this pid runs on this machine (a zombie does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    stat = Path(f"/proc/{pid}/stat")
    try:  # Linux: the state follows the parenthesised command name
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def recover_dead_runs(
    instance: DagsterInstance, log: Callable[[str], None] = lambda _: None
) -> list[str]:
    """Fail every run in progress whose process is gone and free its pool slots; returns
    their run ids."""
    recovered = []
    for run in instance.get_runs(filters=RunsFilter(statuses=IN_PROGRESS)):
        pid = run_process_id(instance, run.run_id)
        if pid is None or pid == os.getpid() or process_is_alive(pid):
            continue
        message = (
            f"The process of this run (pid {pid}) is gone: it was killed or lost. Marked "
            "failed and its warehouse pool slots freed, so the next run can start."
        )
        instance.report_run_failed(run, message=message)
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        log(f"Run {run.run_id} ({run.job_name}): {message}")
        recovered.append(run.run_id)
    return recovered
