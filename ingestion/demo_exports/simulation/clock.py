"""Simulated time: int64 milliseconds since midnight UTC of the first export day."""

from __future__ import annotations

import datetime as dt

import numpy as np

SECOND = 1_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
NEVER = np.int64(2**62)  # "has not happened": compares later than any real time

WORKDAY_START, WORKDAY_END = 8 * HOUR, 18 * HOUR  # sales works 08:00-18:00 UTC, Mon-Fri


def never(n: int) -> np.ndarray:
    return np.full(n, NEVER, dtype=np.int64)


def happened(t: np.ndarray) -> np.ndarray:
    return t < NEVER


def at(mask: np.ndarray, t: np.ndarray) -> np.ndarray:
    """t where mask holds, NEVER elsewhere."""
    return np.where(mask, t, NEVER)


def day_of(t: np.ndarray) -> np.ndarray:
    return np.asarray(t) // DAY


class Clock:
    """Converts simulated time to calendar facts (the vendors' formats are the writers'
    business: writers/formats.py)."""

    def __init__(self, start: dt.date):
        self.start = start
        self.epoch_ms = (start - dt.date(1970, 1, 1)).days * DAY
        self.first_weekday = start.weekday()

    def weekday(self, t: np.ndarray) -> np.ndarray:
        """0 = Monday ... 6 = Sunday."""
        return (self.first_weekday + day_of(t)) % 7

    def day_weekday(self, day: np.ndarray) -> np.ndarray:
        return (self.first_weekday + np.asarray(day)) % 7

    def business(self, t: np.ndarray) -> np.ndarray:
        """The first working moment at or after t (Mon-Fri, 08:00-18:00 UTC).

        Outside working hours the minutes past the hour are kept as jitter, so work that
        piles up overnight does not all happen at 08:00:00.
        """
        t = np.asarray(t, dtype=np.int64)
        day = day_of(t)
        time_of_day = t - day * DAY
        jitter = time_of_day % HOUR
        early = time_of_day < WORKDAY_START
        late = time_of_day >= WORKDAY_END
        day = np.where(late, day + 1, day)
        time_of_day = np.where(early | late, WORKDAY_START + jitter, time_of_day)
        weekday = self.day_weekday(day)
        weekend_shift = np.where(weekday == 5, 2, np.where(weekday == 6, 1, 0))
        # A weekend moment waits for Monday morning, not for Monday at the same hour.
        time_of_day = np.where(weekend_shift > 0, WORKDAY_START + jitter, time_of_day)
        moved = day * DAY + weekend_shift * DAY + time_of_day
        return np.where(t >= NEVER, NEVER, moved)

    def date(self, day: int) -> dt.date:
        return self.start + dt.timedelta(days=int(day))
