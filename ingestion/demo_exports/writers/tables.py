"""Helpers shared by the export-table builders: versions, export days, row order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..arrays import arrow
from ..simulation.clock import DAY, NEVER
from ..simulation.dice import Dice


@dataclass(frozen=True)
class Window:
    """The export days to build (inclusive): all of them, or one next day."""

    first: int
    last: int

    def contains(self, day: np.ndarray) -> np.ndarray:
        return (day >= self.first) & (day <= self.last)


def export_day(t: np.ndarray) -> np.ndarray:
    """The day folder a change lands in; anything from before the first day is in the
    first export (a first full export carries the history)."""
    return np.maximum(np.asarray(t) // DAY, 0)


def last_per_day(
    record: np.ndarray, t: np.ndarray, window: Window
) -> tuple[np.ndarray, np.ndarray]:
    """Of several changes to a record on one export day, the row of the last one (and its
    time): a delta export carries the record as it stood at the end of the day."""
    day = export_day(t)
    rows = np.flatnonzero(window.contains(day) & (t < NEVER))
    order = rows[np.lexsort((t[rows], day[rows], record[rows]))]
    r, d = record[order], day[order]
    last = np.r_[(r[1:] != r[:-1]) | (d[1:] != d[:-1]), True] if len(order) else np.zeros(0, bool)
    return order[last], t[order[last]]


def versions(times: list[np.ndarray], window: Window) -> tuple[np.ndarray, np.ndarray]:
    """(record, modified time) of each exported version, given a column of change times
    per kind of change (NEVER where it did not happen).

    The first column is the record's creation. A change dated before it (e.g. the lead's
    conversion, for a campaign member added after it) is part of the record as created,
    never a version of its own: no version is modified before, or exported earlier than,
    its record's creation.
    """
    stacked = np.stack(times, axis=1)
    stacked = np.where(stacked < stacked[:, :1], NEVER, stacked)
    record = np.repeat(np.arange(stacked.shape[0]), stacked.shape[1])
    row, t = last_per_day(record, stacked.ravel(), window)
    return record[row], t


def table(
    columns: dict[str, pa.Array | np.ndarray],
    required: tuple[str, ...],
    modified: np.ndarray,
    key: np.ndarray,
    duplicates: tuple[Dice, str, float] | None = None,
) -> pa.Table:
    """The export table in contract column order, plus `_day`, sorted by day, then
    modification time, then key. `duplicates` = (dice, stream, share) repeats a few rows
    right after themselves, as exports occasionally carry a row twice."""
    missing = set(required) - set(columns)
    if missing:
        raise AssertionError(f"builder misses contract columns {sorted(missing)}")
    modified, key = np.asarray(modified, dtype=np.int64), np.asarray(key, dtype=np.int64)
    day = export_day(modified)
    order = np.lexsort((key, modified, day))
    if duplicates is not None:
        dice, stream, share = duplicates
        repeat = 1 + dice.bernoulli(stream, share, key[order], modified[order]).astype(np.int64)
        order = np.repeat(order, repeat)
    take = arrow(order)
    arrays = []
    for name in required:
        column = columns[name]
        column = column if isinstance(column, pa.Array | pa.ChunkedArray) else arrow(column)
        arrays.append(column.take(take))
    arrays.append(arrow(day[order], pa.int32()))
    return pa.Table.from_arrays(arrays, names=[*required, "_day"])
