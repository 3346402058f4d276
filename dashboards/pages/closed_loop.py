"""Closed loop: what became of every MQL, and why, by channel, month, campaign and content."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from dashboards import charts, filters, formatting
from dashboards.data import PublishedMarts
from dashboards.html import (
    Column,
    Metric,
    Page,
    empty,
    grid,
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec

NO_REASON = "(no reason recorded)"


def outcome_reasons(marts: PublishedMarts) -> pd.DataFrame:
    """MQLs per outcome and reason over all months and sources, most frequent first."""
    return marts.frame(f"""
        select outcome, coalesce(outcome_reason, '{NO_REASON}') as reason,
               bool_or(is_agreed_reason) as is_agreed_reason, sum(mql_count) as mqls,
               sum(lost_amount) as lost_amount
        from marts.closed_loop_outcome_reasons
        group by outcome, outcome_reason order by outcome, mqls desc, reason""")


def closed_loop_totals(marts: PublishedMarts) -> dict:
    return marts.row("select * from marts.closed_loop_totals")


TOP = 15  # the biggest labels a breakdown chart shows


def closed_loop_by(marts: PublishedMarts, breakdown: str, limit: int = TOP) -> pd.DataFrame:
    """Outcomes of the MQLs per channel, campaign, content or month; the biggest first."""
    return marts.frame(
        """
        select * from marts.closed_loop_by_breakdown where breakdown = ?
        order by rank_in_breakdown limit ?""",
        [breakdown, limit],
    )


OUTCOME_PARTS = charts.OUTCOMES  # the outcome counts of the closed-loop marts
MISSING_LABELS = {"channel": "(unknown)", "campaign": filters.NO_CAMPAIGN, "content": "(no form)"}


def outcomes_by_day(marts: PublishedMarts) -> pd.DataFrame:
    """The outcomes of the MQLs per day of the MQL, channel, campaign, content, segment and
    owner (marts.closed_loop_mql_outcomes, one row per MQL): the rows the filters re-sum."""
    counts = ", ".join(f"count(*) filter (where o.outcome = '{o}') as {o}" for o in OUTCOME_PARTS)
    return marts.frame(f"""
        with owners as (select distinct owner_id, owner_name from marts.sla_compliance_by_owner)
        select cast(o.mql_at as date) as day,
               coalesce({
        filters.channel_name("o.acquisition_channel_key", "o.acquisition_channel_name")
    },
                        '{MISSING_LABELS["channel"]}') as channel,
               coalesce(o.acquisition_campaign, '{MISSING_LABELS["campaign"]}') as campaign,
               coalesce(o.acquisition_content, '{MISSING_LABELS["content"]}') as content,
               o.segment_name as segment, {filters.OWNER_NAME} as owner,
               count(*) as mqls, {counts},
               count(*) filter (where o.outcome in ('won', 'lost')) as decided,
               coalesce(sum(o.won_amount), 0) as won_revenue,
               coalesce(sum(o.amount) filter (where o.outcome = 'open'), 0) as open_pipeline
        from marts.closed_loop_mql_outcomes as o
        left join owners using (owner_id) {filters.channel_joins("o.acquisition_channel_key")}
        group by all order by day, channel, campaign, content, segment, owner""")


WIN_RATE = filters.total("won", "decided")  # won ÷ (won + lost), as closed_loop_totals


def outcome_view(by: str | None, **options) -> dict:
    """The outcome counts per group, for the filters (a stacked bar or a table's columns)."""
    return filters.view("outcomes", by, [filters.total(o) for o in OUTCOME_PARTS], **options)


NO_MQLS = "No MQL has been handed to sales in the published data, so no outcome to show."


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts = inputs.marts
    page = Page(
        spec.slug,
        spec.title,
        "What became of every MQL marketing handed to sales, and why, by source, "
        "campaign and content?",
        summary=("won", "won_revenue"),
    )
    totals, reasons = closed_loop_totals(marts), outcome_reasons(marts)
    page.datasets = {"outcomes": outcomes_by_day(marts)}
    unit = marts.currency()

    def summed(measure: str) -> dict:
        return filters.view("outcomes", values=[filters.total(measure)])

    page.metrics = [
        Metric("mqls", "MQLs handed to sales", totals.get("mqls"), view=summed("mqls")),
        Metric("won", "Won", totals.get("won"), view=summed("won")),
        Metric(
            "win_rate",
            "Win rate",
            totals.get("win_rate"),
            "rate",
            note="won ÷ (won + lost) opportunities",
            view=filters.view("outcomes", values=[WIN_RATE]),
        ),
        Metric(
            "won_revenue",
            "Revenue won",
            totals.get("won_revenue"),
            "amount",
            note=unit,
            view=summed("won_revenue"),
        ),
        Metric(
            "open_pipeline",
            "Open pipeline",
            totals.get("open_pipeline"),
            "amount",
            note=unit,
            view=summed("open_pipeline"),
        ),
        Metric(
            "recycled_to_nurture",
            "Recycled to nurture",
            totals.get("recycled_to_nurture"),
            view=summed("recycled_to_nurture"),
        ),
        Metric(
            "disqualified", "Disqualified", totals.get("disqualified"), view=summed("disqualified")
        ),
    ]
    page.body = [
        section(
            "Outcomes by source",
            "Each MQL counts once, under the channel, campaign and first form of its "
            "person. Recent months are still being worked, so many are open.",
            _outcomes_chart(page, marts, "channel", "Outcomes by acquisition channel"),
            _outcomes_chart(page, marts, "month", "Outcomes by month of the MQL"),
            _outcomes_chart(page, marts, "campaign", "Outcomes by campaign (top 15)"),
            _outcomes_chart(page, marts, "content", "Outcomes by content, the first form (top 15)"),
        ),
        section(
            "Why MQLs did not turn into revenue",
            "The reason recorded in the CRM for each lost deal, disqualification and rejection.",
            grid(
                reasons_chart(page, reasons, "lost", "Loss reasons"),
                reasons_chart(page, reasons, "disqualified", "Disqualification reasons"),
            ),
            grid(reasons_chart(page, reasons, "recycled_to_nurture", "Rejection reasons")),
        ),
        section(
            "Revenue by channel",
            "",
            table(
                closed_loop_by(marts, "channel", limit=100),
                [
                    Column("label", "Channel"),
                    Column("mqls", "MQLs", "count"),
                    *(Column(o, label, "count") for o, (label, _) in OUTCOME_PARTS.items()),
                    Column("win_rate", "Win rate", "rate"),
                    Column("won_revenue", "Revenue won", "amount"),
                    Column("open_pipeline", "Open pipeline", "amount"),
                ],
                "Outcomes and revenue per channel",
                f"Amounts in {unit}.",
                NO_MQLS,
                view=filters.view(
                    "outcomes",
                    "channel",
                    [
                        filters.total("mqls"),
                        *(filters.total(o) for o in OUTCOME_PARTS),
                        WIN_RATE,
                        filters.total("won_revenue"),
                        filters.total("open_pipeline"),
                    ],
                    sort=0,
                ),
            ),
        ),
    ]
    return page


def _outcomes_chart(page: Page, marts: PublishedMarts, dimension: str, title: str) -> Markup:
    frame = closed_loop_by(marts, dimension)
    if frame.empty:
        return empty(title, NO_MQLS)
    figure = charts.stacked_horizontal_bars(frame, "label", OUTCOME_PARTS, "MQLs")
    if dimension == "month":
        view = outcome_view(filters.period("month"), axis="y")
    else:
        view = outcome_view(dimension, axis="y", sort="total", limit=TOP)
    return page.chart(figure, title, view=view)


def reasons_chart(page: Page, reasons: pd.DataFrame, outcome: str, title: str) -> Markup:
    reasons = reasons[reasons["outcome"] == outcome]
    if reasons.empty:
        return empty(
            title,
            f"No MQL has ended as {charts.OUTCOMES[outcome][0].lower()} yet, "
            "so there is no reason to show.",
        )
    figure = charts.horizontal_bars(
        reasons["reason"].tolist(),
        reasons["mqls"].tolist(),
        "MQLs",
        "count",
        hover_label=" MQLs",
        colours=[_reason_colour(outcome, row) for row in reasons.to_dict("records")],
    )
    if outcome == "lost":
        note = "The definitions list no loss reasons; red: none recorded."
    else:
        note = "Blue: an agreed reason; red: a reason outside the agreed list, or none recorded."
    return page.chart(figure, title, note)


def _reason_colour(outcome: str, reason: dict) -> str:
    agreed = formatting.plain(reason["is_agreed_reason"])
    recorded = reason["reason"] != NO_REASON
    fine = recorded and (agreed is True or (outcome == "lost" and agreed is None))
    return "#0072B2" if fine else "#B42318"
