"""The page template: Jinja2 templates in dashboards/templates/, escaping every value.

Every page is one HTML file with its CSS inline (templates/page.css) and the period-grain
switch as a few lines of inline script (templates/page.js). Plotly's JavaScript is one
shared file beside the pages (PLOTLY_BUNDLE, written by the renderer), loaded by a relative
<script src>, so a page weighs its own data only and still opens offline from disk.
Nothing is fetched from the network.

The building blocks (cards, sections, tables, headline numbers, the grain switch) are the
macros of templates/components.html.j2. Autoescape is on: text from the marts, the
definitions file or a source system is always escaped; only other blocks and Plotly's
chart markup pass as markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import yaml
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from dashboards import formatting
from ingestion.settings import REPO_ROOT

TEMPLATES = Path(__file__).with_name("templates")
DBT_PROJECT_FILE = REPO_ROOT / "transform" / "dbt_project.yml"
DEFAULT_GRAIN = "week"
PLOTLY_BUNDLE = "plotly.min.js"  # beside the pages, shared by every page with a chart
PLOTLY_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d"],
}


def reporting_grains() -> tuple[str, ...]:
    """The grains every by-period mart reports by: the dbt var `reporting_grains`."""
    return tuple(yaml.safe_load(DBT_PROJECT_FILE.read_text())["vars"]["reporting_grains"])


GRAINS = reporting_grains()


@cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "html.j2"], default_for_string=True),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def _components():
    return environment().get_template("components.html.j2").module


def escape(text) -> Markup:
    return Markup.escape("" if text is None else str(text))


@dataclass(frozen=True)
class Metric:
    """A headline number: shown as a card, stored as asset metadata, checked by the tests."""

    key: str
    label: str
    value: float | int | str | None
    kind: str = "count"  # a formatting kind: count, rate, amount, hours, text, ...
    note: str = ""
    period: str = ""  # the date range it covers; empty: the page's period
    trend: str = ""  # how it compares with the period before, in words
    view: dict | None = None  # how the page's filters recompute it (dashboards.filters)

    def __post_init__(self):
        value = formatting.plain(self.value)
        if self.kind == "count" and isinstance(value, float) and value.is_integer():
            value = int(value)  # SQL sums of counts come back as floats
        object.__setattr__(self, "value", value)

    @property
    def text(self) -> str:
        return formatting.formatted(self.value, self.kind)

    @property
    def raw(self) -> str:
        return "" if formatting.is_missing(self.value) else str(self.value)


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
    body: list[Markup] = field(default_factory=list)
    charts: int = 0
    summary: tuple[str, ...] = ()  # the metrics the index shows (default: the first two)
    period: str = ""  # the date range of the headline numbers that name none of their own
    datasets: dict[str, pd.DataFrame] = field(default_factory=dict)  # rows the filters read

    @property
    def file_name(self) -> str:
        return f"{self.slug}.html"

    def chart(
        self, figure: go.Figure, title: str, note: str = "", view: dict | None = None
    ) -> Markup:
        """A Plotly chart in a captioned card (plotly.js is the shared PLOTLY_BUNDLE); with
        a `view` (dashboards.filters.view) the page's filters re-draw it."""
        self.charts += 1
        div = pio.to_html(
            figure,
            full_html=False,
            include_plotlyjs=False,
            div_id=f"{self.slug}-chart-{self.charts}",
            config=PLOTLY_CONFIG,
        )
        # Plotly's own markup: its data is JSON-encoded with <, > and & escaped.
        bound = Markup(" data-view='{}'").format(_view_json(view)) if view else Markup("")
        return _card(
            title,
            note,
            Markup('<div class="chart"{}>').format(bound) + Markup(div) + Markup("</div>"),
        )

    def metric(self, key: str) -> Metric:
        return next(m for m in self.metrics if m.key == key)

    def summary_metrics(self) -> list[Metric]:
        if self.summary:
            return [self.metric(key) for key in self.summary]
        return self.metrics[:2]


def join(parts) -> Markup:
    """Blocks one after the other (plain text among them is escaped)."""
    return Markup("").join(parts)


def empty(title: str, reason: str, note: str = "") -> Markup:
    """What a chart or table shows when its slice has no data: the reason, in words."""
    return _components().empty(title, reason, note)


def empty_note(reason: str) -> Markup:
    """The reason alone, outside a card (a warning above a page's sections)."""
    return _components().empty_note(reason)


def _card(title: str, note: str, content: Markup) -> Markup:
    return _components().card(title, note, content)


def section(title: str, intro: str, *parts: Markup) -> Markup:
    return _components().section(title, intro, parts)


def grid(*parts: Markup) -> Markup:
    """Cards side by side on a wide screen, stacked on a narrow one."""
    return _components().grid(parts)


def heading(text: str) -> Markup:
    return _components().heading(text)


def metrics(items: list[Metric], period: str = "") -> Markup:
    """Headline numbers, each with its period (its own, else `period`)."""
    return _components().metrics(items, period)


def table(
    frame: pd.DataFrame,
    columns: list[Column],
    title: str,
    note: str = "",
    empty_reason: str = "No rows.",
    view: dict | None = None,
) -> Markup:
    """A captioned table; numbers right-aligned and formatted by their column's kind. With a
    `view` the page's filters rewrite its rows: the first column is the view's group, the
    others its values in order."""
    if frame.empty:
        return empty(title, empty_reason, note)
    head = [(c.label, _align(c)) for c in columns]
    rows = [
        [(_cell(row[c.name], c.kind), _align(c)) for c in columns]
        for row in frame.to_dict("records")
    ]
    bound = None
    if view:
        bound = _view_json({**view, "kinds": [c.kind for c in columns[1:]]})
    return _components().table(title, note, head, rows, bound)


def _view_json(view: dict) -> str:
    """A view as JSON for a single-quoted attribute (autoescape escapes the quotes)."""
    return json.dumps(view, default=str)


def _align(column: Column) -> str:
    return "text" if column.kind in ("text", "badge") else "number"


BADGES = {
    "passed": "good",
    "fresh": "good",
    "failed": "bad",
    "stale": "bad",
    "overdue": "bad",
    "no data": "bad",
    "warned": "warn",
    "not run": "warn",
    "within tolerance": "warn",
    "above tolerance": "bad",
    "error": "bad",
}


def badge(status: str) -> Markup:
    """A coloured word for a state (passed, failed, fresh, stale, ...)."""
    return _components().badge(status, BADGES.get(status, "warn"))


def _cell(value, kind: str) -> str | Markup:
    if kind == "badge":
        return badge(str(value))
    return formatting.formatted(value, kind)


def definition_list(items: list[tuple[str, str]]) -> Markup:
    return _components().definition_list(items)


def grain_views(views: dict[str, Markup]) -> Markup:
    """The grains of one page, one visible at a time, and the switch between them."""
    return _components().grain_views(GRAINS, DEFAULT_GRAIN, views)


def page_cards(pages: list[Page]) -> Markup:
    """The index: one card per page with its first headline numbers."""
    return _components().page_cards(pages)


@dataclass(frozen=True)
class Frame:
    """What every page shows around its content: where the numbers come from and when."""

    published_at: str
    rendered_at: str
    definitions_version: str
    navigation: tuple[tuple[str, str], ...]  # (file name, title) of every page


def document(page: Page, frame: Frame) -> str:
    """The whole HTML file of a page."""
    template = environment().get_template("page.html.j2")
    from dashboards import filters

    return template.render(
        page=page,
        frame=frame,
        components=_components(),
        plotly_bundle=PLOTLY_BUNDLE,
        filter_script=filters.FILTER_SCRIPT,
        filter_options=filters.options(page.datasets),
        filter_span=filters.date_span(page.datasets),
        page_data=filters.payload(page.datasets) if page.datasets else "",
    )


def plotly_bundle() -> str:
    """The plotly.js the pages share, from the installed plotly package (no network)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()
