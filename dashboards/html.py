"""The shared page template: header, headline numbers, charts, tables and empty states.

Every page is one self-contained HTML file: the CSS is inline, Plotly's JavaScript is
embedded once per page (``include_plotlyjs=True`` on the page's first chart), and the
period-grain switch is a few lines of inline script. Nothing is fetched from the network,
so a page opens offline and can be sent as an e-mail attachment.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboards import formatting

GRAINS = ("day", "week", "month", "quarter")
DEFAULT_GRAIN = "week"
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def escape(text) -> str:
    return html.escape("" if text is None else str(text))


@dataclass(frozen=True)
class Metric:
    """A headline number: shown as a card, stored as asset metadata, checked by the tests."""

    key: str
    label: str
    value: float | int | str | None
    kind: str = "count"  # a formatting kind: count, rate, amount, hours, text, ...
    note: str = ""

    def __post_init__(self):
        value = formatting.plain(self.value)
        if self.kind == "count" and isinstance(value, float) and value.is_integer():
            value = int(value)  # SQL sums of counts come back as floats
        object.__setattr__(self, "value", value)

    @property
    def text(self) -> str:
        return formatting.formatted(self.value, self.kind)


@dataclass(frozen=True)
class Column:
    """A table column: the frame's column, its header and how its values are written."""

    name: str
    label: str
    kind: str = "text"


@dataclass
class Page:
    """One dashboard page being built: its headline numbers, its body and its charts."""

    slug: str
    title: str
    question: str
    metrics: list[Metric] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    charts: int = 0
    summary: tuple[str, ...] = ()  # the metrics the index shows (default: the first two)

    @property
    def file_name(self) -> str:
        return f"{self.slug}.html"

    def chart(self, figure: go.Figure, title: str, note: str = "") -> str:
        """A Plotly chart in a captioned card; the page's first chart embeds plotly.js."""
        self.charts += 1
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=self.charts == 1,
            div_id=f"{self.slug}-chart-{self.charts}",
            config=PLOTLY_CONFIG,
        )
        return _card(title, note, f'<div class="chart">{div}</div>')

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)

    def summary_metrics(self) -> list[Metric]:
        if self.summary:
            return [self.metric(key) for key in self.summary]
        return self.metrics[:2]


def empty(title: str, reason: str, note: str = "") -> str:
    """What a chart or table shows when its slice has no data: the reason, in words."""
    return _card(title, note, f'<p class="empty" role="note">{escape(reason)}</p>')


def _card(title: str, note: str, content: str) -> str:
    caption = f"<h3>{escape(title)}</h3>" + (f'<p class="note">{escape(note)}</p>' if note else "")
    return f'<figure class="card"><figcaption>{caption}</figcaption>{content}</figure>'


def section(title: str, intro: str, *parts: str) -> str:
    lede = f'<p class="intro">{escape(intro)}</p>' if intro else ""
    return f"<section><h2>{escape(title)}</h2>{lede}{''.join(parts)}</section>"


def grid(*parts: str) -> str:
    """Cards side by side on a wide screen, stacked on a narrow one."""
    return f'<div class="grid">{"".join(parts)}</div>'


def metrics(items: list[Metric]) -> str:
    cards = "".join(
        f'<div class="metric"><div class="label">{escape(m.label)}</div>'
        f'<div class="value{" text" if m.kind in ("text", "moment") else ""}" '
        f'data-metric="{escape(m.key)}" data-value="{escape(_raw(m.value))}">'
        f"{escape(m.text)}</div>"
        + (f'<div class="note">{escape(m.note)}</div>' if m.note else "")
        + "</div>"
        for m in items
    )
    return f'<div class="metrics">{cards}</div>'


def _raw(value) -> str:
    return "" if formatting.is_missing(value) else str(value)


def table(
    frame: pd.DataFrame,
    columns: list[Column],
    title: str,
    note: str = "",
    empty_reason: str = "No rows.",
) -> str:
    """A captioned table; numbers right-aligned and formatted by their column's kind."""
    if frame.empty:
        return empty(title, empty_reason, note)
    head = "".join(f'<th class="{_align(c)}">{escape(c.label)}</th>' for c in columns)
    rows = "".join(
        "<tr>"
        + "".join(f'<td class="{_align(c)}">{_cell(row[c.name], c.kind)}</td>' for c in columns)
        + "</tr>"
        for row in frame.to_dict("records")
    )
    return _card(
        title,
        note,
        f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{rows}</tbody></table></div>",
    )


def _align(column: Column) -> str:
    return "text" if column.kind in ("text", "badge") else "number"


BADGES = {
    "passed": "good",
    "fresh": "good",
    "failed": "bad",
    "stale": "bad",
    "no data": "bad",
    "warned": "warn",
    "not run": "warn",
    "within tolerance": "warn",
    "above tolerance": "bad",
    "error": "bad",
}


def badge(status: str) -> str:
    """A coloured word for a state (passed, failed, fresh, stale, ...)."""
    return f'<span class="badge {BADGES.get(status, "warn")}">{escape(status)}</span>'


def _cell(value, kind: str) -> str:
    if kind == "badge":
        return badge(str(value))
    return escape(formatting.formatted(value, kind))


def definition_list(items: list[tuple[str, str]]) -> str:
    rows = "".join(f"<dt>{escape(term)}</dt><dd>{escape(meaning)}</dd>" for term, meaning in items)
    return f"<dl>{rows}</dl>"


def grain_views(views: dict[str, str]) -> str:
    """The four grains of one page, one visible at a time, and the switch between them."""
    buttons = "".join(
        f'<button type="button" data-grain="{g}" aria-pressed="{str(g == DEFAULT_GRAIN).lower()}">'
        f"{g.capitalize()}</button>"
        for g in GRAINS
    )
    panels = "".join(
        f'<div class="grain-view" data-grain="{g}"{"" if g == DEFAULT_GRAIN else " hidden"}>'
        f"{views[g]}</div>"
        for g in GRAINS
    )
    return (
        f'<div class="grain-switch" role="group" aria-label="Period grain">'
        f"<span>Period:</span>{buttons}</div>{panels}"
    )


@dataclass(frozen=True)
class Frame:
    """What every page shows around its content: where the numbers come from and when."""

    published_at: str
    rendered_at: str
    definitions_version: str
    navigation: tuple[tuple[str, str], ...]  # (file name, title) of every page


def document(page: Page, frame: Frame) -> str:
    """The whole HTML file of a page."""
    current = ' aria-current="page"'
    nav = "".join(
        f'<a href="{escape(href)}"{current if href == page.file_name else ""}>{escape(title)}</a>'
        for href, title in frame.navigation
    )
    script = f"<script>{PAGE_SCRIPT}</script>" if page.charts else ""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(page.title)} · Shared funnel</title>
<style>{CSS}</style>
</head>
<body data-page="{escape(page.slug)}" data-charts="{page.charts}">
<header class="top"><a class="brand" href="index.html">Shared funnel</a><nav>{nav}</nav></header>
<main>
<h1>{escape(page.title)}</h1>
<p class="question">{escape(page.question)}</p>
<p class="provenance">Numbers from the published marts of
 <span data-published-at>{escape(frame.published_at)}</span> (replaced only after every
 blocking quality check passed) · page rendered
 {escape(frame.rendered_at)} · definitions version {escape(frame.definitions_version)}</p>
{metrics(page.metrics) if page.metrics else ""}
{"".join(page.body)}
</main>
<footer>Marketing and sales read the same pages. Every number is defined in the
<a href="glossary.html">glossary</a>; how fresh it is, on
<a href="data_status.html">data status</a>.</footer>
{script}
</body>
</html>
"""


# Charts are drawn while the page is still being parsed; once it is laid out, each one is
# fitted to its card. The grain switch shows one grain's view and fits its charts.
PAGE_SCRIPT = """
(function () {
  function fit(root) {
    if (!window.Plotly) return;
    root.querySelectorAll('.js-plotly-plot').forEach(function (g) {
      if (g.offsetParent !== null) Plotly.Plots.resize(g);  // hidden grains fit when shown
    });
  }
  window.addEventListener('load', function () { fit(document); });
  function show(grain) {
    document.querySelectorAll('.grain-switch button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.grain === grain));
    });
    document.querySelectorAll('.grain-view').forEach(function (view) {
      view.hidden = view.dataset.grain !== grain;
      if (!view.hidden) fit(view);
    });
  }
  document.querySelectorAll('.grain-switch button').forEach(function (b) {
    b.addEventListener('click', function () { show(b.dataset.grain); });
  });
})();
"""

CSS = """
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --bg: #f5f7fa; --accent: #0b4f8a;
        --good: #0f7b4f; --bad: #b42318; --warn: #8a5a00; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 18px;
             padding: 10px 24px; background: var(--accent); }
header.top a { color: #fff; text-decoration: none; opacity: .85; }
header.top a:hover, header.top a[aria-current] { opacity: 1; text-decoration: underline; }
header.top .brand { font-weight: 700; opacity: 1; margin-right: 12px; }
header.top nav { display: flex; flex-wrap: wrap; gap: 4px 16px; }
main { max-width: 1240px; margin: 0 auto; padding: 8px 24px 32px; }
h1 { margin: 18px 0 2px; font-size: 28px; }
h2 { margin: 28px 0 4px; font-size: 20px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h3 { margin: 0; font-size: 15px; }
p.question { margin: 0; font-size: 17px; color: var(--muted); }
p.provenance, p.intro, p.note, footer { color: var(--muted); font-size: 13px; }
p.intro { font-size: 14px; max-width: 80ch; }
.metrics { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr));
           gap: 12px; margin: 16px 0; }
.metric { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.metric .label { color: var(--muted); font-size: 13px; }
.metric .value { font-size: 26px; font-weight: 650; font-variant-numeric: tabular-nums; }
.metric .note { color: var(--muted); font-size: 12px; }
.metric .value.text { font-size: 18px; padding: 4px 0; }
.grid { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
@media (max-width: 900px) { .grid { grid-template-columns: minmax(0, 1fr); } }
figure.card { margin: 12px 0; background: #fff; border: 1px solid var(--line); border-radius: 8px;
              padding: 12px 14px; min-width: 0; }
figure.card p.note { margin: 2px 0 6px; }
.chart { min-height: 200px; }
p.empty { margin: 12px 0; padding: 28px 16px; text-align: center; color: var(--muted);
          background: var(--bg); border: 1px dashed var(--line); border-radius: 6px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px;
        font-variant-numeric: tabular-nums; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); text-align: left; font-weight: 600; }
th.number, td.number { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
.grain-switch { display: flex; align-items: center; gap: 6px; margin: 10px 0; position: sticky;
                top: 0; z-index: 5; background: var(--bg); padding: 6px 0; }
.grain-switch span { color: var(--muted); font-size: 13px; margin-right: 4px; }
.grain-switch button { font: inherit; padding: 4px 14px; border: 1px solid var(--accent);
                       background: #fff; color: var(--accent); border-radius: 16px;
                       cursor: pointer; }
.grain-switch button[aria-pressed="true"] { background: var(--accent); color: #fff; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px;
         font-weight: 600; color: #fff; }
.badge.good { background: var(--good); } .badge.bad { background: var(--bad); }
.badge.warn { background: var(--warn); }
dl { display: grid; grid-template-columns: minmax(160px, 240px) 1fr; gap: 6px 16px; margin: 8px 0; }
dt { font-weight: 600; } dd { margin: 0; }
.pages { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 14px; }
.pages a.page { display: block; background: #fff; border: 1px solid var(--line); border-radius: 8px;
                padding: 14px; color: inherit; text-decoration: none; }
.pages a.page:hover { border-color: var(--accent); }
.pages a.page h3 { color: var(--accent); font-size: 17px; }
.pages .metrics { grid-template-columns: repeat(2, 1fr); margin: 8px 0 0; }
.pages .metric .value { font-size: 20px; }
footer { max-width: 1240px; margin: 0 auto; padding: 0 24px 24px; }
"""
