"""The dashboard pages: for each, its headline numbers, charts and tables, in the order a
reader asks their questions. Every chart and table that can be empty says why it is.
"""

from __future__ import annotations

import pandas as pd

from dashboards import charts, data, formatting
from dashboards.data import PublishedMarts
from dashboards.html import (
    GRAINS,
    Column,
    Metric,
    Page,
    definition_list,
    empty,
    grain_views,
    grid,
    section,
    table,
)
from dashboards.status import RunStatus
from quality.rules import RULES
from transform.definitions import LeadDefinitions

TOLERANCE_MEANING = (
    "Records breaking an agreed definition are listed as exceptions; "
    "publishing stops only above the tolerance both teams set, default 0."
)
NO_FUNNEL = (
    "No one entered a funnel stage in the published data: the funnel marts are "
    "empty (no exports loaded yet, or none past the subscriber stage)."
)
RECENT_PERIODS = {"day": 14, "week": 12, "month": 12, "quarter": 8}
MARKETING_STAGES = {k: charts.STAGES[k] for k in ("leads", "mqls")}
SALES_STAGES = {k: charts.STAGES[k] for k in ("sals", "sqls", "opportunities", "customers")}


def _grain(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    return frame[frame["period_grain"] == grain].reset_index(drop=True)


def _with_period_label(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    return frame.assign(period=frame["period_start"].map(lambda d: formatting.period(d, grain)))


# --- funnel overview --------------------------------------------------------------------


def funnel_overview(marts: PublishedMarts) -> Page:
    page = Page(
        "funnel_overview",
        "Funnel overview",
        "How many persons move from lead to MQL, SAL, SQL, opportunity and customer, and how fast?",
        summary=("mqls", "customers"),
    )
    totals = data.funnel_totals(marts)
    page.metrics = [
        *(Metric(key, label, totals.get(key)) for key, (label, _) in charts.STAGES.items()),
        Metric(
            "sales_sourced_sqls",
            "Sales-sourced SQLs",
            totals.get("sales_sourced_sqls"),
            note="SQLs without a prior MQL",
        ),
        Metric(
            "lead_to_customer_rate",
            "Lead → customer",
            totals.get("lead_to_customer_rate"),
            "rate",
            note="of all leads, same persons followed",
        ),
    ]
    entries, rates = data.funnel_by_period(marts), data.funnel_cohort_rates(marts)
    velocity = data.lead_velocity(marts)
    page.body = [
        section(
            "The whole funnel",
            "Persons who entered each stage over all the published data, and how long "
            "those who moved on had spent in each stage.",
            grid(_funnel_chart(page, totals), _time_in_stage_chart(page, marts)),
        ),
        section(
            "Over time",
            "Entries are counted in the period the stage was entered. Conversion rates "
            "follow the same persons: of the leads who entered the funnel in a period, "
            "the share that reached the next stage to date (recent cohorts are still "
            "moving). The latest period may be incomplete.",
            grain_views(
                {
                    g: _funnel_grain(
                        page, g, _grain(entries, g), _grain(rates, g), _grain(velocity, g)
                    )
                    for g in GRAINS
                }
            ),
        ),
        section(
            "By acquisition channel",
            "Each person counts once, under the channel that brought them (the agreed "
            "channels of the definitions file).",
            _funnel_by_channel(page, marts),
        ),
    ]
    return page


def _funnel_chart(page: Page, totals: dict) -> str:
    title = "Persons entering each stage"
    if not any(totals.get(key) for key in charts.STAGES):
        return empty(title, NO_FUNNEL)
    stages = {key: totals.get(key) or 0 for key in charts.STAGES}
    return page.chart(
        charts.funnel(stages),
        title,
        "Inferred stages count (a later stage implies them); sales-sourced SQLs "
        "skip the MQL and SAL.",
    )


def _time_in_stage_chart(page: Page, marts: PublishedMarts) -> str:
    title = "Average days in each stage"
    frame = data.time_in_stage(marts).dropna(subset=["avg_days_in_stage"])
    if frame.empty:
        return empty(
            title, "No one has moved on from a stage yet, so no time in stage can be measured."
        )
    figure = charts.horizontal_bars(
        frame["stage_name"].tolist(),
        frame["avg_days_in_stage"].tolist(),
        "Days (calendar)",
        "days",
        hover_label=" days",
    )
    return page.chart(
        figure,
        title,
        "Of the persons who left the stage for a later one; "
        "persons still in a stage are not counted yet.",
    )


def _funnel_grain(
    page: Page, grain: str, entries: pd.DataFrame, rates: pd.DataFrame, velocity: pd.DataFrame
) -> str:
    if entries.empty:
        return empty(f"Stage entries per {grain}", NO_FUNNEL)
    unit = f"Persons entering, per {grain}"
    parts = [
        grid(
            page.chart(
                charts.period_lines(entries, grain, MARKETING_STAGES, unit, "count"),
                f"Leads and MQLs per {grain}",
            ),
            page.chart(
                charts.period_lines(entries, grain, SALES_STAGES, unit, "count"),
                f"SALs, SQLs, opportunities and customers per {grain}",
            ),
        ),
        _cohort_rates_chart(page, grain, rates),
    ]
    if grain in ("month", "quarter"):
        parts.append(_lead_velocity_chart(page, grain, velocity))
    recent = entries.merge(
        rates[["period_start", "lead_to_mql_rate", "lead_to_customer_rate"]],
        on="period_start",
        how="left",
    )
    recent = _with_period_label(recent.tail(RECENT_PERIODS[grain]).iloc[::-1], grain)
    shown = f"{len(recent)} {grain}s" if len(recent) > 1 else grain
    parts.append(
        table(
            recent,
            [
                Column("period", "Week starting" if grain == "week" else grain.capitalize()),
                *(Column(key, label, "count") for key, (label, _) in charts.STAGES.items()),
                Column("sales_sourced_sqls", "of which SQLs sales-sourced", "count"),
                Column("lead_to_mql_rate", "Lead → MQL (cohort)", "rate"),
                Column("lead_to_customer_rate", "Lead → customer (cohort)", "rate"),
            ],
            f"The latest {shown}",
            "Most recent first. Cohort rates belong to the leads who entered in the period.",
        )
    )
    return "".join(parts)


def _cohort_rates_chart(page: Page, grain: str, rates: pd.DataFrame) -> str:
    title = f"Conversion from stage to stage, by {grain} of funnel entry"
    if rates.empty or rates[list(charts.STEP_RATES)].isna().all().all():
        return empty(title, f"No cohort at {grain} grain has reached a stage with a rate yet.")
    figure = charts.period_lines(rates, grain, charts.STEP_RATES, "Reached the next stage", "rate")
    return page.chart(
        figure, title, "Between 0 and 100%: the same persons followed from one stage to the next."
    )


def _lead_velocity_chart(page: Page, grain: str, velocity: pd.DataFrame) -> str:
    title = f"Lead velocity rate: MQL growth over the {grain} before"
    frame = velocity.dropna(subset=["lead_velocity_rate"])
    if frame.empty:
        return empty(
            title,
            f"Needs two {grain}s of data with MQLs in the earlier one; the "
            "published data does not have them yet.",
        )
    figure = charts.period_bars(
        frame,
        grain,
        {"lead_velocity_rate": ("Lead velocity rate", "#0072B2")},
        "Growth of MQLs over the previous period",
        "rate",
    )
    figure.update_yaxes(range=None, autorange=True, rangemode="tozero")
    return page.chart(
        figure,
        title,
        "(MQLs − MQLs of the period before) ÷ MQLs of the "
        "period before; the latest period may still be running.",
    )


def _funnel_by_channel(page: Page, marts: PublishedMarts) -> str:
    frame = data.funnel_by_channel(marts)
    if frame.empty:
        return empty("Funnel by channel", NO_FUNNEL)
    rated = frame.dropna(subset=["lead_to_mql_rate"])
    if rated.empty:
        bars = grid(
            empty("Leads by channel", "No channel has leads yet."),
            empty("Lead → MQL rate by channel", "No channel has leads yet."),
        )
    else:
        labels = rated["channel_name"].tolist()
        bars = grid(
            page.chart(
                charts.horizontal_bars(
                    labels,
                    rated["leads"].tolist(),
                    "Leads",
                    "count",
                    colour=charts.STAGES["leads"][1],
                    hover_label=" leads",
                ),
                "Leads by channel",
                "How many leads each channel brought.",
            ),
            page.chart(
                charts.horizontal_bars(
                    labels, rated["lead_to_mql_rate"].tolist(), "Leads who became MQLs", "rate"
                ),
                "Lead → MQL rate by channel",
                "Of each channel's leads, the share that became marketing qualified.",
            ),
        )
    return bars + table(
        frame,
        [
            Column("channel_name", "Channel"),
            Column("leads", "Leads", "count"),
            Column("mqls", "MQLs", "count"),
            Column("sqls", "SQLs", "count"),
            Column("opportunities", "Opportunities", "count"),
            Column("customers", "Customers", "count"),
            Column("lead_to_mql_rate", "Lead → MQL", "rate"),
            Column("lead_to_customer_rate", "Lead → customer", "rate"),
        ],
        "Each channel's persons through the funnel",
        "Persons by the channel that brought "
        "them; sales-sourced prospects enter at SQL, so SQLs can exceed MQLs.",
    )


# --- SLA --------------------------------------------------------------------------------


def sla(marts: PublishedMarts) -> Page:
    page = Page(
        "sla",
        "Service levels, both sides",
        "Does sales touch, follow up and decide on every MQL in time? Does marketing "
        "deliver the MQLs it owes?",
        summary=("first_touch_met_rate", "acceptance_rate"),
    )
    terms, totals = data.sla_terms(marts), data.sla_totals(marts)
    acceptance, volume = data.acceptance_totals(marts), data.mql_volume(marts)
    first_touch = terms.get("first_touch_within_business_hours")
    respond = terms.get("accept_or_reject_within_business_hours")
    follow = (
        f"{formatting.count(terms.get('follow_up_attempts'))} touches within "
        f"{formatting.count(terms.get('follow_up_within_days'))} days"
    )
    rates, speed = data.sla_by_period(marts), data.speed_to_first_touch(marts)
    reasons = data.outcome_reasons(marts)
    targeted = volume.dropna(subset=["monthly_mql_target"]).tail(1).to_dict("records")
    latest = targeted[0] if targeted else {}
    page.metrics = [
        Metric("mqls", "MQLs handed to sales", totals.get("mqls")),
        Metric(
            "first_touch_met_rate",
            "First touch in time",
            totals.get("first_touch_met_rate"),
            "rate",
            note=f"within {formatting.hours(first_touch)} of business time",
        ),
        Metric(
            "follow_up_met_rate",
            "Follow-up in time",
            totals.get("follow_up_met_rate"),
            "rate",
            note=follow,
        ),
        Metric(
            "response_met_rate",
            "Accepted or rejected in time",
            totals.get("response_met_rate"),
            "rate",
            note=f"within {formatting.hours(respond)} of business time",
        ),
        Metric(
            "never_touched",
            "MQLs never touched",
            totals.get("never_touched"),
            note="first-touch window passed",
        ),
        Metric(
            "acceptance_rate",
            "Accepted by sales",
            acceptance.get("acceptance_rate"),
            "rate",
            note=f"{formatting.count(acceptance.get('accepted'))} accepted, "
            f"{formatting.count(acceptance.get('rejected'))} rejected",
        ),
        Metric(
            "share_of_target",
            "MQL target delivered",
            latest.get("share_of_target_delivered"),
            "rate",
            note=_target_note(latest),
        ),
    ]
    page.body = [
        section(
            "Sales: speed to first touch, follow-up and decision",
            "Rates count the MQLs whose SLA window has closed (or that met it early), so "
            "MQLs still being worked do not show as failing. Periods are those of the "
            "MQL date.",
            grain_views(
                {
                    g: _sla_grain(page, g, _grain(rates, g), _grain(speed, g), first_touch)
                    for g in GRAINS
                }
            ),
            _sla_by_owner(marts),
        ),
        section(
            "Acceptance and rejection",
            "What sales decided about the MQLs it received, and the reasons it gave. "
            "Agreed reasons are those of the definitions file.",
            grid(
                _acceptance_chart(page, volume),
                _reasons_chart(
                    page, reasons, "recycled_to_nurture", "Rejection reasons (recycled to nurture)"
                ),
            ),
            grid(_reasons_chart(page, reasons, "disqualified", "Disqualification reasons")),
        ),
        section(
            "Marketing: MQL volume against target",
            "MQLs delivered per calendar month against the monthly target: the agreed "
            "fixed target, or one derived from the revenue goal through the conversion "
            "observed before the month.",
            _volume_chart(page, volume),
            _volume_table(volume),
        ),
    ]
    return page


def _target_note(latest: dict) -> str:
    if not latest:
        return "no month has a target yet"
    running = "" if latest.get("is_complete_month") else " (running)"
    return (
        f"{formatting.period(latest['period_start'], 'month')}{running}: "
        f"{formatting.count(latest['mqls_delivered'])} of "
        f"{formatting.count(latest['monthly_mql_target'])}"
    )


SLA_SERIES = {
    "first_touch_met_rate": ("First touch in time", "#0072B2"),
    "follow_up_met_rate": ("Follow-up in time", "#009E73"),
    "response_met_rate": ("Accepted or rejected in time", "#E69F00"),
}


def _sla_grain(
    page: Page, grain: str, rates: pd.DataFrame, speed: pd.DataFrame, first_touch: float | None
) -> str:
    speed = speed.dropna(subset=["median_hours"])
    if rates.empty:
        return empty(f"SLA per {grain}", "No MQL has been handed to sales yet.")
    rate_chart = (
        page.chart(
            charts.period_lines(rates, grain, SLA_SERIES, "MQLs meeting the SLA", "rate"),
            f"SLA met per {grain}",
            "Of the MQLs whose window has closed.",
        )
        if not rates[list(SLA_SERIES)].isna().all().all()
        else empty(f"SLA met per {grain}", "No MQL's SLA window has closed yet.")
    )
    if speed.empty:
        speed_chart = empty(
            f"Median business hours to first touch per {grain}", "No MQL has been touched yet."
        )
    else:
        figure = _speed_figure(speed, grain)
        if first_touch:
            charts.with_bar_line(figure, first_touch, f"SLA: {formatting.hours(first_touch)}")
        speed_chart = page.chart(
            figure,
            f"Median business hours to first touch per {grain}",
            "One line per owner; business hours count only sales' working hours.",
        )
    return grid(rate_chart, speed_chart)


def _speed_figure(speed: pd.DataFrame, grain: str):
    owners = list(dict.fromkeys(speed["owner"]))
    series = {}
    wide = speed.pivot_table(
        index="period_start", columns="owner", values="median_hours", aggfunc="first", sort=True
    ).reset_index()
    for i, owner in enumerate(owners):
        series[owner] = (owner, charts.PALETTE[i % len(charts.PALETTE)])
    return charts.period_lines(wide, grain, series, "Business hours (median)", "hours")


def _sla_by_owner(marts: PublishedMarts) -> str:
    return table(
        data.sla_by_owner(marts),
        [
            Column("owner", "Owner"),
            Column("mqls", "MQLs", "count"),
            Column("first_touch_met_rate", "First touch in time", "rate"),
            Column("follow_up_met_rate", "Follow-up in time", "rate"),
            Column("response_met_rate", "Decided in time", "rate"),
            Column("never_touched", "Never touched", "count"),
            Column("sla_breached", "Breached any SLA", "count"),
        ],
        "Per owner, all periods",
        "The owner is the lead's current owner, a rep or a queue.",
        "No MQL has been handed to sales yet.",
    )


def _acceptance_chart(page: Page, volume: pd.DataFrame) -> str:
    title = "Accepted and rejected MQLs per month"
    decided = volume[(volume["mqls_accepted"] + volume["mqls_rejected"]) > 0]
    if decided.empty:
        return empty(title, "Sales has not accepted or rejected any MQL yet.")
    figure = charts.period_bars(
        decided,
        "month",
        {
            "mqls_accepted": ("Accepted (SAL)", "#009E73"),
            "mqls_rejected": ("Rejected to nurture", "#E69F00"),
        },
        "MQLs (by month of the MQL)",
    )
    return page.chart(
        figure, title, "Sales' first decision on each MQL; undecided ones are left out."
    )


def _reasons_chart(page: Page, reasons: pd.DataFrame, outcome: str, title: str) -> str:
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
    recorded = reason["reason"] != data.NO_REASON
    fine = recorded and (agreed is True or (outcome == "lost" and agreed is None))
    return "#0072B2" if fine else "#B42318"


def _volume_chart(page: Page, volume: pd.DataFrame) -> str:
    title = "MQLs delivered per month, against target"
    if volume.empty:
        return empty(title, "No MQL has been delivered yet.")
    colours = ["#0072B2" if complete else "#9ECAE1" for complete in volume["is_complete_month"]]
    figure = charts.period_bars(
        volume, "month", {"mqls_delivered": ("MQLs delivered", "#0072B2")}, "MQLs per month"
    )
    figure.update_traces(marker_color=colours)
    if volume["monthly_mql_target"].notna().any():
        charts.with_target(
            figure, volume["period_start"], volume["monthly_mql_target"], "Monthly target"
        )
    note = "Light bars: the month is still running."
    if volume["monthly_mql_target"].isna().all():
        note += " No month has a target yet: too little history to derive one."
    return page.chart(figure, title, note)


def _volume_table(volume: pd.DataFrame) -> str:
    frame = volume.assign(
        month=volume["period_start"].map(lambda d: formatting.period(d, "month")),
        basis=volume["target_basis"].map(lambda b: TARGET_BASES.get(b, b)),
        verdict=volume.apply(_verdict, axis=1) if not volume.empty else [],
    )
    return table(
        frame,
        [
            Column("month", "Month"),
            Column("mqls_delivered", "Delivered", "count"),
            Column("monthly_mql_target", "Target", "count"),
            Column("basis", "Target from"),
            Column("share_of_target_delivered", "Share of target", "rate"),
            Column("verdict", "Target"),
            Column("acceptance_rate", "Accepted by sales", "rate"),
        ],
        "Month by month",
        "A derived target needs a won deal in the trailing window before the month.",
        "No MQL has been delivered yet.",
    )


TARGET_BASES = {
    "fixed": "the agreed fixed target",
    "derived": "the revenue goal",
    "insufficient_history": "too little history: none",
}


def _verdict(row) -> str:
    if formatting.is_missing(row["monthly_mql_target"]):
        return "no target"
    if row["is_target_met"] is True:
        return "met"
    return "short" if row["is_complete_month"] else "running"


# --- closed loop ------------------------------------------------------------------------

OUTCOME_PARTS = {o: charts.OUTCOMES[o] for o in data.OUTCOME_COUNTS}
NO_MQLS = "No MQL has been handed to sales in the published data, so no outcome to show."


def closed_loop(marts: PublishedMarts) -> Page:
    page = Page(
        "closed_loop",
        "Closed loop",
        "What became of every MQL marketing handed to sales, and why, by source, "
        "campaign and content?",
        summary=("won", "won_revenue"),
    )
    totals, reasons = data.closed_loop_totals(marts), data.outcome_reasons(marts)
    page.metrics = [
        Metric("mqls", "MQLs handed to sales", totals.get("mqls")),
        Metric("won", "Won", totals.get("won")),
        Metric(
            "win_rate",
            "Win rate",
            totals.get("win_rate"),
            "rate",
            note="won ÷ (won + lost) opportunities",
        ),
        Metric(
            "won_revenue",
            "Revenue won",
            totals.get("won_revenue"),
            "amount",
            note=formatting.AMOUNT_UNIT,
        ),
        Metric(
            "open_pipeline",
            "Open pipeline",
            totals.get("open_pipeline"),
            "amount",
            note=formatting.AMOUNT_UNIT,
        ),
        Metric("recycled_to_nurture", "Recycled to nurture", totals.get("recycled_to_nurture")),
        Metric("disqualified", "Disqualified", totals.get("disqualified")),
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
                _reasons_chart(page, reasons, "lost", "Loss reasons"),
                _reasons_chart(page, reasons, "disqualified", "Disqualification reasons"),
            ),
            grid(_reasons_chart(page, reasons, "recycled_to_nurture", "Rejection reasons")),
        ),
        section(
            "Revenue by channel",
            "",
            table(
                data.closed_loop_by(marts, "channel", limit=100),
                [
                    Column("label", "Channel"),
                    Column("mqls", "MQLs", "count"),
                    *(Column(o, label, "count") for o, (label, _) in OUTCOME_PARTS.items()),
                    Column("win_rate", "Win rate", "rate"),
                    Column("won_revenue", "Revenue won", "amount"),
                    Column("open_pipeline", "Open pipeline", "amount"),
                ],
                "Outcomes and revenue per channel",
                f"Amounts in the {formatting.AMOUNT_UNIT}.",
                NO_MQLS,
            ),
        ),
    ]
    return page


def _outcomes_chart(page: Page, marts: PublishedMarts, dimension: str, title: str) -> str:
    frame = data.closed_loop_by(marts, dimension)
    if frame.empty:
        return empty(title, NO_MQLS)
    figure = charts.stacked_horizontal_bars(frame, "label", OUTCOME_PARTS, "MQLs")
    return page.chart(figure, title)


# --- attribution ------------------------------------------------------------------------

NO_OPPORTUNITIES = (
    "No opportunity has been created in the published data, so there is nothing to attribute."
)


def attribution(marts: PublishedMarts) -> Page:
    page = Page(
        "attribution",
        "Attribution",
        "Which channels and campaigns earned the pipeline and the revenue, under each "
        "attribution model, side by side?",
        summary=("pipeline", "revenue"),
    )
    totals, settings = data.attribution_totals(marts), data.attribution_settings(marts)
    page.metrics = [
        Metric("opportunities", "Opportunities", totals.get("opportunities")),
        Metric(
            "pipeline", "Pipeline", totals.get("pipeline"), "amount", note=formatting.AMOUNT_UNIT
        ),
        Metric("won_opportunities", "Won deals", totals.get("won_opportunities")),
        Metric(
            "revenue", "Revenue won", totals.get("revenue"), "amount", note=formatting.AMOUNT_UNIT
        ),
    ]
    by_channel = data.attribution_by_channel(marts)
    by_campaign = data.attribution_by_campaign(marts)
    page.body = [
        section(
            "By channel",
            _models_explained(settings) + " Every model shares out the same total; "
            "'No marketing touch in lookback' is what no touch earned.",
            _models_chart(
                page,
                by_channel,
                "pipeline",
                "Pipeline by channel, per model",
                "Pipeline attributed",
            ),
            _models_chart(
                page,
                by_channel,
                "revenue",
                "Revenue won by channel, per model",
                "Revenue attributed",
            ),
            _models_table(by_channel),
        ),
        section(
            "By campaign",
            "The campaigns with the most pipeline under any model; '(no campaign)' is "
            "credit to touches that name none.",
            _campaign_heatmap(page, by_campaign, "pipeline", "Pipeline by campaign"),
            _campaign_heatmap(page, by_campaign, "revenue", "Revenue won by campaign"),
        ),
    ]
    return page


def _models_explained(settings: dict) -> str:
    if not settings:
        return "Six attribution models."
    return (
        f"Touches of the account's buying group in the "
        f"{formatting.count(settings['attribution_lookback_days'])} days before the "
        "opportunity share its credit: all to the first or the last touch, evenly "
        f"(linear), {formatting.rate(settings['u_shaped_first_last_share'])} each to the "
        f"first and lead-creating touch (U-shaped), "
        f"{formatting.rate(settings['w_shaped_first_lead_opportunity_share'])} each to "
        "first, lead-creating and last touch (W-shaped), or more to recent touches "
        f"(time decay, half-life {formatting.count(settings['time_decay_half_life_days'])} "
        "days)."
    )


def _models_chart(page: Page, frame: pd.DataFrame, value: str, title: str, y_title: str) -> str:
    if frame.empty:
        return empty(title, NO_OPPORTUNITIES)
    if not frame[value].any():
        return empty(
            title, "No opportunity has been won yet." if value == "revenue" else NO_OPPORTUNITIES
        )
    figure = charts.grouped_bars(
        frame,
        "channel_name",
        "attribution_model",
        value,
        charts.MODELS,
        f"{y_title} ({formatting.AMOUNT_UNIT})",
        "amount",
    )
    return page.chart(figure, title)


def _models_table(frame: pd.DataFrame) -> str:
    wide = (
        frame.pivot_table(
            index="channel_name",
            columns="attribution_model",
            values="revenue",
            aggfunc="sum",
            fill_value=0,
            sort=False,
        ).reset_index()
        if not frame.empty
        else pd.DataFrame()
    )
    models = [m for m in charts.MODELS if m in wide.columns]
    return table(
        wide,
        [
            Column("channel_name", "Channel"),
            *(Column(m, charts.MODELS[m][0], "amount") for m in models),
        ],
        "Revenue won by channel, model by model",
        f"Read across a row to compare models; amounts in the {formatting.AMOUNT_UNIT}.",
        NO_OPPORTUNITIES,
    )


def _campaign_heatmap(page: Page, frame: pd.DataFrame, value: str, title: str) -> str:
    if frame.empty or not frame[value].any():
        return empty(title, NO_OPPORTUNITIES if frame.empty else "No opportunity has been won yet.")
    figure = charts.heatmap(
        frame.rename(columns={"attribution_model": "column"}),
        "campaign",
        {m: label for m, (label, _) in charts.MODELS.items()},
        value,
        formatting.AMOUNT_UNIT,
    )
    return page.chart(figure, title)


# --- customer journey -------------------------------------------------------------------

JOURNEY_ROWS = 40


def customer_journey(marts: PublishedMarts) -> Page:
    page = Page(
        "customer_journey",
        "Customer journeys",
        "What did one person, or one account's buying group, do, in order, across web, "
        "marketing and sales?",
    )
    people = {why: data.example_person(marts, why) for why in data.EXAMPLE_PEOPLE}
    account = data.example_account(marts)
    totals = data.journey_totals(marts)
    page.metrics = [
        Metric("persons", "Persons with a journey", totals.get("persons")),
        Metric("accounts", "Accounts with a journey", totals.get("accounts")),
        Metric(
            "touchpoints",
            "Touchpoints",
            totals.get("touchpoints"),
            note="web, marketing and sales, in one order",
        ),
    ]
    page.body = [
        *(_person_section(page, marts, why, person) for why, person in people.items()),
        _account_section(page, marts, account),
    ]
    return page


def _person_section(page: Page, marts: PublishedMarts, why: str, person: str | None) -> str:
    if person is None:
        return section(why, "", empty("Timeline", "No such person in the published data."))
    summary = data.person_summary(marts, person)
    facts = definition_list(
        [
            ("Person", person),
            ("Channel", formatting.formatted(summary.get("channel_name"), "text")),
            ("Campaign", formatting.formatted(summary.get("campaign"), "text")),
            ("Segment", formatting.formatted(summary.get("segment_name"), "text")),
            ("Current stage", formatting.formatted(summary.get("current_stage"), "text")),
        ]
    )
    return section(why, "", facts, *_journey_parts(page, data.person_journey(marts, person)))


def _account_section(page: Page, marts: PublishedMarts, account: str | None) -> str:
    title = "The account with the largest buying group"
    if account is None:
        return section(
            title, "", empty("Timeline", "No person has been converted to a CRM account yet.")
        )
    summary = data.account_summary(marts, account)
    facts = definition_list(
        [
            ("Account", f"{summary.get('account_name') or account} ({account})"),
            ("Persons in the buying group", formatting.count(summary.get("persons"))),
            (
                "Credited channel",
                formatting.formatted(summary.get("acquisition_channel_name"), "text"),
            ),
            ("Customer", "yes" if summary.get("is_customer") else "not yet"),
            (
                "Revenue won",
                f"{formatting.amount(summary.get('won_revenue'))} ({formatting.AMOUNT_UNIT})",
            ),
        ]
    )
    return section(
        title,
        "Every person of the account in one timeline.",
        facts,
        *_journey_parts(page, data.account_journey(marts, account)),
    )


def _journey_parts(page: Page, journey: pd.DataFrame) -> list[str]:
    if journey.empty:
        return [empty("Timeline", "This example has no touchpoints in the published data.")]
    labelled = journey.assign(
        kind=journey["touchpoint_type"].map(lambda t: charts.TOUCHPOINTS.get(t, (t,))[0])
    )
    shown = labelled.head(JOURNEY_ROWS)
    more = f" The first {JOURNEY_ROWS} of {len(journey):,}." if len(journey) > JOURNEY_ROWS else ""
    return [
        page.chart(
            charts.timeline(journey),
            f"Timeline: {len(journey):,} touchpoints",
            "Hover a point for what happened.",
        ),
        table(
            shown,
            [
                Column("seq", "#", "count"),
                Column("occurred_at", "When", "moment"),
                Column("kind", "Touch"),
                Column("system", "System"),
                Column("detail", "What"),
                Column("who", "Who"),
            ]
            if journey["who"].any()
            else [
                Column("seq", "#", "count"),
                Column("occurred_at", "When", "moment"),
                Column("kind", "Touch"),
                Column("system", "System"),
                Column("detail", "What"),
            ],
            "Touchpoints in order",
            "In the order of the journey mart." + more,
        ),
    ]


# --- glossary ---------------------------------------------------------------------------


def glossary(definitions: LeadDefinitions, published_version: str | None) -> Page:
    page = Page(
        "glossary",
        "Glossary",
        "What every word on these pages means: the definitions marketing and sales "
        "signed off, printed from the definitions file.",
    )
    signed = definitions.signed_off
    page.metrics = [
        Metric("definitions_version", "Definitions version", definitions.version, "text"),
        Metric(
            "signed_off_on",
            "Signed off on",
            signed.date.isoformat(),
            "text",
            note=f"{signed.marketing} and {signed.sales}",
        ),
    ]
    warning = ""
    if published_version and published_version != definitions.version:
        warning = (
            f'<p class="empty" role="note">The definitions file now says version '
            f"{definitions.version}, but the published numbers were built with "
            f"version {published_version}: they follow the new one after the next "
            "successful run.</p>"
        )
    hours = definitions.business_hours
    sla, marketing = definitions.sales_sla, definitions.marketing_sla
    weekdays = ", ".join(
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d - 1] for d in hours.weekdays
    )
    page.body = [
        warning,
        section(
            "Lifecycle stages",
            "In order; a person is in exactly one current stage, the last they entered.",
            table(
                pd.DataFrame([s.model_dump() for s in definitions.lifecycle_stages]),
                [Column("name", "Stage"), Column("key", "Key"), Column("definition", "Definition")],
                "The stages",
            ),
        ),
        section(
            "The MQL rule",
            "Behaviour and fit. A record is judged by the rule in force when it qualified.",
            *(_mql_rule(rule, definitions) for rule in definitions.mql_rules),
        ),
        section(
            "Service levels",
            "",
            definition_list(
                [
                    (
                        "Business hours",
                        f"{weekdays}, {hours.start:%H:%M}–{hours.end:%H:%M} "
                        f"({hours.time_zone}); every SLA clock counts only these.",
                    ),
                    (
                        "First touch",
                        f"Sales touches an MQL within "
                        f"{formatting.hours(sla.first_touch_within_business_hours)} of "
                        "business time.",
                    ),
                    (
                        "Follow-up",
                        f"{sla.follow_up_attempts} touches within "
                        f"{sla.follow_up_within_days} calendar days, unless sales decided "
                        "after reaching the lead.",
                    ),
                    (
                        "Accept or reject",
                        f"Within "
                        f"{formatting.hours(sla.accept_or_reject_within_business_hours)}"
                        " of business time.",
                    ),
                    ("Rejection reasons", ", ".join(sla.rejection_reasons)),
                    (
                        "Unreached reasons",
                        ", ".join(sla.unreached_rejection_reasons)
                        + " (they do not excuse the follow-up attempts)",
                    ),
                    (
                        "Marketing's MQL target",
                        f"{formatting.count(marketing.monthly_mql_target)} MQLs a month"
                        if marketing.monthly_mql_target
                        else f"Derived from the monthly new-revenue goal of "
                        f"{formatting.amount(marketing.monthly_new_revenue_goal)} "
                        f"({formatting.AMOUNT_UNIT}) through the conversion observed over the "
                        f"{marketing.conversion_window_days} days before each month.",
                    ),
                    ("SQL", definitions.sql_rule.definition),
                    (
                        "Disqualification reasons",
                        ", ".join(definitions.sql_rule.disqualification_reasons),
                    ),
                    ("Opportunity", definitions.opportunity_rule.definition),
                    (
                        "Sales-sourced lead sources",
                        ", ".join(definitions.opportunity_rule.sales_sourced_lead_sources),
                    ),
                ]
            ),
        ),
        section(
            "Acquisition channels",
            "Every source value each system uses belongs to exactly one channel.",
            table(
                pd.DataFrame(
                    [
                        {
                            "name": c.name,
                            "key": c.key,
                            "marketing_automation": ", ".join(c.marketing_automation),
                            "crm": ", ".join(c.crm),
                            "web_analytics": ", ".join(c.web_analytics),
                        }
                        for c in definitions.channels
                    ]
                ),
                [
                    Column("name", "Channel"),
                    Column("key", "Key"),
                    Column("marketing_automation", "HubSpot original source"),
                    Column("crm", "Salesforce LeadSource"),
                    Column("web_analytics", "GA4 medium"),
                ],
                "The channels",
            ),
        ),
        section(
            "Company-size segments",
            "A company belongs to the last segment whose minimum head count it reaches.",
            table(
                pd.DataFrame(
                    [
                        {"name": s.name, "key": s.key, "min_employees": s.min_employees}
                        for s in definitions.segments
                    ]
                ),
                [
                    Column("name", "Segment"),
                    Column("key", "Key"),
                    Column("min_employees", "From employees", "count"),
                ],
                "The segments",
            ),
        ),
        section(
            "Attribution and web sessions",
            "",
            definition_list(
                [
                    (
                        "Lookback",
                        f"{definitions.attribution.lookback_days} days before the "
                        "opportunity was created.",
                    ),
                    (
                        "U-shaped",
                        f"{formatting.rate(definitions.attribution.u_shaped_first_last_share)}"
                        " each to the first and the lead-creating touch, the rest spread.",
                    ),
                    (
                        "W-shaped",
                        formatting.rate(
                            definitions.attribution.w_shaped_first_lead_opportunity_share
                        )
                        + " each to the first, the lead-creating and the last touch, the rest spread.",
                    ),
                    (
                        "Time decay",
                        f"Half-life {definitions.attribution.time_decay_half_life_days:g} "
                        "days: a touch that long before counts half.",
                    ),
                    (
                        "Web session",
                        f"Ends after {definitions.web.session_timeout_minutes} minutes "
                        "without an event.",
                    ),
                ]
            ),
        ),
        _tolerances(definitions),
    ]
    return page


def _tolerances(definitions: LeadDefinitions) -> str:
    """The quality gate's tolerances, as the definitions file sets them."""
    rows = []
    for rule in RULES:
        if not rule.is_definition:
            continue
        tolerance = definitions.quality_tolerances.get(rule.name)
        rows.append(
            {
                "rule": rule.name.replace("_", " "),
                "description": rule.description,
                "tolerance": tolerance.describe() if tolerance else "0: any exception blocks",
                "agreed_because": (tolerance.agreed_because or "") if tolerance else "",
            }
        )
    integrity = sorted(
        {rule.name.replace("_", " ") for rule in RULES if not rule.is_definition}
        | {"no duplicates at grain", "rates between 0 and 1"}
    )
    return section(
        "Quality gate: exceptions and tolerances",
        f"{TOLERANCE_MEANING} A tolerance is a share of the rows a rule judges or a number of "
        "records (quality_tolerances in the definitions file); the exceptions are published "
        "as quality.rule_exceptions, with the HubSpot and Salesforce ids and the e-mail of "
        "each record, and listed on the data status page.",
        table(
            pd.DataFrame(rows),
            [
                Column("rule", "Rule on an agreed definition"),
                Column("description", "What it asks"),
                Column("tolerance", "Tolerance"),
                Column("agreed_because", "Agreed because"),
            ],
            "Definition rules and their tolerance",
        ),
        definition_list(
            [
                (
                    "Integrity rules",
                    "Rules on the pipeline's own work take no tolerance: one failing row stops "
                    "publishing. They are: " + ", ".join(integrity) + ".",
                )
            ]
        ),
    )


def _mql_rule(rule, definitions: LeadDefinitions) -> str:
    later = [r.in_force_from for r in definitions.mql_rules if r.in_force_from > rule.in_force_from]
    until = f"until {min(later)}" if later else "in force now"
    icp = rule.ideal_customer_profile
    return (
        "<h3>"
        + f"Version {rule.version}: from {rule.in_force_from}, {until}"
        + "</h3>"
        + definition_list(
            [
                (
                    "Behaviour",
                    f"A lead score of at least {rule.score_threshold}, or a high-intent "
                    f"form: {', '.join(rule.high_intent_form_types)}.",
                ),
                (
                    "Fit: company",
                    f"At least {icp.min_employees:,} employees, in {', '.join(icp.industries)}.",
                ),
                ("Fit: country", ", ".join(icp.countries)),
                (
                    "Fit: e-mail",
                    "A business address: not " + ", ".join(rule.excluded_email_domains),
                ),
            ]
        )
    )


# --- data status ------------------------------------------------------------------------


def data_status(marts: PublishedMarts, run: RunStatus) -> Page:
    page = Page(
        "data_status",
        "Data status",
        "When were these numbers last refreshed, how fresh is each source, and what "
        "did the quality checks say?",
        summary=("published_at", "rules_passed"),
    )
    rules = [c for c in run.checks if c.kind == "quality rule"]
    tests = [c for c in run.checks if c.kind != "quality rule"]
    fresh = sum(1 for s in run.sources if s.status == "fresh")
    exceptions = data.exception_summary(marts) if data.has_exceptions_table(marts) else None
    page.metrics = [
        Metric(
            "published_at",
            "Last refresh",
            formatting.moment(marts.published_at()),
            "text",
            note="when the gate last passed and the marts were published",
        ),
        Metric("fresh_sources", "Sources fresh", fresh, note=f"of {len(run.sources)}"),
        Metric(
            "rules_passed",
            "Quality rules passed",
            sum(1 for c in rules if c.passed),
            note=f"of {len(rules)} blocking rules",
        ),
        Metric(
            "tests_passed",
            "dbt tests passed",
            sum(1 for c in tests if c.passed),
            note=f"of {len(tests)}",
        ),
        Metric(
            "definition_exceptions",
            "Exceptions to the definitions",
            None if exceptions is None else int(exceptions["exceptions"].sum()),
            note="records published within their rule's tolerance",
        ),
    ]
    page.body = [
        section(
            "Sources",
            "Each system is expected to drop its exports daily: a source is stale when "
            "its newest drop is older, at this run "
            f"({formatting.moment(run.refreshed_at)}), than the freshness its dbt source "
            "declares (warn_after in transform/models/staging/<system>/).",
            table(
                pd.DataFrame(
                    [
                        {
                            "system": s.system,
                            "drops": s.drops,
                            "latest_drop": s.latest_drop,
                            "stale_after": f"{s.stale_after.days} days",
                            "newest_record_at": s.newest_record_at,
                            "status": s.status,
                            "kept_apart": s.kept_apart,
                        }
                        for s in run.sources
                    ]
                ),
                [
                    Column("system", "Source system"),
                    Column("drops", "Daily drops", "count"),
                    Column("latest_drop", "Newest drop", "day"),
                    Column("stale_after", "Stale after"),
                    Column("newest_record_at", "Newest record loaded", "moment"),
                    Column("status", "Freshness", "badge"),
                    Column("kept_apart", "Consent pings", "count"),
                ],
                "Freshness",
                "Newest record: the latest vendor modified time loaded "
                "(GA4: the latest event). Consent pings: GA4 hits sent without consent "
                "(no browser id), counted but in no identity or session.",
                "No source system is configured.",
            ),
        ),
        section(
            "Unknown source values",
            "Values a system uses that the agreed vocabularies of the definitions file "
            "do not list (a Lead Status, stage, lifecycle stage, e-mail event type or "
            "form no one has said the meaning of). They mean nothing to the numbers "
            "until a line in the definitions file says what they mean; they never stop "
            "a run.",
            table(
                _unknown_values(marts),
                [
                    Column("vocabulary", "Vocabulary"),
                    Column("found_in", "Found in"),
                    Column("unknown_values", "Unknown values", "count"),
                    Column("rows", "Rows", "count"),
                    Column("examples", "Examples"),
                ],
                "Unknown values per vocabulary",
                "",
                "Every value of every source is in the agreed vocabularies.",
            ),
        ),
        section(
            "Quality checks of the run",
            "Blocking rules stop the publish step when they fail: these pages only "
            "refresh after all of them passed.",
            _checks_table(rules, "Blocking quality rules"),
            _tests_summary(tests),
        ),
        _exceptions_section(marts, exceptions),
        section(
            "Published tables",
            "",
            table(
                _published_tables(marts),
                [Column("table", "Table"), Column("rows", "Rows", "count")],
                "Rows per published table",
                "",
                "Nothing is published yet.",
            ),
        ),
    ]
    return page


def _exceptions_section(marts: PublishedMarts, summary: pd.DataFrame | None) -> str:
    title = "Exceptions to the agreed definitions"
    intro = (
        f"{TOLERANCE_MEANING} Each rule's tolerance is in the definitions file "
        "(quality_tolerances; see the glossary). Every exception, with its source ids, is "
        "in the published table quality.rule_exceptions."
    )
    if summary is None:
        return section(
            title,
            intro,
            empty(
                "Exceptions per rule",
                "These marts were published before the gate listed its "
                "exceptions: the next successful run publishes them.",
            ),
        )
    records, total = data.exception_records(marts)
    more = f" The first {len(records):,} of {total:,} are shown." if total > len(records) else ""
    return section(
        title,
        intro,
        table(
            summary.assign(rule=summary["rule_name"].str.replace("_", " ")),
            [
                Column("rule", "Rule"),
                Column("model", "Model"),
                Column("rows_checked", "Rows judged", "count"),
                Column("exceptions", "Exceptions", "count"),
                Column("tolerance", "Tolerance"),
                Column("allowed_exceptions", "Allowed", "count"),
                Column("status", "Result", "badge"),
                Column("examples", "Example records"),
            ],
            "Exceptions per rule",
            "Example records: the first few, by their HubSpot and Salesforce ids and e-mail.",
            "No definition rule was checked in this run.",
        ),
        table(
            records.assign(rule=records["rule_name"].str.replace("_", " ")),
            [
                Column("rule", "Rule"),
                Column("record_id", "Record"),
                Column("hubspot_contact_ids", "HubSpot contact"),
                Column("salesforce_lead_ids", "Salesforce Lead"),
                Column("salesforce_contact_ids", "Salesforce Contact"),
                Column("salesforce_opportunity_id", "Salesforce Opportunity"),
                Column("email", "E-mail"),
                Column("problem", "What is wrong"),
                Column("detail", "Values"),
            ],
            "The exceptions",
            "Record: the record the rule judged (a HubSpot contact id, a "
            "Salesforce Opportunity Id, or the person_id of the shared funnel)." + more,
            "No record breaks an agreed definition: nothing to list.",
        ),
    )


def _checks_table(checks: list, title: str) -> str:
    return table(
        pd.DataFrame(
            [
                {
                    "asset": c.asset,
                    "name": c.name.replace("_", " "),
                    "status": c.status,
                    "rows_checked": c.rows_checked,
                    "failing_rows": c.failing_rows,
                    "evaluated_at": c.evaluated_at,
                }
                for c in checks
            ]
        ),
        [
            Column("name", "Rule"),
            Column("asset", "Model"),
            Column("status", "Result", "badge"),
            Column("rows_checked", "Rows checked", "count"),
            Column("failing_rows", "Failing rows", "count"),
            Column("evaluated_at", "Evaluated", "moment"),
        ],
        title,
        "",
        "No check result is recorded for this run (the page was rendered outside a Dagster run).",
    )


def _tests_summary(tests: list) -> str:
    if not tests:
        return empty("dbt tests", "No dbt test result is recorded for this run.")
    counts = pd.Series([c.status for c in tests]).value_counts()
    summary = ", ".join(f"{n:,} {status}" for status, n in counts.items())
    not_passed = [c for c in tests if not c.passed]
    return (
        _checks_table(not_passed, f"dbt tests: {summary}")
        if not_passed
        else empty("dbt tests", f"All {len(tests):,} dbt tests passed.")
    )


def _unknown_values(marts: PublishedMarts) -> pd.DataFrame:
    published = marts.frame(
        "select 1 from duckdb_tables() where schema_name = 'intermediate' "
        "and table_name = 'int_vocabulary_unknown_values'"
    )
    if published.empty:
        return pd.DataFrame()
    return marts.frame("""
        select vocabulary, found_in, count(*) as unknown_values, sum(row_count) as rows,
               string_agg(source_value, ', ' order by row_count desc, source_value)
                   filter (where rank <= 3) as examples
        from (select *, row_number() over (partition by vocabulary, found_in
                                           order by row_count desc, source_value) as rank
              from intermediate.int_vocabulary_unknown_values)
        group by vocabulary, found_in
        order by rows desc, vocabulary, found_in""")


def _published_tables(marts: PublishedMarts) -> pd.DataFrame:
    tables = marts.frame(
        "select schema_name || '.' || table_name as name from duckdb_tables() order by 1"
    )["name"].tolist()
    if not tables:
        return pd.DataFrame()
    return marts.frame(
        " union all ".join(f"select '{t}' as table, count(*) as rows from {t}" for t in tables)
    )
