"""How export values are read: every vendor's timestamp and date formats, as DuckDB SQL.

The one home of that rule at ingestion. A timestamp may come as ISO 8601 with a zone
(``Z``, ``+0000``, ``+00:00``), without one, date only, as epoch seconds, milliseconds
(HubSpot) or microseconds (GA4), or as a US report date (``3/2/2026 2:05 PM``). A value
without a zone is read in the time zone the source mapping declares for its system, never
in the session's. Parsed values are loaded as ISO 8601 UTC text
(``2026-03-02T14:05:00.000000Z``); a value that no format reads is loaded as it came, so
nothing is lost, and staging reads it as null (the preflight counts such values).
"""

from __future__ import annotations

from ingestion.exports import Kind

UTC_TEXT_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
DATE_TEXT_FORMAT = "%Y-%m-%d"
_EPOCH = "-?[0-9]{9,17}"
# A time of day followed by a zone: Z, +hh, +hhmm or +hh:mm.
_ZONED = r"[T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.,][0-9]+)?)?\s*([Zz]|[+-][0-9]{2}(:?[0-9]{2})?)$"
_US_FORMATS = "['%m/%d/%Y %I:%M %p', '%m/%d/%Y %H:%M:%S', '%m/%d/%Y %H:%M', '%m/%d/%Y']"


def quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _epoch_utc(value: str) -> str:
    """Epoch seconds, milliseconds or microseconds, told apart by their digits."""
    digits = f"length(ltrim({value}, '-'))"
    number = f"cast({value} as bigint)"
    return (
        f"make_timestamp(case when {digits} >= 15 then {number} "
        f"when {digits} >= 12 then {number} * 1000 else {number} * 1000000 end)"
    )


def utc_timestamp_sql(expression: str, time_zone: str) -> str:
    """SQL for the UTC instant (a naive TIMESTAMP) a text value means; null if unreadable."""
    value = f"trim({expression})"
    zone = quote_literal(time_zone)
    naive = f"coalesce(try_cast({value} as timestamp), try_strptime({value}, {_US_FORMATS}))"
    return (
        f"(case when regexp_full_match({value}, '{_EPOCH}') then {_epoch_utc(value)} "
        f"when regexp_matches({value}, '{_ZONED}') "
        f"then timezone('UTC', try_cast({value} as timestamptz)) "
        f"else timezone('UTC', timezone({zone}, {naive})) end)"
    )


def date_sql(expression: str, time_zone: str) -> str:
    """SQL for the calendar date a text value means; null if unreadable.

    A date stays the date it says; an epoch value is a UTC date (HubSpot writes date
    properties as midnight UTC); a timestamp is dated where its system's time zone is.
    """
    value = f"trim({expression})"
    wall_time = f"timezone({quote_literal(time_zone)}, timezone('UTC', "
    return (
        f"(case when regexp_full_match({value}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
        f"then try_cast({value} as date) "
        f"when regexp_full_match({value}, '[0-9]{{8}}') "
        f"then cast(try_strptime({value}, '%Y%m%d') as date) "
        f"when regexp_full_match({value}, '{_EPOCH}') then cast({_epoch_utc(value)} as date) "
        f"else cast({wall_time}{utc_timestamp_sql(expression, time_zone)})) as date) end)"
    )


def parsed_sql(expression: str, kind: Kind, time_zone: str) -> str | None:
    """SQL for the typed value of a timestamp or date role; None for other kinds."""
    if kind == "timestamp":
        return utc_timestamp_sql(expression, time_zone)
    if kind == "date":
        return date_sql(expression, time_zone)
    return None


def normalized_sql(expression: str, kind: Kind, time_zone: str) -> str:
    """SQL for the value as loaded: timestamps and dates as ISO text, else unchanged."""
    parsed = parsed_sql(expression, kind, time_zone)
    if parsed is None:
        return expression
    text_format = UTC_TEXT_FORMAT if kind == "timestamp" else DATE_TEXT_FORMAT
    return f"coalesce(strftime({parsed}, '{text_format}'), {expression})"
