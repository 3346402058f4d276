"""A run killed while it holds the warehouse does not block the runs after it."""

import os
import signal
import subprocess
import sys
import time

from dagster import DagsterInstance, DagsterRunStatus, asset, materialize

from ingestion import settings
from orchestration import launcher
from orchestration.recovery import recover_dead_runs
from orchestration.warehouse import WAREHOUSE_POOL

HOLDING = "SHARED_FUNNEL_TEST_HOLDING"  # where the held step says it has started


@asset(pool=WAREHOUSE_POOL)
def holds_the_warehouse() -> None:
    """A step that writes the warehouse: it holds the pool's one slot while it runs."""
    marker = os.environ.get(HOLDING)
    if marker:
        with open(marker, "w") as handle:
            handle.write(str(os.getpid()))
        time.sleep(600)


def _claimed_slots(instance: DagsterInstance) -> int:
    return len(instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots)


def test_a_run_killed_in_its_step_is_failed_and_frees_its_slot(data_dir, tmp_path, monkeypatch):
    home = launcher.dagster_home()  # the project's instance settings: a pool of one slot
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    marker = tmp_path / "holding"
    run = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from dagster import DagsterInstance, materialize; "
            "from tests.test_recovery import holds_the_warehouse; "
            "materialize([holds_the_warehouse], instance=DagsterInstance.get())",
        ],
        env={**os.environ, HOLDING: str(marker), settings.DATA_DIR_ENV: str(data_dir)},
    )
    try:
        for _ in range(600):
            if marker.exists() or run.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the step never started"
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()

    instance = DagsterInstance.get()
    [stuck] = instance.get_runs()
    assert stuck.status == DagsterRunStatus.STARTED  # the dead run never said it ended
    assert _claimed_slots(instance) == 1  # and keeps the warehouse: every later run waits

    assert recover_dead_runs(instance) == [stuck.run_id]
    assert instance.get_run_by_id(stuck.run_id).status == DagsterRunStatus.FAILURE
    assert _claimed_slots(instance) == 0
    assert recover_dead_runs(instance) == []  # nothing else to recover

    next_run = materialize([holds_the_warehouse], instance=instance)  # starts, and ends
    assert next_run.success
