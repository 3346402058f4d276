"""What has landed: the newest export drop of each system, for sensors and status pages,
and the export files the load ledger does not hold yet.

Only the local landing folder is scanned (an object-store landing URL is read by the dlt
sources, but watching it would need that store's own notifications).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

from ingestion import settings
from ingestion.exports import SYSTEMS, ExportSystem, is_export_file
from ingestion.mapping import load_mapping
from ingestion.sources.ledger import FileLedger, sha256_of


@dataclass(frozen=True)
class LatestDrop:
    """The newest export files of one system."""

    system: str
    day: str  # the newest <YYYY-MM-DD> day folder
    files: int  # export files in the landing folder, all days
    modified_at: dt.datetime  # the newest file's modification time, UTC
    # A digest of every file's path, size and modification time: it changes whenever a file
    # arrives or changes, whatever its timestamps (a late drop, `cp -p`, `rsync -a`).
    fingerprint: str


def latest_drops() -> dict[str, LatestDrop]:
    """Per system with at least one export file: its newest drop."""
    drops = {}
    for system in SYSTEMS:
        root = settings.landing_dir() / system.name
        files = [p for p in root.glob("*/*") if p.is_file()]
        if not files:
            continue
        stats = sorted((str(p.relative_to(root)), p.stat()) for p in files)
        listing = "\n".join(f"{path}\t{st.st_size}\t{st.st_mtime_ns}" for path, st in stats)
        drops[system.name] = LatestDrop(
            system=system.name,
            day=max(p.parent.name for p in files),
            files=len(files),
            modified_at=dt.datetime.fromtimestamp(max(st.st_mtime for _, st in stats), dt.UTC),
            fingerprint=hashlib.sha256(listing.encode()).hexdigest(),
        )
    return drops


def files_not_loaded(system: ExportSystem) -> list[str]:
    """The export files of `system` (`<day>/<file>`) its load would read, as the source
    mapping names them, whose content at that path is not in the load ledger
    (`raw_<system>.loaded_files`): what a refresh would load. Files no table reads (a
    `.bak`) are not export files and are left out."""
    root = settings.landing_dir() / system.name
    mapping = load_mapping()
    ledger = FileLedger(system.dataset)
    missing = []
    for table in system.tables:
        file_name = mapping.file_name(system.name, table)
        for path in sorted(root.glob(f"*/{file_name}*")):
            if not (path.is_file() and is_export_file(path.name, file_name)):
                continue
            stat = path.stat()
            relative = path.relative_to(root).as_posix()
            modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
            if not ledger.holds(relative, stat.st_size, modified, functools.partial(_sha256, path)):
                missing.append(relative)
    return missing


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return sha256_of(file)
