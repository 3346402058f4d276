"""The dashboard pages: one module per page (`dashboards/pages/<slug>.py`), each owning its
queries, its headline numbers, its charts and tables, and an empty state that says why.

The list of pages has one home, the dbt exposures of the dashboards
(transform/models/marts/_dashboards__exposures.yml): one exposure `dashboard_<slug>` per
page, in the order of the navigation, its label the page's title and its description what
the Dagster asset says the page holds. A page module is found by its slug.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache

import yaml
from markupsafe import Markup

from dashboards import formatting
from dashboards.data import PublishedMarts
from dashboards.html import GRAINS, Page, grain_views
from dashboards.status import RunStatus
from ingestion.settings import REPO_ROOT
from transform.definitions import LeadDefinitions

EXPOSURES_FILE = REPO_ROOT / "transform" / "models" / "marts" / "_dashboards__exposures.yml"
EXPOSURE_PREFIX = "dashboard_"


@dataclass(frozen=True)
class PageSpec:
    """A page as its dbt exposure declares it."""

    slug: str
    title: str
    description: str


@dataclass(frozen=True)
class PageInputs:
    """What a page is built from: the published marts, the run's check results, and the
    definitions file (the glossary prints it)."""

    marts: PublishedMarts
    run: RunStatus
    definitions: LeadDefinitions


@cache
def page_specs() -> tuple[PageSpec, ...]:
    """Every page, in the order of the navigation (the order of the exposures file)."""
    exposures = yaml.safe_load(EXPOSURES_FILE.read_text())["exposures"]
    return tuple(
        PageSpec(
            slug=exposure["name"].removeprefix(EXPOSURE_PREFIX),
            title=exposure["label"],
            description=" ".join(exposure["description"].split()),
        )
        for exposure in exposures
        if exposure["name"].startswith(EXPOSURE_PREFIX)
    )


def page_order() -> tuple[str, ...]:
    return tuple(spec.slug for spec in page_specs())


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    """The page of one exposure, built by its module; its headline numbers cover all the
    published data unless the page or the number names another period."""
    module = importlib.import_module(f"{__name__}.{spec.slug}")
    page = module.build(spec, inputs)
    page.period = page.period or period_text(reporting_periods(inputs.marts).get("all_data"))
    return page


def reporting_periods(marts: PublishedMarts) -> dict[str, dict]:
    """The periods headlines are read for (marts.reporting_periods), by key."""
    frame = marts.frame("select * from marts.reporting_periods order by period_order")
    return {
        row["period_key"]: {k: formatting.plain(v) for k, v in row.items()}
        for row in frame.to_dict("records")
    }


PERIOD_NAMES = {
    "all_data": "all published data",
    "headline_month": "",
    "previous_month": "",
}


def period_text(period: dict | None) -> str:
    """'2026-11-01 – 2026-11-30 (Nov 2026)', '2026-09-04 – 2026-12-02 (all published data)'."""
    if not period:
        return "no data published yet"
    start, end = period["period_start"], period["period_end"]
    name = PERIOD_NAMES.get(period["period_key"]) or formatting.period(start, "month")
    if period["period_key"] != "all_data" and not period["is_complete_period"]:
        name += ", running"
    return f"{formatting.day(start)} – {formatting.day(end)} ({name})"


def rows_of_grain(frame, grain: str):
    """The rows of one reporting grain of a by-period frame."""
    return frame[frame["period_grain"] == grain].reset_index(drop=True)


def views_by_grain(build_one, *frames, **extra) -> Markup:
    """A page's grain views with their switch: `build_one(grain, *frames of that grain,
    **extra)` for every reporting grain, from by-period frames holding all the grains."""
    return grain_views(
        {g: build_one(g, *(rows_of_grain(f, g) for f in frames), **extra) for g in GRAINS}
    )
