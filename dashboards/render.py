"""Render every dashboard page from the published marts, and the index linking them.

The pages are those of the dbt exposures (dashboards.pages.page_specs), each built by its
own module. All pages are built in memory first, then each is written to a temporary name
next to its final one and moved over it in one rename: a reader opening a page during a
refresh sees the last one or the new one, never half a file. Nothing here runs when the
quality gate failed (the Dagster asset depends on the publish step), so the last good
pages stay.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from dashboards import filters, formatting, pages
from dashboards.data import PublishedMarts
from dashboards.html import PLOTLY_BUNDLE, Frame, Metric, Page, document, plotly_bundle
from dashboards.pages import index
from dashboards.status import RunStatus
from ingestion import settings
from transform.definitions import LeadDefinitions, load_definitions

INDEX = index.INDEX


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
    inputs = pages.PageInputs(marts, run, definitions)
    return [pages.build(spec, inputs) for spec in pages.page_specs()]


def render_dashboards(
    published: Path, out_dir: Path, run: RunStatus, definitions: LeadDefinitions | None = None
) -> list[RenderedPage]:
    """Write every page and the index to `out_dir`; what was written, index first."""
    definitions = definitions or load_definitions()
    with PublishedMarts(published) as marts:
        built = build_pages(marts, run, definitions)
        landing = index.build(built, marts)
        frame = Frame(
            published_at=formatting.moment(marts.published_at()),
            rendered_at=formatting.moment(run.refreshed_at),
            definitions_version=marts.definitions_version() or definitions.version,
            navigation=tuple((p.file_name, p.title) for p in built),
        )
    everything = [landing, *built]
    documents = {page.file_name: document(page, frame) for page in everything}
    out_dir.mkdir(parents=True, exist_ok=True)
    _replace(out_dir / PLOTLY_BUNDLE, plotly_bundle())  # first: the pages load them
    _replace(out_dir / filters.FILTER_SCRIPT, filters.script())
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


def render_now(published: Path, out_dir: Path, checks=()) -> list[RenderedPage]:
    """Render from the published marts as of now (for scripts and tests)."""
    return render_dashboards(published, out_dir, RunStatus(dt.datetime.now(dt.UTC), tuple(checks)))
