"""The filters managers use: date range, channel, campaign, owner and segment, offline.

A page with filters embeds its rows at the filter grain as JSON (`Page.datasets`): one row
per day and the dimensions that apply to it, with additive measures only (counts and
amounts). The one shared script beside the pages (FILTER_SCRIPT, from
templates/filters.js) keeps the rows the reader chose, sums the measures again per period
or per dimension value, and recomputes every rate as the sum of its numerator over the sum
of its denominator (never an average of rates); then it re-draws the charts, tables and
headline numbers bound to a view (`view(...)`). A chart, table or number that is not bound
says so while a filter is on, rather than silently showing all the data.

The rows are read from the reporting marts at their finest grain (day), so the page's
filtered sums are the same sums the marts' coarser grains hold.
"""

from __future__ import annotations

import json

import pandas as pd
from markupsafe import Markup

from dashboards import formatting

FILTER_SCRIPT = "filters.js"  # beside the pages, shared by every page with filters
DAY = "day"  # the column of a dataset holding the row's day (ISO date)
DIMENSIONS = {  # a dataset column a reader filters on -> its label in the filter bar
    "channel": "Channel",
    "campaign": "Campaign",
    "owner": "Owner",
    "segment": "Segment",
}
# How the pages name a sales owner: the rep's name, or the queue's id (one home).
OWNER_NAME = "coalesce(owner_name, owner_id || ' (queue)')"
NO_CAMPAIGN = "(no campaign)"


def channel_name(key: str, name: str | None = None) -> str:
    """SQL naming a channel key the agreed way: the definitions' name, else the name of a key
    outside the agreed list (marts.channels_outside_the_list); needs the joins of
    `channel_joins(key)`."""
    named = f"{name}, " if name else ""
    return f"coalesce(channels.channel_name, outside.channel_name, {named}{key})"


def channel_joins(key: str) -> str:
    return f"""
        left join definitions.channels as channels on channels.channel_key = {key}
        left join marts.channels_outside_the_list as outside on outside.channel_key = {key}"""


def total(measure: str, per: str | None = None, data: str | None = None, **where) -> dict:
    """A value of a view: the sum of `measure`, over the sum of `per` when it is a rate;
    `where` keeps the rows with those values (e.g. one attribution model)."""
    spec: dict = {"sum": measure}
    if per:
        spec["per"] = per
    if data:
        spec["data"] = data
    if where:
        spec["where"] = where
    return spec


def period(grain: str) -> str:
    """Group a view by the periods of a grain (week starting Monday, as the marts do)."""
    return f"period:{grain}"


def view(data: str, by: str | None = None, values=(), **options) -> dict:
    """What the script re-draws from dataset `data`: the values per group of `by` (a period,
    a dimension column, or None for one number). Options: `kinds` (how table values are
    written), `labels` (a column of the group's label: 'period'), `sort` (a value index,
    largest first), `limit`, `tail` and `reverse` (the latest periods, newest first),
    `axis` ('y' for horizontal bars)."""
    return {"data": data, "by": by, "values": list(values), **options}


def rows(frame: pd.DataFrame) -> dict:
    """A dataset as the script reads it: column names and rows of plain JSON values."""
    frame = frame.copy()
    if DAY in frame:
        frame[DAY] = frame[DAY].map(formatting.day)
    values = [[formatting.plain(v) for v in row] for row in frame.itertuples(index=False)]
    return {"columns": list(frame.columns), "rows": values}


def payload(datasets: dict[str, pd.DataFrame]) -> Markup:
    """The page's rows as JSON safe inside a <script> element."""
    text = json.dumps({"datasets": {name: rows(f) for name, f in datasets.items()}})
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def options(datasets: dict[str, pd.DataFrame]) -> list[tuple[str, str, list[str]]]:
    """(column, label, values) of every dimension some dataset of the page carries."""
    found = []
    for column, label in DIMENSIONS.items():
        values = sorted(
            {
                str(v)
                for f in datasets.values()
                if column in f
                for v in f[column]
                if not formatting.is_missing(v)
            },
            key=str.lower,
        )
        if values:
            found.append((column, label, values))
    return found


def date_span(datasets: dict[str, pd.DataFrame]) -> tuple[str, str]:
    """The first and last day of the page's rows (the date inputs' bounds)."""
    parts = [pd.to_datetime(f[DAY]) for f in datasets.values() if DAY in f and len(f)]
    if not parts:
        return "", ""
    days = pd.concat(parts)
    return formatting.day(days.min()), formatting.day(days.max())


def script() -> str:
    """The shared filter script (templates/filters.js), written beside the pages."""
    from dashboards.html import TEMPLATES

    return (TEMPLATES / "filters.js").read_text(encoding="utf-8")
