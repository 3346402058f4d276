"""Simulated time written in each vendor's timestamp format."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..arrays import arrow, int_strings, join
from ..simulation.clock import NEVER, SECOND, Clock


class Formats:
    """The vendors' ways of writing a simulated time (NEVER is written as null)."""

    def __init__(self, clock: Clock):
        self.epoch_ms = clock.epoch_ms

    def _timestamps(self, t: np.ndarray, unit_ms: int = 1) -> pa.Array:
        t = np.asarray(t, dtype=np.int64)
        missing = t >= NEVER
        values = np.where(missing, 0, (t // unit_ms) * unit_ms + self.epoch_ms)
        return arrow(values, type=pa.timestamp("ms"), mask=missing)

    # Arrow's cast to string writes "2026-03-01 14:22:10.123" (always three decimals for
    # millisecond timestamps): much faster than strftime, and reshaped into each vendor's form.
    def _iso(self, t: np.ndarray, unit_ms: int = 1) -> pa.Array:
        text = pc.cast(self._timestamps(t, unit_ms), pa.string())
        return pc.replace_substring(text, " ", "T", max_replacements=1)

    def hubspot(self, t: np.ndarray) -> pa.Array:
        """HubSpot CRM v3: ISO-8601 UTC with milliseconds and Z; empty when unset."""
        return join(self._iso(t), "Z")

    def epoch_ms_text(self, t: np.ndarray) -> pa.Array:
        """HubSpot's Email Events and Forms APIs (and legacy payloads): epoch milliseconds."""
        t = np.asarray(t, dtype=np.int64)
        return int_strings(t + self.epoch_ms, t >= NEVER)

    def salesforce(self, t: np.ndarray) -> pa.Array:
        """Salesforce: whole seconds, '.000+0000'."""
        return join(self._iso(t, SECOND), "+0000")

    def iso_date(self, t: np.ndarray) -> pa.Array:
        return pc.cast(pc.cast(self._timestamps(t), pa.date32()), pa.string())

    def compact_date(self, t: np.ndarray) -> pa.Array:
        """GA4's event_date: YYYYMMDD."""
        return pc.replace_substring(self.iso_date(t), "-", "")

    def unix_seconds(self, t: np.ndarray) -> np.ndarray:
        return (np.asarray(t, dtype=np.int64) + self.epoch_ms) // SECOND

    def unix_millis(self, t: np.ndarray) -> np.ndarray:
        return np.asarray(t, dtype=np.int64) + self.epoch_ms

    def unix_micros(self, t: np.ndarray) -> np.ndarray:
        return (np.asarray(t, dtype=np.int64) + self.epoch_ms) * 1000
