"""Attribution: pipeline and revenue by channel and campaign under the six attribution
models, side by side.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from dashboards import charts, filters, formatting
from dashboards.data import PublishedMarts
from dashboards.html import (
    Column,
    Metric,
    Page,
    empty,
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec

ATTRIBUTION_SUMS = """
    sum(attributed_opportunities) as opportunities, sum(attributed_pipeline) as pipeline,
    sum(attributed_won_opportunities) as won_opportunities, sum(attributed_revenue) as revenue"""


def attribution_totals(marts: PublishedMarts) -> dict:
    """Opportunities, pipeline and revenue: the same under every model, so read from one."""
    return marts.row(f"""
        select {ATTRIBUTION_SUMS}, count(distinct attribution_model) as models
        from marts.attribution_by_channel
        where attribution_model = (select min(attribution_model)
                                   from marts.attribution_by_channel)""")


def attribution_by_channel(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame(f"""
        select a.attribution_model, a.channel_key,
               any_value({filters.channel_name("a.channel_key", "a.channel_name")})
                   as channel_name,
               {ATTRIBUTION_SUMS}
        from marts.attribution_by_channel as a {filters.channel_joins("a.channel_key")}
        group by a.attribution_model, a.channel_key
        order by min(coalesce(a.channel_order, 1000)), a.channel_key, a.attribution_model""")


def attribution_by_campaign(marts: PublishedMarts, limit: int = 12) -> pd.DataFrame:
    """Pipeline and revenue per campaign and model, for the campaigns earning most."""
    return marts.frame(f"""
        with by_campaign as (
            select coalesce(campaign, '(no campaign)') as campaign, attribution_model,
                   {ATTRIBUTION_SUMS}
            from marts.attribution_by_channel group by all
        ), ranked as (
            select campaign, max(pipeline) as best from by_campaign group by campaign
            order by best desc, campaign limit {int(limit)}
        )
        select b.* from by_campaign as b join ranked using (campaign)
        order by ranked.best desc, b.campaign, b.attribution_model""")


def credits_by_day(marts: PublishedMarts) -> pd.DataFrame:
    """The credit per day the opportunity was created, model, channel and campaign (marts.
    attribution_touchpoint_credits): the rows the filters re-sum. A model's credit over the
    opportunities adds up to their count, so opportunities are a sum of credit too."""
    return marts.frame(f"""
        select cast(c.opportunity_created_at as date) as day, c.attribution_model as model,
               {filters.channel_name("c.channel_key")} as channel,
               coalesce(c.campaign, '{filters.NO_CAMPAIGN}') as campaign,
               sum(c.credit) as opportunities, sum(c.attributed_pipeline) as pipeline,
               coalesce(sum(c.credit) filter (where c.is_won), 0) as won_opportunities,
               sum(c.attributed_revenue) as revenue
        from marts.attribution_touchpoint_credits as c {filters.channel_joins("c.channel_key")}
        group by all order by day, model, channel, campaign""")


# The totals are the same under every model, the channels' and campaigns' shares are not:
# the headlines follow the date range and set a chosen channel or campaign aside.
TOTALS_IGNORE: dict[str, Any] = {
    "ignore": ["channel", "campaign"],
    "why": "a channel's share depends on the attribution model; see the charts below",
}


def per_model(measure: str) -> list[dict]:
    return [filters.total(measure, model=m) for m in charts.MODELS]


def attribution_settings(marts: PublishedMarts) -> dict:
    return marts.row("""
        select attribution_lookback_days, u_shaped_first_last_share,
               w_shaped_first_lead_opportunity_share, time_decay_half_life_days
        from definitions.terms""")


NO_OPPORTUNITIES = (
    "No opportunity has been created in the published data, so there is nothing to attribute."
)


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts = inputs.marts
    page = Page(
        spec.slug,
        spec.title,
        "Which channels and campaigns earned the pipeline and the revenue, under each "
        "attribution model, side by side?",
        summary=("pipeline", "revenue"),
    )
    totals, settings = attribution_totals(marts), attribution_settings(marts)
    page.datasets = {"credits": credits_by_day(marts)}
    unit = marts.currency()
    first_model = next(iter(charts.MODELS))

    def model_total(measure: str) -> dict:
        return filters.view(
            "credits", values=[filters.total(measure, model=first_model)], **TOTALS_IGNORE
        )

    page.metrics = [
        Metric(
            "opportunities",
            "Opportunities",
            totals.get("opportunities"),
            view=model_total("opportunities"),
        ),
        Metric(
            "pipeline",
            "Pipeline",
            totals.get("pipeline"),
            "amount",
            note=unit,
            view=model_total("pipeline"),
        ),
        Metric(
            "won_opportunities",
            "Won deals",
            totals.get("won_opportunities"),
            view=model_total("won_opportunities"),
        ),
        Metric(
            "revenue",
            "Revenue won",
            totals.get("revenue"),
            "amount",
            note=unit,
            view=model_total("revenue"),
        ),
    ]
    by_channel = attribution_by_channel(marts)
    by_campaign = attribution_by_campaign(marts)
    page.body = [
        section(
            "By channel",
            _models_explained(settings) + " Every model shares out the same total; "
            "'No marketing touch in lookback' is what no touch earned, 'Unlisted source' what "
            "touches of a source no agreed channel lists earned (see the glossary).",
            _models_chart(
                page,
                by_channel,
                "pipeline",
                "Pipeline by channel, per model",
                "Pipeline attributed",
                unit,
            ),
            _models_chart(
                page,
                by_channel,
                "revenue",
                "Revenue won by channel, per model",
                "Revenue attributed",
                unit,
            ),
            _models_table(by_channel, unit),
        ),
        section(
            "By campaign",
            "The campaigns with the most pipeline under any model; '(no campaign)' is "
            "credit to touches that name none.",
            _campaign_heatmap(page, by_campaign, "pipeline", "Pipeline by campaign", unit),
            _campaign_heatmap(page, by_campaign, "revenue", "Revenue won by campaign", unit),
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


def _models_chart(
    page: Page, frame: pd.DataFrame, value: str, title: str, y_title: str, unit: str
) -> Markup:
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
        f"{y_title}, {unit}",
        "amount",
    )
    return page.chart(figure, title, view=filters.view("credits", "channel", per_model(value)))


def _models_table(frame: pd.DataFrame, unit: str) -> Markup:
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
        f"Read across a row to compare models; amounts in {unit}.",
        NO_OPPORTUNITIES,
        view=filters.view(
            "credits", "channel", [filters.total("revenue", model=m) for m in models]
        ),
    )


def _campaign_heatmap(page: Page, frame: pd.DataFrame, value: str, title: str, unit: str) -> Markup:
    if frame.empty or not frame[value].any():
        return empty(title, NO_OPPORTUNITIES if frame.empty else "No opportunity has been won yet.")
    figure, hidden = charts.heatmap(
        frame.rename(columns={"attribution_model": "column"}),
        "campaign",
        {m: label for m, (label, _) in charts.MODELS.items()},
        value,
        unit,
    )
    what = "revenue" if value == "revenue" else "pipeline"
    note = (
        f"{len(hidden)} of the {len(hidden) + len(figure.data[0].y)} campaigns have no "
        f"{what} under any model and are not shown: {', '.join(hidden)}."
        if hidden
        else ""
    )
    return page.chart(figure, title, note)
