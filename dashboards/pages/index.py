"""The landing page: the headlines both teams ask first, each for its month and against the
month before; why the pages' money differs, reconciled line by line; then one card per page.

Not an exposure of its own page list: it links the pages of the exposures. Every number is
selected from the reporting marts (headline_kpis, revenue_reconciliation), which say their
base; this module only words them.
"""

from __future__ import annotations

import pandas as pd

from dashboards import formatting
from dashboards.data import PublishedMarts
from dashboards.html import Column, Metric, Page, page_cards, section, table
from dashboards.pages import period_text, reporting_periods

INDEX = "index"

# headline key -> (label, formatting kind, how its base reads: numerator, base, month)
HEADLINES = {
    "mql_to_sql_rate": ("MQL → SQL", "rate", "{n} of the {d} MQLs of {m} reached SQL, to date"),
    "sql_to_won_rate": (
        "SQL → won",
        "rate",
        "{n} of the {d} SQLs of {m} won, to date (deals take weeks to close)",
    ),
    "speed_to_lead_hours": (
        "Speed to lead",
        "hours",
        "median business hours from MQL to first touch, over the {d} MQLs of {m} touched",
    ),
    "first_touch_met_rate": (
        "Sales SLA: first touch in time",
        "rate",
        "{n} of the {d} MQLs of {m} whose window closed",
    ),
    "mql_target_share": (
        "Marketing SLA: MQLs of the monthly target",
        "rate",
        "{n} MQLs in {m} against a monthly target of {d}",
    ),
    "pipeline_created": (
        "Pipeline created",
        "amount",
        "{d} opportunities created in {m}, {u}",
    ),
    "revenue_won": ("Revenue won", "amount", "{d} deals won in {m}, {u}"),
}


def headlines(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("select * from marts.headline_kpis order by headline_order, period_key")


def reconciliation(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("select * from marts.revenue_reconciliation")


def build(pages: list[Page], marts: PublishedMarts) -> Page:
    page = Page(
        INDEX,
        "Shared funnel dashboards",
        "One set of funnel numbers for marketing and sales, refreshed only after "
        "every blocking quality check passed.",
    )
    periods = reporting_periods(marts)
    month, before = periods.get("headline_month"), periods.get("previous_month")
    page.period = period_text(month)
    unit = marts.currency()
    page.metrics = _headline_metrics(headlines(marts), month, before, unit)
    page.body = [
        section(
            "Where the pages' money differs, and why",
            "The Attribution page counts every opportunity; the Closed loop page only those "
            "that came from an MQL. Over all published data, "
            f"{period_text(periods.get('all_data'))}, the difference is this:",
            _reconciliation_table(reconciliation(marts), unit),
        ),
        section("The pages", "", page_cards(pages)),
    ]
    return page


def _headline_metrics(
    frame: pd.DataFrame, month: dict | None, before: dict | None, unit: str
) -> list[Metric]:
    month_name = formatting.period(month["period_start"], "month") if month else "the month"
    before_name = formatting.period(before["period_start"], "month") if before else ""
    rows = {(r["headline_key"], r["period_key"]): r for r in frame.to_dict("records")}
    metrics = []
    for key, (label, kind, base) in HEADLINES.items():
        now = rows.get((key, "headline_month"), {})
        then = rows.get((key, "previous_month"), {})
        value, previous = (formatting.plain(r.get("headline_value")) for r in (now, then))
        note = ""
        if not formatting.is_missing(now.get("denominator")):
            note = base.format(
                n=formatting.count(now.get("numerator")),
                d=formatting.count(now.get("denominator")),
                m=month_name,
                u=unit,
            )
        metrics.append(
            Metric(
                key, label, value, kind, note=note, trend=_trend(value, previous, kind, before_name)
            )
        )
    return metrics


def _trend(value, previous, kind: str, before: str) -> str:
    """'▲ 2.1 pts vs Oct 2026 (32.9%)'; the previous value is always named."""
    if formatting.is_missing(previous):
        return f"no {before} figure to compare" if before else ""
    was = formatting.formatted(previous, kind)
    if formatting.is_missing(value):
        return f"{before}: {was}"
    change = float(value) - float(previous)
    arrow = "▲" if change > 0 else "▼" if change < 0 else "="
    if kind == "rate":
        size = f"{abs(change) * 100:.1f} pts"
    elif float(previous):
        size = f"{abs(change) / abs(float(previous)) * 100:.0f}%"
    else:
        size = formatting.formatted(abs(change), kind)
    return f"{arrow} {size} vs {before} ({was})"


def _reconciliation_table(frame: pd.DataFrame, unit: str):
    def total(status=None, traced=None, no_touch=None) -> tuple[float, int]:
        rows = frame
        if status is not None:
            rows = rows[rows["opportunity_status"].isin(status)]
        if traced is not None:
            rows = rows[rows["is_traced_to_mql"] == traced]
        if no_touch is not None:
            rows = rows[rows["has_no_marketing_touch"] == no_touch]
        return float(rows["amount"].sum()), int(rows["opportunity_count"].sum())

    won_untraced, won_untraced_deals = total(["won"], traced=False)
    won_untouched, _ = total(["won"], traced=False, no_touch=True)
    open_untraced, open_untraced_deals = total(["open"], traced=False)
    why_won = (
        f"{formatting.count(won_untraced_deals)} won "
        f"{'deal' if won_untraced_deals == 1 else 'deals'} with no MQL before them "
        "(sales-sourced)"
        + (
            ", and no marketing touch in the attribution lookback"
            if won_untraced and won_untouched == won_untraced
            else ""
        )
    )
    lines = pd.DataFrame(
        [
            {
                "figure": "Revenue won",
                "attribution": total(["won"])[0],
                "closed_loop": total(["won"], traced=True)[0],
                "not_attributable": won_untraced,
                "why": why_won if won_untraced_deals else "every won deal came from an MQL",
            },
            {
                "figure": "Open pipeline",
                "attribution": total(["open"])[0],
                "closed_loop": total(["open"], traced=True)[0],
                "not_attributable": open_untraced,
                "why": f"{formatting.count(open_untraced_deals)} open "
                f"{'opportunity' if open_untraced_deals == 1 else 'opportunities'} with no "
                "MQL before them (sales-sourced)",
            },
            {
                "figure": "Pipeline (every opportunity: open, won and lost)",
                "attribution": total()[0],
                "closed_loop": total(traced=True)[0],
                "not_attributable": total(traced=False)[0],
                "why": "opportunities with no MQL before them; the Closed loop page shows only "
                "the open part as pipeline",
            },
        ]
    )
    return table(
        lines if not frame.empty else frame,
        [
            Column("figure", "Figure"),
            Column("attribution", "Attribution page", "amount"),
            Column("closed_loop", "Closed loop page (from MQLs)", "amount"),
            Column("not_attributable", "Not attributable to an MQL", "amount"),
            Column("why", "Why"),
        ],
        "Reconciliation of the money on the pages",
        f"Amounts in {unit}. Attribution page = Closed loop page + not attributable to an MQL.",
        "No opportunity has been created in the published data.",
    )
