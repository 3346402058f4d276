"""The shared dashboards, tested as a person reads them.

The refresh job renders the pages once (the `refreshed` fixture). A real browser, Debian's
chromium driven headless by Playwright, opens each page from disk: it loads with no console
error and no request off the machine, every chart draws, the grain switch works, and the
headline numbers on the page equal the marts' own, computed here with independent SQL.
Screenshots of every page go to test-artifacts/dashboards/. A failed gate leaves the pages
byte for byte; a slice without data says why on the page.
"""

import datetime as dt
import hashlib
import os
import shutil
from pathlib import Path

import duckdb
import pytest

from dashboards.render import PAGE_ORDER, render_dashboards
from dashboards.status import RunStatus
from ingestion import settings
from orchestration.definitions import defs
from tests.test_quality import VIOLATIONS, run

PAGES = ("index", *PAGE_ORDER)
ARTIFACTS = settings.REPO_ROOT / "test-artifacts" / "dashboards"
CHROMIUM = "/usr/bin/chromium"
# Without the networking switches chromium reaches for the network at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def dashboards_dir(root: Path) -> Path:
    return root / "outputs" / "dashboards"


def published(root: Path) -> Path:
    return root / "outputs" / "shared_funnel.duckdb"


def scalar(root: Path, sql: str):
    with duckdb.connect(str(published(root)), read_only=True) as con:
        row = con.execute(sql).fetchone()
        return row[0] if row else None


# --- rendered by the refresh job --------------------------------------------------------


def test_the_refresh_job_renders_every_page_after_the_publish(refreshed):
    root, result = refreshed
    assert result.success
    materialized = {
        e.asset_key.to_user_string(): e.step_materialization_data.materialization
        for e in result.get_asset_materialization_events()
    }
    graph = defs.resolve_asset_graph()
    for page in PAGES:
        key = f"dashboards/{page}"
        metadata = materialized[key].metadata
        path = Path(metadata["path"].value)
        assert path == dashboards_dir(root) / f"{page}.html" and path.is_file()
        assert metadata["refreshed_at"].value > 0
        parents = {k.to_user_string() for k in graph.get(materialized[key].asset_key).parent_keys}
        assert parents == {"publish/shared_funnel_marts"}
    assert materialized["dashboards/funnel_overview"].metadata["headline/leads"].value > 0
    assert not list(dashboards_dir(root).glob(".*.tmp"))  # every page moved into place


def test_every_page_is_self_contained(refreshed):
    """No CDN, no remote script or style: a page opens offline and can be e-mailed."""
    root, _ = refreshed
    for page in PAGES:
        text = (dashboards_dir(root) / f"{page}.html").read_text()
        assert 'src="http' not in text and "<link" not in text, page
        charts = int(text.split('data-charts="')[1].split('"')[0])
        assert ("Plotly.newPlot" in text) == (charts > 0), page
        if charts:  # the library itself is embedded, once
            assert text.count("plotly.js v") == 1, page


# --- in a browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if executable is None:
        pytest.skip(
            "No Chromium found: install Debian's chromium (apt-get install chromium) to "
            "run the browser tests"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Visit:
    """One page opened in the browser, with what went wrong while it loaded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1360, "height": 900})
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.route("**/*", self._local_only)
        self.page.goto(path.as_uri(), wait_until="load")

    def _local_only(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.remote.append(route.request.url)
            route.abort()

    def charts(self) -> list[dict]:
        """Each chart placeholder: drawn by Plotly, its size, and whether it is shown."""
        return self.page.evaluate("""() => Array.from(document.querySelectorAll('.chart'))
            .map(c => { const g = c.querySelector('.js-plotly-plot');
                        return {drawn: !!(g && g._fullLayout && g.querySelector('.main-svg')),
                                traces: g && g._fullData ? g._fullData.length : 0,
                                width: g ? g.getBoundingClientRect().width : 0,
                                shown: c.offsetParent !== null}; })""")

    def metrics(self) -> dict[str, str]:
        return self.page.evaluate("""() => Object.fromEntries(Array.from(
            document.querySelectorAll('main > .metrics [data-metric]'))
            .map(m => [m.dataset.metric, m.textContent.trim()]))""")


@pytest.fixture(scope="session")
def visits(refreshed, browser):
    """Every page opened once; a full-page screenshot of each saved as a test artifact."""
    root, _ = refreshed
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    opened = {}
    for page in PAGES:
        visit = Visit(browser, dashboards_dir(root) / f"{page}.html")
        visit.page.screenshot(path=str(ARTIFACTS / f"{page}.png"), full_page=True)
        opened[page] = visit
    yield opened
    for visit in opened.values():
        visit.page.close()


@pytest.mark.parametrize("page", PAGES)
def test_a_page_loads_cleanly_and_every_chart_draws(visits, page):
    visit = visits[page]
    assert visit.errors == []
    assert visit.remote == []
    expected = int(visit.page.get_attribute("body", "data-charts"))
    charts = visit.charts()
    assert len(charts) == expected
    assert all(c["drawn"] and c["traces"] > 0 for c in charts), charts
    assert all(c["width"] > 300 for c in charts if c["shown"]), charts
    assert (ARTIFACTS / f"{page}.png").stat().st_size > 10_000
    if page in ("funnel_overview", "sla", "closed_loop", "attribution", "customer_journey"):
        assert expected > 0


@pytest.mark.parametrize("page", ["funnel_overview", "sla"])
def test_the_grain_switch_shows_one_grain_at_a_time(visits, page):
    visit = visits[page]
    for grain in ("day", "week", "month", "quarter"):
        visit.page.click(f".grain-switch button[data-grain={grain}]")
        shown = visit.page.evaluate("""() => Array.from(document.querySelectorAll('.grain-view'))
            .filter(v => !v.hidden).map(v => v.dataset.grain)""")
        assert set(shown) == {grain}
        widths = visit.page.evaluate(f"""() => Array.from(document.querySelectorAll(
            '.grain-view[data-grain={grain}] .js-plotly-plot'))
            .map(g => g.getBoundingClientRect().width)""")
        assert widths and min(widths) > 300, widths  # fitted to its card once shown
    assert visit.errors == []
    visit.page.click(".grain-switch button[data-grain=week]")


# Each headline number, and how to get it from the marts without the dashboards' code.
HEADLINES = {
    "funnel_overview": {
        **{
            stage: (
                f"select sum({stage}) from marts.funnel_conversion_by_period "
                "where period_grain = 'quarter'",
                "count",
            )
            for stage in (
                "leads",
                "mqls",
                "sals",
                "sqls",
                "opportunities",
                "customers",
                "sales_sourced_sqls",
            )
        },
        "lead_to_customer_rate": (
            "select count(distinct person_id) filter (where stage_key = 'customer') "
            "/ count(distinct person_id) filter (where stage_key = 'lead') "
            "from marts.funnel_stage_entries where funnel_entry_stage_key = 'lead'",
            "rate",
        ),
    },
    "sla": {
        "mqls": (
            "select sum(mql_count) from marts.sla_compliance_by_owner where period_grain = 'day'",
            "count",
        ),
        **{
            f"{kind}_met_rate": (
                f"select sum({kind}_met_count) / sum({kind}_measured_count) "
                "from marts.sla_compliance_by_owner "
                "where period_grain = 'quarter'",
                "rate",
            )
            for kind in ("first_touch", "follow_up", "response")
        },
        "never_touched": (
            "select sum(never_touched_count) from marts.sla_compliance_by_owner "
            "where period_grain = 'week'",
            "count",
        ),
        "acceptance_rate": (
            "select sum(mqls_accepted) / (sum(mqls_accepted) "
            "+ sum(mqls_rejected)) from marts.mql_volume_vs_target",
            "rate",
        ),
        "share_of_target": (
            "select mqls_delivered / monthly_mql_target "
            "from marts.mql_volume_vs_target where monthly_mql_target > 0 "
            "order by month_start desc limit 1",
            "rate",
        ),
    },
    "closed_loop": {
        "mqls": ("select count(*) from marts.closed_loop_mql_outcomes", "count"),
        **{
            o: (
                f"select count(*) from marts.closed_loop_mql_outcomes where outcome = '{o}'",
                "count",
            )
            for o in ("won", "recycled_to_nurture", "disqualified")
        },
        "win_rate": (
            "select count(*) filter (where outcome = 'won') / nullif(count(*) filter "
            "(where outcome in ('won', 'lost')), 0) from marts.closed_loop_mql_outcomes",
            "rate",
        ),
        "won_revenue": ("select sum(won_amount) from marts.closed_loop_mql_outcomes", "amount"),
        "open_pipeline": (
            "select sum(amount) from marts.closed_loop_mql_outcomes where outcome = 'open'",
            "amount",
        ),
    },
    "attribution": {
        name: (
            f"""with opportunities as (select distinct opportunity_id, opportunity_amount,
                       is_won from marts.attribution_touchpoint_credits)
                   select {expression} from opportunities""",
            kind,
        )
        for name, expression, kind in (
            ("opportunities", "count(*)", "count"),
            ("pipeline", "sum(coalesce(opportunity_amount, 0))", "amount"),
            ("won_opportunities", "count(*) filter (where is_won)", "count"),
            ("revenue", "coalesce(sum(opportunity_amount) filter (where is_won), 0)", "amount"),
        )
    },
    "customer_journey": {
        "persons": ("select count(distinct person_id) from marts.customer_journey", "count"),
        "accounts": ("select count(distinct account_id) from marts.account_journey", "count"),
        "touchpoints": ("select count(*) from marts.customer_journey", "count"),
    },
    "glossary": {
        "definitions_version": ("select definitions_version from definitions.terms", "text"),
        "signed_off_on": ("select cast(signed_off_on as varchar) from definitions.terms", "text"),
    },
}


def shown_as(text: str, kind: str):
    """What a person reads: '1,234' -> 1234, '12.3%' -> 12.3, '–' (no data) -> None."""
    if text == "–":
        return None
    if kind == "rate":
        return float(text.rstrip("%"))
    if kind in ("count", "amount"):
        return float(text.replace(",", ""))
    return text


def expected_as_shown(value, kind: str):
    if value is None:
        return None
    if kind == "rate":
        return round(float(value) * 100, 1)
    if kind == "amount":
        return float(round(value))
    if kind == "count":
        return float(value)
    return str(value)


@pytest.mark.parametrize("page", list(HEADLINES))
def test_headline_numbers_equal_the_marts(refreshed, visits, page):
    root, _ = refreshed
    shown = visits[page].metrics()
    for metric, (sql, kind) in HEADLINES[page].items():
        expected = scalar(root, sql)
        assert shown_as(shown[metric], kind) == expected_as_shown(expected, kind), (
            page,
            metric,
            shown[metric],
            expected,
        )


def test_data_status_shows_the_run_and_the_sources(refreshed, visits):
    root, result = refreshed
    from orchestration.quality_checks import gate_rules

    evaluations = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    rules = {rule.name for rule in gate_rules()}
    shown = visits["data_status"].metrics()
    assert shown_as(shown["rules_passed"], "count") == len(gate_rules())
    assert shown_as(shown["tests_passed"], "count") == sum(
        1 for e in evaluations if e.passed and e.check_name not in rules
    )
    published_at = dt.datetime.fromtimestamp(published(root).stat().st_mtime, dt.UTC)
    assert shown["published_at"] == published_at.strftime("%Y-%m-%d %H:%M UTC")
    rows = visits["data_status"].page.locator("table").first.locator("tbody tr")
    assert rows.count() == 3  # one per source system
    assert "2099" not in visits["data_status"].page.content()


def test_the_index_repeats_each_pages_numbers(visits):
    index = visits["index"].page
    for card in index.locator("a.page").all():
        page = card.get_attribute("href").removesuffix(".html")
        target = visits[page].metrics()
        for metric in card.locator("[data-metric]").all():
            assert metric.text_content().strip() == target[metric.get_attribute("data-metric")]


# --- without a browser ------------------------------------------------------------------


def fingerprints(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_a_failed_gate_leaves_the_dashboards_byte_for_byte(refreshed_copy):
    before = fingerprints(dashboards_dir(refreshed_copy))
    guarded = ("sla_compliance_by_owner", "rates_between_0_and_1")
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(VIOLATIONS[guarded])

    checks, materialized = run("quality_gate_and_publish")

    assert not checks[guarded].passed
    assert not {key for key in materialized if key.startswith("dashboards/")}
    assert fingerprints(dashboards_dir(refreshed_copy)) == before


@pytest.fixture
def emptied(refreshed, tmp_path) -> Path:
    """A copy of the published marts to empty slices of."""
    copy = tmp_path / "shared_funnel.duckdb"
    shutil.copyfile(published(refreshed[0]), copy)
    return copy


def render(published_copy: Path, out: Path) -> dict[str, str]:
    run_status = RunStatus(dt.datetime.now(dt.UTC), (), ())
    return {
        page.slug: page.path.read_text()
        for page in render_dashboards(published_copy, out, run_status)
    }


def test_an_empty_slice_says_why(emptied, tmp_path):
    with duckdb.connect(str(emptied)) as con:
        con.execute("delete from marts.attribution_by_channel")
        con.execute("delete from marts.closed_loop_outcome_reasons where outcome = 'lost'")
        con.execute("update marts.mql_volume_vs_target set monthly_mql_target = null")

    pages = render(emptied, tmp_path / "out")

    assert (
        "No opportunity has been created in the published data, so there is nothing to "
        "attribute." in pages["attribution"]
    )
    assert "No MQL has ended as lost yet, so there is no reason to show." in pages["closed_loop"]
    assert "Rejection reasons" in pages["closed_loop"]  # the other outcomes still draw
    assert "No month has a target yet: too little history to derive one." in pages["sla"]
    assert "No check result is recorded for this run" in pages["data_status"]


def test_empty_marts_render_every_page_with_the_reason(emptied, tmp_path):
    with duckdb.connect(str(emptied)) as con:
        tables = con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"delete from marts.{table}")

    pages = render(emptied, tmp_path / "out")

    assert set(pages) == set(PAGES)
    assert "No one entered a funnel stage in the published data" in pages["funnel_overview"]
    assert "No MQL has been handed to sales yet." in pages["sla"]
    assert "No such person in the published data." in pages["customer_journey"]
    assert 'data-charts="0"' in pages["funnel_overview"]
