"""How numbers read on the dashboards: one place, so every page writes them the same way.

Counts get thousands separators, rates are percentages with one decimal, amounts are whole
units of the currency the definitions name (`currency`, ISO 4217, published as
definitions.terms.currency_code; the exports carry no code), named by Babel's CLDR data
("US dollars (USD)") rather than a list of our own; durations name their unit. A missing
value is an en dash, never 0 or "nan": no data is not the same as zero.
"""

from __future__ import annotations

import datetime as dt
import math

MISSING = "–"
NO_CURRENCY = "the CRM's currency (no currency code agreed)"


def currency_unit(code: str | None) -> str:
    """'USD' -> 'US dollars (USD)': the name of the amounts' currency, for notes and axes."""
    if not code:
        return NO_CURRENCY
    from babel.numbers import get_currency_name

    return f"{get_currency_name(code, count=2, locale='en')} ({code})"


def is_missing(value) -> bool:
    """True for None, NaN and pandas' NA/NaT."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pd.NA refuses to be a bool
        return True


def plain(value):
    """A value as plain Python (numpy numbers to int/float, NaN/NA to None)."""
    if is_missing(value):
        return None
    return value.item() if hasattr(value, "item") else value


def count(value) -> str:
    """1234 -> '1,234'; fractional counts (attributed opportunities) keep one decimal."""
    if is_missing(value):
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{float(value):,.1f}"


def rate(value) -> str:
    """0.1234 -> '12.3%'."""
    return MISSING if is_missing(value) else f"{float(value) * 100:.1f}%"


def amount(value) -> str:
    """155700.4 -> '155,700' (whole units of the currency; see currency_unit)."""
    return MISSING if is_missing(value) else f"{round(float(value)):,}"


def hours(value) -> str:
    """3.25 -> '3.3 h' (business hours where the SLA says so)."""
    return MISSING if is_missing(value) else f"{float(value):,.1f} h"


def days(value) -> str:
    return MISSING if is_missing(value) else f"{float(value):,.1f} d"


def day(value) -> str:
    """A date as ISO 'YYYY-MM-DD'."""
    if is_missing(value):
        return MISSING
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else str(value)


def moment(value) -> str:
    """A timestamp to the minute, in UTC like everything in the warehouse."""
    if is_missing(value):
        return MISSING
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.strftime("%Y-%m-%d %H:%M UTC")


def period(value, grain: str) -> str:
    """A period by its first day: '2026-03-02' (day, and week starting Monday), 'Mar 2026',
    'Q1 2026'."""
    if is_missing(value):
        return MISSING
    if grain == "month":
        return f"{value:%b %Y}"
    if grain == "quarter":
        return f"Q{(value.month - 1) // 3 + 1} {value:%Y}"
    return f"{value:%Y-%m-%d}"


FORMATS = {
    "count": count,
    "rate": rate,
    "amount": amount,
    "hours": hours,
    "days": days,
    "day": day,
    "moment": moment,
    "text": lambda v: MISSING if is_missing(v) else str(v),
}


def formatted(value, kind: str) -> str:
    """Format a value by the name of its kind (count, rate, amount, hours, days, day, ...)."""
    return FORMATS[kind](value)
