"""Runs by itself: a daily schedule for the whole graph, and a sensor on the landing folder
that refreshes only the systems whose new export files appeared, plus everything
downstream of them. A changed listing whose files are all in the load ledger already (the
first tick after `make demo` loaded them, a file touched or copied again) is noted in the
cursor and starts nothing. Wiring only: what has landed and what is loaded are
ingestion.landing's business.
"""

import json

import duckdb
from dagster import (
    AssetMaterialization,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SensorResult,
    schedule,
    sensor,
)
from dagster._core.definitions.unresolved_asset_job_definition import (
    UnresolvedAssetJobDefinition,
)

from ingestion import exports
from ingestion.exports import SYSTEMS
from ingestion.landing import files_not_loaded, latest_drops
from ingestion.mapping import MappingError
from orchestration.ingestion_assets import landing_key
from orchestration.recovery import recover_dead_runs
from orchestration.warehouse import warehouse_if_free

Job = JobDefinition | UnresolvedAssetJobDefinition  # define_asset_job returns the latter

DAILY_REFRESH_CRON = "0 6 * * *"  # every day at 06:00 UTC, after the nightly exports
SENSOR_INTERVAL_SECONDS = 60


def daily_refresh_schedule(job: Job) -> ScheduleDefinition:
    @schedule(
        name="daily_refresh",
        job=job,
        cron_schedule=DAILY_REFRESH_CRON,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="The whole graph once a day, whatever the sensor did: loads whatever "
        "landed, rebuilds, gates and publishes. Runs whose process is gone are failed and "
        "their warehouse slots freed first.",
    )
    def _schedule(context: ScheduleEvaluationContext):
        recover_dead_runs(context.instance, context.log.warning)
        return RunRequest()

    return _schedule


def new_exports_sensor(job: Job):
    @sensor(
        name="new_exports",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh of the systems with export files in the landing "
        "folder that changed since the last tick and are not in the load ledger yet, and of "
        "everything downstream of them.",
    )
    def _sensor(context: SensorEvaluationContext):
        recover_dead_runs(context.instance, context.log.warning)
        seen = json.loads(context.cursor or "{}")
        drops = latest_drops()
        changed = sorted(name for name, drop in drops.items() if drop.fingerprint != seen.get(name))
        # A listing that changed but holds nothing the ledger lacks (the first tick after
        # `make demo`, files touched or copied again) is noted, not run.
        loaded = [name for name in changed if not _anything_to_load(name)]
        seen |= {name: drops[name].fingerprint for name in loaded}
        changed = [name for name in changed if name not in loaded]
        if not changed:
            return SensorResult(
                skip_reason="No export file since the last tick that is not loaded already.",
                cursor=json.dumps(seen),
            )
        landed = [landing_key(system) for system in SYSTEMS if system.name in changed]
        selection = AssetSelection.assets(*landed).downstream() - AssetSelection.assets(*landed)
        assert context.repository_def, "a sensor is evaluated within its repository"
        keys = selection.resolve(context.repository_def.asset_graph)
        cursor = {**seen, **{name: drops[name].fingerprint for name in changed}}
        return SensorResult(
            run_requests=[
                RunRequest(
                    run_key=json.dumps({name: cursor[name] for name in changed}),
                    asset_selection=sorted(keys, key=lambda key: key.to_user_string()),
                    tags={"shared_funnel/new_exports": ",".join(changed)},
                )
            ],
            asset_events=[
                AssetMaterialization(
                    asset_key=landing_key(system),
                    description=f"New export files up to {drops[system.name].day}",
                    metadata={
                        "newest_day": drops[system.name].day,
                        "files": drops[system.name].files,
                        "newest_file_at": drops[system.name].modified_at.isoformat(),
                    },
                )
                for system in SYSTEMS
                if system.name in changed
            ],
            cursor=json.dumps(cursor),
        )

    return _sensor


def _anything_to_load(system_name: str) -> bool:
    """Whether the system has an export file its ledger lacks; True when that cannot be
    told now (a run holds the warehouse, the mapping is broken): the run will say."""
    with warehouse_if_free() as free:
        if not free:
            return True
        try:
            return bool(files_not_loaded(exports.system(system_name)))
        except (MappingError, duckdb.Error):
            return True
