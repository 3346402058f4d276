"""Render every dashboard page from the published marts, and the index linking them.

All pages are built in memory first, then each is written to a temporary name next to its
final one and moved over it in one rename: a reader opening a page during a refresh sees
the last one or the new one, never half a file. Nothing here runs when the quality gate
failed (the Dagster asset depends on the publish step), so the last good pages stay.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from dashboards import formatting, pages
from dashboards.data import PublishedMarts
from dashboards.html import Frame, Metric, Page, document, escape, metrics
from dashboards.status import RunStatus
from ingestion import settings
from transform.definitions import LeadDefinitions, load_definitions

PAGE_ORDER = (
    "funnel_overview",
    "sla",
    "closed_loop",
    "attribution",
    "customer_journey",
    "glossary",
    "data_status",
)
INDEX = "index"


def dashboards_dir() -> Path:
    """Where the pages are written: <data dir>/outputs/dashboards/."""
    return settings.outputs_dir() / "dashboards"


@dataclass(frozen=True)
class RenderedPage:
    slug: str
    title: str
    path: Path
    charts: int
    metrics: tuple[Metric, ...]


def build_pages(marts: PublishedMarts, run: RunStatus, definitions: LeadDefinitions) -> list[Page]:
    """Every page, in the order of the navigation."""
    built = {
        "funnel_overview": pages.funnel_overview(marts),
        "sla": pages.sla(marts),
        "closed_loop": pages.closed_loop(marts),
        "attribution": pages.attribution(marts),
        "customer_journey": pages.customer_journey(marts),
        "glossary": pages.glossary(definitions, marts.definitions_version()),
        "data_status": pages.data_status(marts, run),
    }
    return [built[slug] for slug in PAGE_ORDER]


def index_page(built: list[Page]) -> Page:
    """The landing page: one card per page with its first headline numbers."""
    page = Page(
        INDEX,
        "Shared funnel dashboards",
        "One set of funnel numbers for marketing and sales, refreshed only after "
        "every blocking quality check passed.",
    )
    cards = "".join(
        f'<a class="page" href="{escape(p.file_name)}"><h3>{escape(p.title)}</h3>'
        f'<p class="note">{escape(p.question)}</p>'
        f"{metrics(p.summary_metrics()) if p.metrics else ''}</a>"
        for p in built
    )
    page.body = [f'<div class="pages">{cards}</div>']
    return page


def render_dashboards(
    published: Path, out_dir: Path, run: RunStatus, definitions: LeadDefinitions | None = None
) -> list[RenderedPage]:
    """Write every page and the index to `out_dir`; what was written, index first."""
    definitions = definitions or load_definitions()
    with PublishedMarts(published) as marts:
        built = build_pages(marts, run, definitions)
        frame = Frame(
            published_at=formatting.moment(marts.published_at()),
            rendered_at=formatting.moment(run.refreshed_at),
            definitions_version=marts.definitions_version() or definitions.version,
            navigation=tuple((p.file_name, p.title) for p in built),
        )
    everything = [index_page(built), *built]
    documents = {page.file_name: document(page, frame) for page in everything}
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        _replace(out_dir / name, text)
    return [
        RenderedPage(p.slug, p.title, out_dir / p.file_name, p.charts, tuple(p.metrics))
        for p in everything
    ]


def _replace(path: Path, text: str) -> None:
    """Write next to the page, then move over it in one rename."""
    staging = path.with_name(f".{path.name}.tmp")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)


def render_now(
    published: Path,
    out_dir: Path,
    landing: Path,
    warehouse: Path,
    checks=(),
    stale_after=dt.timedelta(days=2),
) -> list[RenderedPage]:
    """Render with the sources' freshness as of now (for scripts and tests)."""
    from dashboards.status import source_freshness
    from ingestion.exports import SYSTEMS

    now = dt.datetime.now(dt.UTC)
    freshness = source_freshness(
        landing, warehouse, now, {system.name: stale_after for system in SYSTEMS}
    )
    run = RunStatus(now, freshness, tuple(checks))
    return render_dashboards(published, out_dir, run)
