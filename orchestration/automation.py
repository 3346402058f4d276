"""Runs by itself: a daily schedule for the whole graph, and a sensor on the landing folder
that refreshes only the systems whose new export files appeared, plus everything
downstream of them. Wiring only: what has landed is ingestion.landing's business.
"""

import json

from dagster import (
    AssetMaterialization,
    AssetSelection,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    JobDefinition,
    RunRequest,
    ScheduleDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from ingestion.exports import SYSTEMS
from ingestion.landing import latest_drops
from orchestration.ingestion_assets import landing_key

DAILY_REFRESH_CRON = "0 6 * * *"  # every day at 06:00 UTC, after the nightly exports
SENSOR_INTERVAL_SECONDS = 60


def daily_refresh_schedule(job: JobDefinition) -> ScheduleDefinition:
    return ScheduleDefinition(
        name="daily_refresh",
        job=job,
        cron_schedule=DAILY_REFRESH_CRON,
        execution_timezone="UTC",
        default_status=DefaultScheduleStatus.RUNNING,
        description="The whole graph once a day, whatever the sensor did: loads whatever "
        "landed, rebuilds, gates and publishes.",
    )


def new_exports_sensor(job: JobDefinition):
    @sensor(
        name="new_exports",
        job=job,
        minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
        default_status=DefaultSensorStatus.RUNNING,
        description="Starts a refresh of the systems whose export files changed in the "
        "landing folder since the last tick, and of everything downstream of them.",
    )
    def _sensor(context: SensorEvaluationContext):
        seen = json.loads(context.cursor or "{}")
        drops = latest_drops()
        changed = sorted(
            name for name, drop in drops.items() if drop.modified_at.timestamp() > seen.get(name, 0)
        )
        if not changed:
            return SkipReason("No new export files since the last tick.")
        landed = [landing_key(system) for system in SYSTEMS if system.name in changed]
        selection = AssetSelection.assets(*landed).downstream() - AssetSelection.assets(*landed)
        keys = selection.resolve(context.repository_def.asset_graph)
        cursor = {**seen, **{name: drops[name].modified_at.timestamp() for name in changed}}
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
