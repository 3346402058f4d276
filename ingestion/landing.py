"""What has landed: the newest export drop of each system, for sensors and status pages.

Only the local landing folder is scanned (an object-store landing URL is read by the dlt
sources, but watching it would need that store's own notifications).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingestion import settings
from ingestion.exports import SYSTEMS


@dataclass(frozen=True)
class LatestDrop:
    """The newest export files of one system."""

    system: str
    day: str  # the newest <YYYY-MM-DD> day folder
    files: int  # export files in the landing folder, all days
    modified_at: dt.datetime  # the newest file's modification time, UTC


def latest_drops() -> dict[str, LatestDrop]:
    """Per system with at least one export file: its newest drop."""
    drops = {}
    for system in SYSTEMS:
        files = [p for p in (settings.landing_dir() / system.name).glob("*/*") if p.is_file()]
        if not files:
            continue
        newest = max(p.stat().st_mtime for p in files)
        drops[system.name] = LatestDrop(
            system=system.name,
            day=max(p.parent.name for p in files),
            files=len(files),
            modified_at=dt.datetime.fromtimestamp(newest, dt.UTC),
        )
    return drops
