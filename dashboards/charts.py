"""Plotly figures in one house style: labelled axes with units, readable colours, numbers
formatted the way the headline cards write them, and hover text that says what a point is.

Colours are the Okabe-Ito palette, safe for the common colour-vision deficiencies; every
stage, outcome and attribution model keeps its colour on every page.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#7F7F7F",
    "#000000",
    "#B8860B",
    "#8C564B",
]
STAGES = {  # funnel_conversion_by_period column -> (label, colour)
    "leads": ("Leads", "#56B4E9"),
    "mqls": ("MQLs", "#0072B2"),
    "sals": ("SALs", "#009E73"),
    "sqls": ("SQLs", "#E69F00"),
    "opportunities": ("Opportunities", "#D55E00"),
    "customers": ("Customers", "#CC79A7"),
}
STEP_RATES = {  # rate column -> (label, colour): the colour of the stage reached
    "lead_to_mql_rate": ("Lead → MQL", "#0072B2"),
    "mql_to_sal_rate": ("MQL → SAL", "#009E73"),
    "sal_to_sql_rate": ("SAL → SQL", "#E69F00"),
    "sql_to_opportunity_rate": ("SQL → opportunity", "#D55E00"),
    "opportunity_to_customer_rate": ("Opportunity → customer", "#CC79A7"),
}
OUTCOMES = {  # closed-loop outcome -> (label, colour)
    "won": ("Won", "#009E73"),
    "lost": ("Lost", "#D55E00"),
    "disqualified": ("Disqualified", "#CC79A7"),
    "recycled_to_nurture": ("Recycled to nurture", "#E69F00"),
    "open": ("Open", "#A0A0A0"),
}
MODELS = {  # attribution model -> (label, colour)
    "first_touch": ("First touch", "#0072B2"),
    "last_touch": ("Last touch", "#D55E00"),
    "linear": ("Linear", "#009E73"),
    "u_shaped": ("U-shaped", "#E69F00"),
    "w_shaped": ("W-shaped", "#CC79A7"),
    "time_decay": ("Time decay", "#56B4E9"),
}
TOUCHPOINTS = {  # customer_journey.touchpoint_type -> (label, colour)
    "web_session": ("Web session", "#56B4E9"),
    "form_submission": ("Form submission", "#0072B2"),
    "email_engagement": ("E-mail engagement", "#009E73"),
    "sales_touch": ("Sales touch", "#E69F00"),
    "stage_entered": ("Stage entered", "#CC79A7"),
    "opportunity_stage_change": ("Opportunity stage change", "#D55E00"),
}
AXIS_FORMATS = {"count": ",~r", "rate": ".0%", "amount": ",.3~s", "hours": ",.1f", "days": ",.1f"}
HOVER_FORMATS = {"count": ",.4~r", "rate": ".1%", "amount": ",.0f", "hours": ",.1f", "days": ",.1f"}
AXIS_STYLE = dict(
    showgrid=True,
    gridcolor="#e6ebf1",
    zeroline=False,
    showline=True,
    linecolor="#c9d2dc",
    ticks="",
    title_standoff=8,
)
WEEK_MS = 7 * 24 * 3600 * 1000
PERIOD_AXES = {  # grain -> axis title, tick format (every tick names its year), hover format
    "day": ("Day (UTC)", "%b %d\n%Y", "%a %Y-%m-%d"),
    "week": ("Week starting Monday", "%b %d\n%Y", "week of %Y-%m-%d"),
    "month": ("Month", "%b %Y", "%B %Y"),
    "quarter": ("Quarter", "Q%q %Y", "Q%q %Y"),
}


def styled(
    figure: go.Figure,
    x_title: str,
    y_title: str,
    y_kind: str = "count",
    height: int = 360,
    legend: bool = True,
) -> go.Figure:
    """The house style: white background, titled axes, a legend on top, formatted values."""
    figure.update_layout(
        template="none",  # the style is set here: a named template costs 30 ms a chart
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        colorway=PALETTE,
        height=height,
        margin=dict(l=64, r=24, t=56 if legend else 16, b=56),
        font=dict(
            family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
            size=13,
            color="#1f2933",
        ),
        showlegend=legend,
        legend=dict(orientation="h", x=0, y=1.02, yanchor="bottom", title_text=""),
        hoverlabel=dict(font_size=13),
    )
    figure.update_xaxes(title_text=x_title, automargin=True, **AXIS_STYLE)
    figure.update_yaxes(
        title_text=y_title,
        tickformat=AXIS_FORMATS.get(y_kind, ""),
        rangemode="tozero",
        automargin=True,
        **AXIS_STYLE,
    )
    if y_kind == "rate":
        figure.update_yaxes(range=[0, 1.05])
    return figure


def period_axis(figure: go.Figure, grain: str, periods: pd.Series) -> None:
    """Dates on the x axis at the grain's own spacing, labelled the grain's way."""
    title, ticks, hover = PERIOD_AXES[grain]
    steps = {
        "week": WEEK_MS * max(1, math.ceil(periods.nunique() / 12)),
        "month": "M1",
        "quarter": "M3",
    }
    step = {"dtick": steps[grain], "tick0": periods.min()} if grain in steps else {}
    figure.update_xaxes(title_text=title, type="date", tickformat=ticks, hoverformat=hover, **step)


def period_lines(
    frame: pd.DataFrame, grain: str, series: dict[str, tuple[str, str]], y_title: str, y_kind: str
) -> go.Figure:
    """One line per series over the periods of a grain (markers, for single periods too)."""
    figure = go.Figure()
    hover = HOVER_FORMATS[y_kind]
    for column, (label, colour) in series.items():
        figure.add_trace(
            go.Scatter(
                x=frame["period_start"],
                y=frame[column],
                name=label,
                mode="lines+markers",
                line=dict(color=colour, width=2),
                marker=dict(size=6),
                connectgaps=False,
                hovertemplate=f"{label}: %{{y:{hover}}}<extra></extra>",
            )
        )
    styled(figure, "", y_title, y_kind)
    period_axis(figure, grain, frame["period_start"])
    figure.update_layout(hovermode="x unified")
    return figure


def period_bars(
    frame: pd.DataFrame,
    grain: str,
    series: dict[str, tuple[str, str]],
    y_title: str,
    y_kind: str = "count",
    stacked: bool = True,
) -> go.Figure:
    """Bars per period, stacked (parts of a whole) or grouped."""
    figure = go.Figure()
    hover = HOVER_FORMATS[y_kind]
    for column, (label, colour) in series.items():
        figure.add_trace(
            go.Bar(
                x=frame["period_start"],
                y=frame[column],
                name=label,
                marker_color=colour,
                hovertemplate=f"{label}: %{{y:{hover}}}<extra></extra>",
            )
        )
    styled(figure, "", y_title, y_kind)
    period_axis(figure, grain, frame["period_start"])
    figure.update_layout(
        barmode="stack" if stacked else "group", hovermode="x unified", legend_traceorder="normal"
    )
    return figure


def funnel(stages: dict[str, float]) -> go.Figure:
    """The funnel: how many persons entered each stage."""
    labels = [STAGES[key][0] for key in stages]
    widest = max(stages.values()) or 1
    figure = go.Figure(
        go.Funnel(
            y=labels,
            x=list(stages.values()),
            textinfo="value",
            texttemplate="%{x:,}",
            textposition=["inside" if v >= widest / 3 else "outside" for v in stages.values()],
            textfont=dict(size=14),
            marker=dict(color=[STAGES[key][1] for key in stages]),
            connector=dict(line=dict(color="#d9e2ec")),
            hovertemplate="%{y}: %{x:,} persons<extra></extra>",
        )
    )
    styled(figure, "Persons who entered the stage", "", legend=False)
    return figure


def horizontal_bars(
    labels: list[str],
    values: list[float],
    x_title: str,
    x_kind: str,
    colour: str = "#0072B2",
    colours: list[str] | None = None,
    hover_label: str = "",
) -> go.Figure:
    """One bar per label, largest first from the top; values written at the bar ends."""
    axis, hover = AXIS_FORMATS[x_kind], HOVER_FORMATS[x_kind]
    figure = go.Figure(
        go.Bar(
            y=labels,
            x=values,
            orientation="h",
            marker_color=colours or colour,
            texttemplate=f"%{{x:{hover}}}",
            textposition="outside",
            cliponaxis=False,
            hovertemplate=f"%{{y}}: %{{x:{hover}}}{hover_label}<extra></extra>",
        )
    )
    styled(figure, x_title, "", legend=False, height=max(220, 60 + 30 * len(labels)))
    figure.update_xaxes(tickformat=axis, rangemode="tozero")
    figure.update_yaxes(autorange="reversed", title_text="", rangemode=None)
    if x_kind == "rate":
        figure.update_xaxes(range=[0, 1.15])
    return figure


def shortened(text: str, width: int = 48) -> str:
    """A long label cut to fit beside a bar; the hover text keeps it whole."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def stacked_horizontal_bars(
    frame: pd.DataFrame, label_column: str, parts: dict[str, tuple[str, str]], x_title: str
) -> go.Figure:
    """One stacked bar per row (e.g. the outcomes of a channel's MQLs), first row on top."""
    figure = go.Figure()
    labels = frame[label_column].map(shortened)
    for column, (label, colour) in parts.items():
        figure.add_trace(
            go.Bar(
                y=labels,
                x=frame[column],
                name=label,
                orientation="h",
                marker_color=colour,
                customdata=frame[label_column],
                hovertemplate=f"%{{customdata}}<br>{label}: %{{x:,}} MQLs<extra></extra>",
            )
        )
    styled(figure, x_title, "", height=max(260, 100 + 28 * len(frame)))
    figure.update_layout(barmode="stack", legend_traceorder="normal")
    figure.update_yaxes(autorange="reversed", title_text="", rangemode=None)
    return figure


def grouped_bars(
    frame: pd.DataFrame,
    x_column: str,
    group_column: str,
    y_column: str,
    groups: dict[str, tuple[str, str]],
    y_title: str,
    y_kind: str,
) -> go.Figure:
    """Bars grouped side by side: e.g. per channel, one bar per attribution model."""
    figure = go.Figure()
    hover = HOVER_FORMATS[y_kind]
    for key, (label, colour) in groups.items():
        part = frame[frame[group_column] == key]
        figure.add_trace(
            go.Bar(
                x=part[x_column],
                y=part[y_column],
                name=label,
                marker_color=colour,
                hovertemplate=f"%{{x}}<br>{label}: %{{y:{hover}}}<extra></extra>",
            )
        )
    styled(figure, "", y_title, y_kind, height=400)
    figure.update_layout(barmode="group", bargap=0.2)
    figure.update_xaxes(categoryorder="array", categoryarray=list(dict.fromkeys(frame[x_column])))
    return figure


def heatmap(
    frame: pd.DataFrame, rows: str, columns: dict[str, str], value: str, value_title: str
) -> tuple[go.Figure, list[str]]:
    """A table of numbers coloured by size, each cell written out (e.g. campaign x model),
    and the rows left out because every cell of theirs is zero (the caller says so)."""
    pivot = frame.pivot_table(
        index=rows, columns="column", values=value, aggfunc="sum", fill_value=0, sort=False
    )
    pivot = pivot.reindex(columns=[c for c in columns if c in pivot.columns])
    zero = (pivot == 0).all(axis=1)
    hidden = [str(label) for label in pivot.index[zero]]
    pivot = pivot[~zero]
    figure = go.Figure(
        go.Heatmap(
            z=pivot.to_numpy(),
            x=[columns[c] for c in pivot.columns],
            y=list(pivot.index),
            colorscale="Blues",
            texttemplate="%{z:,.0f}",
            colorbar=dict(title=value_title),
            hovertemplate="%{y}<br>%{x}: %{z:,.0f}<extra></extra>",
        )
    )
    styled(figure, "", "", legend=False, height=max(260, 80 + 34 * len(pivot)))
    figure.update_yaxes(autorange="reversed", rangemode=None)
    figure.update_xaxes(side="top")
    return figure, hidden


def timeline(frame: pd.DataFrame) -> go.Figure:
    """A person's or an account's touchpoints over time, one row per kind of touch."""
    figure = go.Figure()
    for kind, (label, colour) in TOUCHPOINTS.items():
        part = frame[frame["touchpoint_type"] == kind]
        if part.empty:
            continue
        figure.add_trace(
            go.Scatter(
                x=part["occurred_at"],
                y=[label] * len(part),
                name=label,
                mode="markers",
                marker=dict(color=colour, size=11, line=dict(color="#ffffff", width=1)),
                customdata=part[["detail", "who"]].to_numpy(),
                hovertemplate="%{x|%Y-%m-%d %H:%M} UTC<br>%{customdata[0]}"
                "<br>%{customdata[1]}<extra>" + label + "</extra>",
            )
        )
    styled(figure, "When (UTC)", "", legend=False, height=320)
    figure.update_yaxes(
        categoryorder="array",
        rangemode=None,
        categoryarray=[label for label, _ in reversed(TOUCHPOINTS.values())],
    )
    figure.update_xaxes(type="date")
    return figure


def with_target(figure: go.Figure, x, target, name: str) -> go.Figure:
    """A target as a marked line across the bars it is the target of (a bar of its own
    would draw a large empty outline when the target is far above the bars)."""
    figure.add_trace(
        go.Scatter(
            x=x,
            y=target,
            name=name,
            mode="lines+markers",
            line=dict(color="#1f2933", dash="dash", width=2),
            marker=dict(symbol="line-ew-open", size=18, line=dict(width=2)),
            hovertemplate=f"{name}: %{{y:,.0f}}<extra></extra>",
        )
    )
    return figure


def with_bar_line(figure: go.Figure, value: float, label: str) -> go.Figure:
    """A horizontal reference line (an SLA bar) with its label."""
    figure.add_hline(
        y=value,
        line=dict(color="#b42318", dash="dot", width=2),
        annotation_text=label,
        annotation_position="top left",
        annotation_font_color="#b42318",
    )
    return figure


def without_spikes(
    figure: go.Figure, x: pd.Series, y: pd.Series, names: pd.Series, reference: float | None
) -> list[str]:
    """Keep one period's spike from flattening every other line: the y axis stops at 1.5
    times the 90th percentile of the values (and at least 1.5 times the reference line);
    each value above it is marked at the top edge with its true value. What was cut off, in
    words, for the chart's note (empty: nothing)."""
    values = pd.to_numeric(y, errors="coerce")
    if values.notna().sum() < 4:
        return []
    top = max(float(values.quantile(0.9)) * 1.5, (reference or 0) * 1.5)
    high = values > top
    if not high.any():
        return []
    edge = top * 1.04
    figure.update_yaxes(range=[0, top * 1.1], autorange=False)
    figure.add_trace(
        go.Scatter(
            x=x[high],
            y=[edge] * int(high.sum()),
            name="Off the scale",
            mode="markers",
            marker=dict(symbol="triangle-up", size=12, color="#b42318"),
            customdata=list(zip(names[high], values[high], strict=True)),
            hovertemplate="%{customdata[0]}: %{customdata[1]:,.1f} (off the scale)<extra></extra>",
        )
    )
    return [
        f"{name} {pd.Timestamp(when):%Y-%m-%d}: {value:,.1f}"
        for when, name, value in zip(x[high], names[high], values[high], strict=True)
    ]
