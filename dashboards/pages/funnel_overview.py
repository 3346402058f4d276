"""Funnel overview: stage counts, stage-to-stage conversion and time in stage, at every
reporting grain and by acquisition channel.
"""

from __future__ import annotations

from functools import partial

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
    join,
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec, views_by_grain


def funnel_totals(marts: PublishedMarts) -> dict:
    """Persons entering each stage over all the data, and the cohort's end-to-end rates."""
    return marts.row("select * from marts.funnel_totals")


def funnel_by_period(marts: PublishedMarts) -> pd.DataFrame:
    """Stage entries per grain and period, summed over the slices."""
    return marts.frame(f"""
        select period_grain, period_start,
               {", ".join(f"sum({c}) as {c}" for c in charts.STAGES)},
               sum(sales_sourced_sqls) as sales_sourced_sqls
        from marts.funnel_conversion_by_period
        group by period_grain, period_start
        order by period_grain, period_start""")


def funnel_cohort_rates(marts: PublishedMarts) -> pd.DataFrame:
    """Step rates of the same persons per grain and cohort (always between 0 and 1)."""
    return marts.frame("""
        select * exclude (cohort_start), cohort_start as period_start
        from marts.funnel_cohort_rates_by_period order by period_grain, cohort_start""")


def funnel_by_channel(marts: PublishedMarts) -> pd.DataFrame:
    """Each acquisition channel's persons followed through the funnel (cohort view)."""
    return marts.frame(
        "select * from marts.funnel_by_channel order by channel_order nulls last, channel_key"
    )


def time_in_stage(marts: PublishedMarts) -> pd.DataFrame:
    """Average days in each stage of the persons who left it (velocity mart, all periods)."""
    return marts.frame("select * from marts.funnel_time_in_stage order by stage_order")


def lead_velocity(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("""
        select period_grain, period_start, mqls, previous_period_mqls, lead_velocity_rate
        from marts.lead_velocity_rate order by period_grain, period_start""")


FUNNEL_DIMENSIONS = f"""
    {filters.channel_name("f.channel_key", "f.channel_name")} as channel,
    coalesce(f.campaign, '{filters.NO_CAMPAIGN}') as campaign, f.segment_name as segment"""
COHORT_COUNTS = (
    "leads",
    "mqls",
    "sals",
    "sqls",
    "opportunities",
    "customers",
    *(f"{step.removesuffix('_rate')}_conversions" for step in charts.STEP_RATES),
    "lead_to_customer_conversions",
)


def stage_entries_by_day(marts: PublishedMarts) -> pd.DataFrame:
    """Stage entries per day, channel, campaign and segment: the rows the filters re-sum."""
    return marts.frame(f"""
        select cast(f.period_start as date) as day, {FUNNEL_DIMENSIONS},
               {", ".join(f"sum(f.{c}) as {c}" for c in (*charts.STAGES, "sales_sourced_sqls"))}
        from marts.funnel_conversion_by_period as f {filters.channel_joins("f.channel_key")}
        where f.period_grain = 'day'
        group by all order by day, channel, campaign, segment""")


def cohorts_by_day(marts: PublishedMarts) -> pd.DataFrame:
    """Each day's cohort of funnel entrants per channel, campaign and segment: how many
    reached each stage and made each step, the numerators and denominators of the rates."""
    return marts.frame(f"""
        select cast(f.cohort_start as date) as day, {FUNNEL_DIMENSIONS},
               {", ".join(f"sum(f.{c}) as {c}" for c in COHORT_COUNTS)}
        from marts.funnel_conversion_by_cohort as f {filters.channel_joins("f.channel_key")}
        where f.period_grain = 'day'
        group by all order by day, channel, campaign, segment""")


RATE_BASES = {  # a cohort rate -> its denominator, as funnel_cohort_rates_by_period has it
    "lead_to_mql_rate": "leads",
    "mql_to_sal_rate": "mqls",
    "sal_to_sql_rate": "sals",
    "sql_to_opportunity_rate": "sqls",
    "opportunity_to_customer_rate": "opportunities",
    "lead_to_customer_rate": "leads",
}


def cohort_rate(rate: str) -> dict:
    """A rate of the cohorts for the filters: the step's conversions over its base."""
    return filters.total(rate.removesuffix("_rate") + "_conversions", RATE_BASES[rate], "cohorts")


def entered(stage: str) -> dict:
    return filters.total(stage, data="entries")


# Each rate column names its base: the persons it is a share of.
PERIOD_BASE = "(of the period's new leads)"
CHANNEL_BASE = "(of the channel's leads)"
NO_FUNNEL = (
    "No one entered a funnel stage in the published data: the funnel marts are "
    "empty (no exports loaded yet, or none past the subscriber stage)."
)
RECENT_PERIODS = {"day": 14, "week": 12, "month": 12, "quarter": 8}
MARKETING_STAGES = {k: charts.STAGES[k] for k in ("leads", "mqls")}
SALES_STAGES = {k: charts.STAGES[k] for k in ("sals", "sqls", "opportunities", "customers")}


def _with_period_label(frame: pd.DataFrame, grain: str) -> pd.DataFrame:
    return frame.assign(period=frame["period_start"].map(lambda d: formatting.period(d, grain)))


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts = inputs.marts
    page = Page(
        spec.slug,
        spec.title,
        "How many persons move from lead to MQL, SAL, SQL, opportunity and customer, and how fast?",
        summary=("mqls", "customers"),
    )
    totals = funnel_totals(marts)
    page.datasets = {"entries": stage_entries_by_day(marts), "cohorts": cohorts_by_day(marts)}
    page.metrics = [
        *(
            Metric(key, label, totals.get(key), view=filters.view("entries", values=[entered(key)]))
            for key, (label, _) in charts.STAGES.items()
        ),
        Metric(
            "sales_sourced_sqls",
            "Sales-sourced SQLs",
            totals.get("sales_sourced_sqls"),
            note="SQLs without a prior MQL",
            view=filters.view("entries", values=[entered("sales_sourced_sqls")]),
        ),
        Metric(
            "lead_to_customer_rate",
            "Lead → customer",
            totals.get("lead_to_customer_rate"),
            "rate",
            note="of all leads, same persons followed",
            view=filters.view("cohorts", values=[cohort_rate("lead_to_customer_rate")]),
        ),
    ]
    entries, rates = funnel_by_period(marts), funnel_cohort_rates(marts)
    velocity = lead_velocity(marts)
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
            views_by_grain(partial(_funnel_grain, page), entries, rates, velocity),
        ),
        section(
            "By acquisition channel",
            "Each person counts once, under the channel that brought them (the agreed "
            "channels of the definitions file).",
            _funnel_by_channel(page, marts),
        ),
    ]
    return page


def _funnel_chart(page: Page, totals: dict) -> Markup:
    title = "Persons entering each stage"
    if not any(totals.get(key) for key in charts.STAGES):
        return empty(title, NO_FUNNEL)
    stages = {key: totals.get(key) or 0 for key in charts.STAGES}
    return page.chart(
        charts.funnel(stages),
        title,
        "Inferred stages count (a later stage implies them); sales-sourced SQLs "
        "skip the MQL and SAL.",
        view=filters.view("entries", values=[entered(key) for key in stages], spread=True),
    )


def _time_in_stage_chart(page: Page, marts: PublishedMarts) -> Markup:
    title = "Average days in each stage"
    frame = time_in_stage(marts).dropna(subset=["avg_days_in_stage"])
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
) -> Markup:
    if entries.empty:
        return empty(f"Stage entries per {grain}", NO_FUNNEL)
    unit = f"Persons entering, per {grain}"
    parts = [
        grid(
            page.chart(
                charts.period_lines(entries, grain, MARKETING_STAGES, unit, "count"),
                f"Leads and MQLs per {grain}",
                view=_entries_view(grain, MARKETING_STAGES),
            ),
            page.chart(
                charts.period_lines(entries, grain, SALES_STAGES, unit, "count"),
                f"SALs, SQLs, opportunities and customers per {grain}",
                view=_entries_view(grain, SALES_STAGES),
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
    latest = RECENT_PERIODS.get(grain, 12)
    recent = _with_period_label(recent.tail(latest).iloc[::-1], grain)
    shown = f"{len(recent)} {grain}s" if len(recent) > 1 else grain
    parts.append(
        table(
            recent,
            [
                Column("period", "Week starting" if grain == "week" else grain.capitalize()),
                *(Column(key, label, "count") for key, (label, _) in charts.STAGES.items()),
                Column("sales_sourced_sqls", "of which SQLs sales-sourced", "count"),
                Column("lead_to_mql_rate", f"Lead → MQL {PERIOD_BASE}", "rate"),
                Column("lead_to_customer_rate", f"Lead → customer {PERIOD_BASE}", "rate"),
            ],
            f"The latest {shown}",
            "Most recent first. Counts are the stages entered in the period; each rate is of "
            "the leads who entered the funnel in the period (a cohort), followed to date.",
            view=filters.view(
                "entries",
                filters.period(grain),
                [
                    *(entered(key) for key in (*charts.STAGES, "sales_sourced_sqls")),
                    cohort_rate("lead_to_mql_rate"),
                    cohort_rate("lead_to_customer_rate"),
                ],
                tail=latest,
                reverse=True,
            ),
        )
    )
    return join(parts)


def _cohort_rates_chart(page: Page, grain: str, rates: pd.DataFrame) -> Markup:
    title = f"Conversion from stage to stage, by {grain} of funnel entry"
    if rates.empty or rates[list(charts.STEP_RATES)].isna().all().all():
        return empty(title, f"No cohort at {grain} grain has reached a stage with a rate yet.")
    figure = charts.period_lines(rates, grain, charts.STEP_RATES, "Reached the next stage", "rate")
    return page.chart(
        figure,
        title,
        "Between 0 and 100%: the same persons followed from one stage to the next.",
        view=filters.view(
            "cohorts", filters.period(grain), [cohort_rate(r) for r in charts.STEP_RATES]
        ),
    )


def _lead_velocity_chart(page: Page, grain: str, velocity: pd.DataFrame) -> Markup:
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


def _entries_view(grain: str, stages: dict) -> dict:
    return filters.view("entries", filters.period(grain), [entered(key) for key in stages])


def _funnel_by_channel(page: Page, marts: PublishedMarts) -> Markup:
    frame = funnel_by_channel(marts)
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
                view=filters.view("cohorts", "channel", [filters.total("leads")], axis="y"),
            ),
            page.chart(
                charts.horizontal_bars(
                    labels, rated["lead_to_mql_rate"].tolist(), "Leads who became MQLs", "rate"
                ),
                "Lead → MQL rate by channel",
                "Of each channel's leads, the share that became marketing qualified.",
                view=filters.view(
                    "cohorts", "channel", [cohort_rate("lead_to_mql_rate")], axis="y"
                ),
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
            Column("lead_to_mql_rate", f"Lead → MQL {CHANNEL_BASE}", "rate"),
            Column("lead_to_customer_rate", f"Lead → customer {CHANNEL_BASE}", "rate"),
        ],
        "Each channel's persons through the funnel",
        "Persons by the channel that brought "
        "them; sales-sourced prospects enter at SQL, so SQLs can exceed MQLs.",
        view=filters.view(
            "cohorts",
            "channel",
            [
                *(
                    filters.total(c)
                    for c in ("leads", "mqls", "sqls", "opportunities", "customers")
                ),
                cohort_rate("lead_to_mql_rate"),
                cohort_rate("lead_to_customer_rate"),
            ],
        ),
    )
