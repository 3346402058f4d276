"""Generate the demo exports: simulate the world, then write each day's folder."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..exports import SYSTEMS, ExportSystem
from ..settings import landing_dir
from .arrays import arrow, flat, int_values, join
from .simulation import World, simulate
from .simulation.catalog import TAIL_DAYS
from .simulation.clock import DAY, happened
from .simulation.people import MQL_VIOLATION_SHARE
from .writers import DEFAULT_SHAPE, SHAPES, Shape, build
from .writers.formats import Formats
from .writers.tables import Window
from .writers.vendor_ids import VendorIds

log = logging.getLogger(__name__)

MANIFEST_NAME = "_demo_exports.json"
MANIFEST_FORMAT = 1


class DemoExportsError(Exception):
    """A generation was refused (and nothing was written)."""


@dataclass
class Summary:
    """What one call wrote."""

    out_dir: Path
    days_written: list[str]
    rows: dict[str, int] = field(default_factory=dict)  # "system/table" -> rows
    bytes_written: int = 0
    seconds: float = 0.0
    people_arrived: int = 0  # people who arrived in the days written
    anomalies: dict[str, int] = field(default_factory=dict)  # injected, in the days written

    def __str__(self) -> str:
        days = self.days_written
        span = f"{days[0]} .. {days[-1]}" if len(days) > 1 else (days[0] if days else "-")
        lines = [
            f"wrote {len(days)} day(s) ({span}) to {self.out_dir} in {self.seconds:.1f} s, "
            f"{self.bytes_written / 1e6:.1f} MB, {self.people_arrived} people arrived"
        ]
        lines += [f"  {name:<40} {rows:>10,} rows" for name, rows in self.rows.items()]
        lines += [f"  injected {name}: {count}" for name, count in self.anomalies.items()]
        return "\n".join(lines)


def _parse_start(start: str | dt.date) -> dt.date:
    return start if isinstance(start, dt.date) else dt.date.fromisoformat(start)


def default_start(days: int, today: dt.date | None = None) -> dt.date:
    """The first export day when none is given: `days` days before today (UTC), so the
    last day exported is yesterday and a fresh demo reads as current on every page."""
    return (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=days)


def read_manifest(out_dir: Path) -> dict | None:
    path = out_dir / MANIFEST_NAME
    if not path.exists():
        return None
    return json.loads(path.read_text())


def _write_manifest(
    out_dir: Path,
    shape: Shape,
    seed: int,
    contacts: int,
    days: int,
    start: dt.date,
    last_day: dt.date,
) -> None:
    manifest = {
        "generator": "ingestion.demo_exports",
        "format": MANIFEST_FORMAT,
        "shape": shape.name,
        "seed": seed,
        "contacts": contacts,
        "days": days,
        "start": start.isoformat(),
        "last_day": last_day.isoformat(),
        "tail_days": TAIL_DAYS,
        "mql_violation_share": MQL_VIOLATION_SHARE,
    }
    (out_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n")


def manifest_shape(manifest: dict) -> Shape:
    """The shape a generation was written in (manifests before shapes: the contract's)."""
    name = manifest.get("shape", "contract")
    if name not in SHAPES:
        raise DemoExportsError(f"the manifest names an unknown shape {name!r}")
    return SHAPES[name]


def shape_named(name: str) -> Shape:
    if name not in SHAPES:
        raise DemoExportsError(f"unknown shape {name!r} (one of {', '.join(SHAPES)})")
    return SHAPES[name]


def source_mapping_for(landing: Path) -> Path | None:
    """The source mapping that reads the demo generation in `landing` (None: no demo
    generation there, e.g. a company's own exports)."""
    manifest = read_manifest(Path(landing))
    return None if manifest is None else manifest_shape(manifest).mapping_path


def _same_generation(manifest: dict, shape: Shape, seed, contacts, days, start: dt.date) -> bool:
    return (
        manifest.get("shape", "contract"),
        manifest.get("seed"),
        manifest.get("contacts"),
        manifest.get("days"),
        manifest.get("start"),
    ) == (shape.name, seed, contacts, days, start.isoformat())


def _describe(manifest: dict) -> str:
    return (
        f"shape={manifest.get('shape', 'contract')} seed={manifest.get('seed')} "
        f"contacts={manifest.get('contacts')} days={manifest.get('days')} "
        f"start={manifest.get('start')}"
    )


def generate(
    out_dir: str | Path | None = None,
    seed: int = 7,
    contacts: int = 2000,
    days: int = 90,
    start: str | dt.date | None = None,
    shape: str = DEFAULT_SHAPE,
) -> Summary:
    """Write `days` day folders of every export, starting at `start`, in `shape`
    (``vendor``: the vendors' own export shapes; ``contract``: the contract's columns).

    Without `start` the exports end yesterday (`default_start`), unless `out_dir` already
    holds a generation: then its start is kept, so re-running on another day rewrites the
    same bytes instead of refusing.

    People arrive at contacts/days a day. Re-running with the same arguments rewrites
    the same bytes; an --out holding another generation (or exports from elsewhere) is
    refused.
    """
    out = Path(out_dir) if out_dir is not None else landing_dir()
    written_shape = shape_named(shape)
    if contacts < 1 or days < 1:
        raise DemoExportsError("--contacts and --days must be at least 1")
    manifest = read_manifest(out)
    if start is not None:
        start = _parse_start(start)
    elif manifest is not None and manifest.get("start"):
        start = dt.date.fromisoformat(manifest["start"])
    else:
        start = default_start(days)
    if manifest is not None and not _same_generation(
        manifest, written_shape, seed, contacts, days, start
    ):
        raise DemoExportsError(
            f"{out} already holds another demo generation ({_describe(manifest)}); "
            "use another --out or empty it first"
        )
    if manifest is None and any(_has_files(out / s.name) for s in SYSTEMS):
        raise DemoExportsError(
            f"{out} already holds export folders not written by this generator; "
            "use another --out (demo and real exports must not mix)"
        )
    began = time.perf_counter()
    world = simulate(seed, contacts / days, start, days + TAIL_DAYS)
    summary = _write(world, written_shape, out, Window(0, days - 1))
    last = days - 1
    if manifest is not None:  # keep days a --next-day already added (same world)
        last = max(last, (dt.date.fromisoformat(manifest["last_day"]) - start).days)
    _write_manifest(
        out, written_shape, seed, contacts, days, start, start + dt.timedelta(days=last)
    )
    summary.seconds = time.perf_counter() - began
    return summary


def generate_next_day(
    out_dir: str | Path | None = None,
    *,
    seed: int | None = None,
    contacts: int | None = None,
    days: int | None = None,
    start: str | dt.date | None = None,
    shape: str | None = None,
) -> Summary:
    """Write exactly one more day folder (the manifest's last day + 1) of every export.

    Arguments given must match the manifest's generation; the day is byte-identical to
    what a fresh generation of the same world writes for it.
    """
    out = Path(out_dir) if out_dir is not None else landing_dir()
    manifest = read_manifest(out)
    if manifest is None:
        raise DemoExportsError(f"no {MANIFEST_NAME} in {out}: run a full generation there first")
    if manifest.get("format") != MANIFEST_FORMAT:
        raise DemoExportsError(f"{out / MANIFEST_NAME} has an unknown format")
    m_start = dt.date.fromisoformat(manifest["start"])
    written_shape = manifest_shape(manifest)
    if shape is not None and shape != written_shape.name:
        raise DemoExportsError(
            f"{out} holds another generation ({_describe(manifest)}); --shape {shape} "
            "does not match it"
        )
    given = {
        "seed": seed,
        "contacts": contacts,
        "days": days,
        "start": None if start is None else _parse_start(start).isoformat(),
    }
    for name, value in given.items():
        if value is not None and value != manifest[name]:
            raise DemoExportsError(
                f"{out} holds another generation ({_describe(manifest)}); --{name} {value} "
                "does not match it"
            )
    m_days = manifest["days"]
    next_day = (dt.date.fromisoformat(manifest["last_day"]) - m_start).days + 1
    if next_day >= m_days + TAIL_DAYS:
        raise DemoExportsError(
            f"the simulated tail is exhausted: {out} already holds {next_day} days, the world "
            f"of {m_days} days is simulated {TAIL_DAYS} days beyond them; start a new generation"
        )
    began = time.perf_counter()
    world = simulate(manifest["seed"], manifest["contacts"] / m_days, m_start, m_days + TAIL_DAYS)
    summary = _write(world, written_shape, out, Window(next_day, next_day))
    _write_manifest(
        out,
        written_shape,
        manifest["seed"],
        manifest["contacts"],
        m_days,
        m_start,
        m_start + dt.timedelta(days=next_day),
    )
    summary.seconds = time.perf_counter() - began
    return summary


def _has_files(folder: Path) -> bool:
    return folder.is_dir() and any(folder.iterdir())


def _write(world: World, shape: Shape, out: Path, window: Window) -> Summary:
    clock = world.clock
    day_numbers = range(window.first, window.last + 1)
    summary = Summary(out_dir=out, days_written=[clock.date(d).isoformat() for d in day_numbers])
    formats = Formats(clock)
    ids = VendorIds(world, formats)
    for system in SYSTEMS:
        began = time.perf_counter()
        tables = build(shape, system.name, world, window, ids, formats)
        log.info("built %s tables in %.1f s", system.name, time.perf_counter() - began)
        began = time.perf_counter()
        for spec in system.tables:
            if spec.name not in tables:  # an export this demo org doesn't make
                continue
            written, size = _write_table(
                tables[spec.name], shape, system, spec.file_name, out, world, day_numbers
            )
            summary.rows[f"{system.name}/{spec.name}"] = written
            summary.bytes_written += size
        log.info("wrote %s files in %.1f s", system.name, time.perf_counter() - began)
    people = world.people
    arrived_day = people.arrived_at // DAY
    summary.people_arrived = int(window.contains(arrived_day).sum())
    summary.anomalies = _anomalies(world, window)
    return summary


def _day_slices(days: np.ndarray, day_numbers: range):
    bounds = np.searchsorted(days, [day_numbers.start, *[d + 1 for d in day_numbers]])
    for i, day in enumerate(day_numbers):
        yield day, int(bounds[i]), int(bounds[i + 1])


def _write_table(
    rows: pa.Table,
    shape: Shape,
    system: ExportSystem,
    file_name: str,
    out: Path,
    world: World,
    day_numbers: range,
) -> tuple[int, int]:
    days = int_values(rows["_day"])
    rows = rows.drop_columns(["_day"])
    csv_options = pacsv.WriteOptions(
        quoting_style="all_valid" if system.name in shape.quote_every_csv_value else "needed"
    )
    written = size = 0
    con = duckdb.connect() if system.file_format == "ndjson" else None
    try:
        for day, lo, hi in _day_slices(days, day_numbers):
            date = world.clock.date(day)
            folder = out / system.name / date.isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            part = rows.slice(lo, hi - lo)
            if con is None:
                path = folder / file_name
                pacsv.write_csv(part, path, csv_options)
            else:
                path = folder / file_name.replace("*", f"{date:%Y%m%d}")
                path.write_bytes(_ndjson(con, part, omit_nulls=shape.omit_json_nulls))
            written += part.num_rows
            size += path.stat().st_size
    finally:
        if con is not None:
            con.close()
    return written, size


def _ndjson(con: duckdb.DuckDBPyConnection, part: pa.Table, omit_nulls: bool = False) -> bytes:
    """One JSON object per line, nested structs as BigQuery's export writes them (with
    `omit_nulls`, a null field is left out, as `bq extract` does, instead of `null`)."""
    if part.num_rows == 0:
        return b""
    # A slice keeps an offset into its parent's buffers; DuckDB wants plain arrays.
    part = part.take(arrow(np.arange(part.num_rows)))
    con.register("day_events", part)
    line = "to_json(event)::VARCHAR"
    if omit_nulls:  # no text value holds `":null` or `,}`: only the JSON nulls go
        line = (
            f"""replace(regexp_replace({line}, ',?"[A-Za-z0-9_.]+":null', '', 'g'), '{{,', '{{')"""
        )
    result = con.sql(f"SELECT {line} AS line FROM day_events event").to_arrow_table()
    con.unregister("day_events")
    lines = flat(pc.cast(result.column("line"), pa.string()))
    lines = join(lines, "", separator="\n")  # each line and its newline
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset :][: len(lines) + 1]
    return lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]


def _anomalies(world: World, window: Window) -> dict[str, int]:
    """Counts of the deliberate data problems that fall in the days written."""
    people, leads = world.people, world.leads
    mql_day = np.where(happened(people.mql_at), people.mql_at // DAY, -1)
    return {
        "mql_rule_violations (MQL with a personal e-mail domain)": int(
            (people.is_mql_violation & window.contains(mql_day)).sum()
        ),
        "marketing duplicate contacts merged": int(
            (happened(people.merged_at) & window.contains(people.merged_at // DAY)).sum()
        ),
        "crm duplicate leads merged (IsDeleted=true)": int(
            (
                leads.is_duplicate
                & happened(leads.merged_at)
                & window.contains(leads.merged_at // DAY)
            ).sum()
        ),
    }
