"""Service levels, both sides: sales' first touch, follow-up and decision in time, the
acceptance and rejection reasons, and marketing's MQLs against target.
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
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec, views_by_grain
from dashboards.pages.closed_loop import outcome_reasons, reasons_chart


def sla_totals(marts: PublishedMarts) -> dict:
    return marts.row("select * from marts.sla_totals")


def sla_by_period(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("select * from marts.sla_by_period order by period_grain, period_start")


def sla_by_owner(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("select * from marts.sla_by_owner order by mqls desc, owner")


SLA_KINDS = ("first_touch", "follow_up", "response")
SLA_COUNTS = (
    "mql_count",
    *(f"{kind}_{part}_count" for kind in SLA_KINDS for part in ("measured", "met")),
    "never_touched_count",
    "sla_breached_count",
)


def sla_by_day(marts: PublishedMarts) -> pd.DataFrame:
    """The SLA counts per day of the MQL and owner: the rows the filters re-sum."""
    return marts.frame(f"""
        select cast(period_start as date) as day, {filters.OWNER_NAME} as owner,
               {", ".join(f"sum({c}) as {c}" for c in SLA_COUNTS)}
        from marts.sla_compliance_by_owner where period_grain = 'day'
        group by all order by day, owner""")


def met_rate(kind: str) -> dict:
    """The share of the MQLs whose window closed that met the SLA, for the filters."""
    return filters.total(f"{kind}_met_count", f"{kind}_measured_count")


def counted(column: str) -> dict:
    return filters.total(column)


def speed_to_first_touch(marts: PublishedMarts) -> pd.DataFrame:
    """Median business hours to first touch per owner and period (medians do not add up)."""
    return marts.frame(f"""
        select period_grain, period_start, {filters.OWNER_NAME} as owner,
               median_business_hours_to_first_touch as median_hours, mql_count
        from marts.sla_compliance_by_owner
        order by period_grain, owner, period_start""")


def sla_terms(marts: PublishedMarts) -> dict:
    return marts.row("""
        select first_touch_within_business_hours, follow_up_attempts, follow_up_within_days,
               accept_or_reject_within_business_hours, monthly_mql_target,
               monthly_new_revenue_goal, conversion_window_days
        from definitions.terms""")


def mql_volume(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("""
        select month_start as period_start, mqls_delivered, monthly_mql_target, target_basis,
               share_of_target_delivered, is_target_met, mqls_accepted, mqls_rejected,
               acceptance_rate, is_complete_month
        from marts.mql_volume_vs_target order by month_start""")


def acceptance_totals(marts: PublishedMarts) -> dict:
    return marts.row("""
        select mqls_accepted as accepted, mqls_rejected as rejected, acceptance_rate
        from marts.mql_acceptance_totals""")


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts = inputs.marts
    page = Page(
        spec.slug,
        spec.title,
        "Does sales touch, follow up and decide on every MQL in time? Does marketing "
        "deliver the MQLs it owes?",
        summary=("first_touch_met_rate", "acceptance_rate"),
    )
    terms, totals = sla_terms(marts), sla_totals(marts)
    acceptance, volume = acceptance_totals(marts), mql_volume(marts)
    first_touch = terms.get("first_touch_within_business_hours")
    respond = terms.get("accept_or_reject_within_business_hours")
    follow = (
        f"{formatting.count(terms.get('follow_up_attempts'))} touches within "
        f"{formatting.count(terms.get('follow_up_within_days'))} days"
    )
    rates, speed = sla_by_period(marts), speed_to_first_touch(marts)
    reasons = outcome_reasons(marts)
    latest = _target_month(volume)
    page.datasets = {"sla": sla_by_day(marts)}
    page.metrics = [
        Metric(
            "mqls",
            "MQLs handed to sales",
            totals.get("mqls"),
            view=filters.view("sla", values=[counted("mql_count")]),
        ),
        Metric(
            "first_touch_met_rate",
            "First touch in time",
            totals.get("first_touch_met_rate"),
            "rate",
            note=f"within {formatting.hours(first_touch)} of business time",
            view=filters.view("sla", values=[met_rate("first_touch")]),
        ),
        Metric(
            "follow_up_met_rate",
            "Follow-up in time",
            totals.get("follow_up_met_rate"),
            "rate",
            note=follow,
            view=filters.view("sla", values=[met_rate("follow_up")]),
        ),
        Metric(
            "response_met_rate",
            "Accepted or rejected in time",
            totals.get("response_met_rate"),
            "rate",
            note=f"within {formatting.hours(respond)} of business time",
            view=filters.view("sla", values=[met_rate("response")]),
        ),
        Metric(
            "never_touched",
            "MQLs never touched",
            totals.get("never_touched"),
            note="first-touch window passed",
            view=filters.view("sla", values=[counted("never_touched_count")]),
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
            "MQLs of the monthly target",
            latest.get("share_of_target_delivered"),
            "rate",
            note=_target_note(latest),
            period=_month_period(latest),
        ),
    ]
    page.body = [
        section(
            "Sales: speed to first touch, follow-up and decision",
            "Rates count the MQLs whose SLA window has closed (or that met it early), so "
            "MQLs still being worked do not show as failing. Periods are those of the "
            "MQL date.",
            views_by_grain(partial(_sla_grain, page), rates, speed, first_touch=first_touch),
            _sla_by_owner(marts),
        ),
        section(
            "Acceptance and rejection",
            "What sales decided about the MQLs it received, and the reasons it gave. "
            "Agreed reasons are those of the definitions file.",
            grid(
                _acceptance_chart(page, volume),
                reasons_chart(
                    page, reasons, "recycled_to_nurture", "Rejection reasons (recycled to nurture)"
                ),
            ),
            grid(reasons_chart(page, reasons, "disqualified", "Disqualification reasons")),
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


def _target_month(volume: pd.DataFrame) -> dict:
    """The month the target headline reads: the latest complete month with a target, else
    the latest (running) one. One month's MQLs against that month's target."""
    targeted = volume.dropna(subset=["monthly_mql_target"])
    complete = targeted[targeted["is_complete_month"].astype(bool)]
    rows = (complete if not complete.empty else targeted).tail(1).to_dict("records")
    return rows[0] if rows else {}


def _target_note(latest: dict) -> str:
    if not latest:
        return "no month has a target yet"
    return (
        f"{formatting.count(latest['mqls_delivered'])} MQLs in the month against a monthly "
        f"target of {formatting.count(latest['monthly_mql_target'])} "
        f"({TARGET_BASES.get(latest['target_basis'], latest['target_basis'])})"
    )


def _month_period(latest: dict) -> str:
    if not latest:
        return ""
    start = pd.Timestamp(latest["period_start"])
    end = start + pd.offsets.MonthEnd(0)
    running = "" if latest.get("is_complete_month") else ", running"
    return (
        f"{formatting.day(start)} – {formatting.day(end)} "
        f"({formatting.period(start, 'month')}{running})"
    )


SLA_SERIES = {
    "first_touch_met_rate": ("First touch in time", "#0072B2"),
    "follow_up_met_rate": ("Follow-up in time", "#009E73"),
    "response_met_rate": ("Accepted or rejected in time", "#E69F00"),
}


def _sla_grain(
    page: Page, grain: str, rates: pd.DataFrame, speed: pd.DataFrame, first_touch: float | None
) -> Markup:
    speed = speed.dropna(subset=["median_hours"])
    if rates.empty:
        return empty(f"SLA per {grain}", "No MQL has been handed to sales yet.")
    rate_chart = (
        page.chart(
            charts.period_lines(rates, grain, SLA_SERIES, "MQLs meeting the SLA", "rate"),
            f"SLA met per {grain}",
            "Of the MQLs whose window has closed.",
            view=filters.view(
                "sla",
                filters.period(grain),
                [met_rate(k.removesuffix("_met_rate")) for k in SLA_SERIES],
            ),
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
        cut = charts.without_spikes(
            figure, speed["period_start"], speed["median_hours"], speed["owner"], first_touch
        )
        note = "One line per owner; business hours count only sales' working hours."
        if cut:
            note += f" Off the scale (▲ at the top, hours): {'; '.join(cut)}."
        speed_chart = page.chart(figure, f"Median business hours to first touch per {grain}", note)
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


def _sla_by_owner(marts: PublishedMarts) -> Markup:
    return table(
        sla_by_owner(marts),
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
        view=filters.view(
            "sla",
            "owner",
            [
                counted("mql_count"),
                *(met_rate(kind) for kind in SLA_KINDS),
                counted("never_touched_count"),
                counted("sla_breached_count"),
            ],
            sort=0,
        ),
    )


def _acceptance_chart(page: Page, volume: pd.DataFrame) -> Markup:
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


def _volume_chart(page: Page, volume: pd.DataFrame) -> Markup:
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


def _volume_table(volume: pd.DataFrame) -> Markup:
    frame = volume.assign(
        month=volume["period_start"].map(lambda d: formatting.period(d, "month")),
        basis=volume["target_basis"].map(lambda b: TARGET_BASES.get(b, b)),
        verdict=volume.apply(_verdict, axis=1) if not volume.empty else [],
    )
    return table(
        frame,
        [
            Column("month", "Month"),
            Column("mqls_delivered", "MQLs delivered", "count"),
            Column("monthly_mql_target", "Monthly MQL target", "count"),
            Column("basis", "Target from"),
            Column("share_of_target_delivered", "Share of target", "rate"),
            Column("verdict", "Target met?"),
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
