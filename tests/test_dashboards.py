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
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import AssetKey

from dashboards.pages import EXPOSURES_FILE, page_order
from dashboards.render import render_dashboards
from dashboards.status import RunStatus
from ingestion import settings
from orchestration.dbt_project import manifest
from orchestration.definitions import defs
from tests.test_quality import VIOLATIONS, run
from transform.definitions import load_definitions

PAGES = ("index", *page_order())
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
        # after the publish; the marts it reads are lineage (tests/test_orchestration.py)
        assert "publish/shared_funnel_marts" in parents, parents
    assert materialized["dashboards/funnel_overview"].metadata["headline/leads"].value > 0
    assert not list(dashboards_dir(root).glob(".*.tmp"))  # every page moved into place


def test_every_page_opens_offline_with_one_shared_plotly_beside_it(refreshed):
    """No CDN, no remote script or style; plotly.js is one file beside the pages, loaded by
    a relative path, so each page weighs its own data only (under 1.5 MB)."""
    root, _ = refreshed
    bundle = dashboards_dir(root) / "plotly.min.js"
    assert bundle.stat().st_size > 1_000_000 and "plotly.js v" in bundle.read_text()[:2000]
    for page in PAGES:
        path = dashboards_dir(root) / f"{page}.html"
        text = path.read_text()
        assert 'src="http' not in text and "<link" not in text, page
        assert path.stat().st_size < 1_500_000, (page, path.stat().st_size)
        assert "plotly.js v" not in text, page  # not inlined
        charts = int(text.split('data-charts="')[1].split('"')[0])
        assert ("Plotly.newPlot" in text) == (charts > 0), page
        assert ('<script src="plotly.min.js"></script>' in text) == (charts > 0), page


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
        self.page = browser.new_page(viewport={"width": 1440, "height": 900})
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
# The test exports cover 2026-01-01 to 2026-01-14 (conftest.SMALL): no month is complete,
# so the landing page's headline month is January 2026, running, to the 14th.
MONTH = "between date '2026-01-01' and date '2026-01-14'"
HEADLINES = {
    "index": {
        "mql_to_sql_rate": (
            f"""select count(s.person_id) / count(*) from marts.funnel_stage_entries m
                left join marts.funnel_stage_entries s
                  on s.person_id = m.person_id and s.stage_key = 'sql'
                where m.stage_key = 'mql' and cast(m.entered_at as date) {MONTH}""",
            "rate",
        ),
        "first_touch_met_rate": (
            "select sum(first_touch_met_count) / sum(first_touch_measured_count) "
            "from marts.sla_compliance_by_owner "
            "where period_grain = 'month' and period_start = date '2026-01-01'",
            "rate",
        ),
        "pipeline_created": (
            f"""with o as (select distinct opportunity_id, opportunity_amount,
                       opportunity_created_at from marts.attribution_touchpoint_credits)
                select sum(opportunity_amount) from o
                where cast(opportunity_created_at as date) {MONTH}""",
            "amount",
        ),
    },
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
        "share_of_target": (  # one month against its own target: the latest complete one
            "select mqls_delivered / monthly_mql_target "
            "from marts.mql_volume_vs_target where monthly_mql_target > 0 "
            "order by is_complete_month desc, month_start desc limit 1",
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
    from quality.rules import gate_rules

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
    run_status = RunStatus(dt.datetime.now(dt.UTC))
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


def test_losses_without_a_recorded_reason_are_drawn_as_such(emptied, tmp_path):
    """An org without a loss-reason field (Loss_Reason__c is optional) publishes its lost
    MQLs with no reason: the closed-loop page draws them as one bar named for that, in the
    colour of a missing reason, instead of an empty chart or an invented reason."""
    with duckdb.connect(str(emptied)) as con:
        con.execute("delete from marts.closed_loop_outcome_reasons where outcome = 'lost'")
        con.execute(
            """insert into marts.closed_loop_outcome_reasons
               select * replace ('lost' as outcome, null as outcome_reason_kind,
                                 null as outcome_reason, null as is_agreed_reason,
                                 3 as mql_count)
               from marts.closed_loop_outcome_reasons limit 1"""
        )

    page = render(emptied, tmp_path / "out")["closed_loop"]

    decoder = json.JSONDecoder()
    traces = [
        trace
        for call in re.finditer(r'Plotly\.newPlot\(\s*"[^"]+",\s*', page)
        for trace in decoder.raw_decode(page, call.end())[0]
    ]
    (bars,) = [t for t in traces if "(no reason recorded)" in json.dumps(t.get("y"))]
    assert list(bars["y"]) == ["(no reason recorded)"]
    assert list(bars["marker"]["color"]) == ["#B42318"]
    assert "red: none recorded" in page


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


# --- one home for the page list, freshness and the vocabularies ---------------------------


def test_the_pages_are_the_dbt_exposures_in_their_order():
    exposures = yaml.safe_load(EXPOSURES_FILE.read_text())["exposures"]
    expected = [e["name"].removeprefix("dashboard_") for e in exposures]
    assert (
        list(page_order())
        == expected
        == [
            "funnel_overview",
            "sla",
            "closed_loop",
            "attribution",
            "customer_journey",
            "glossary",
            "data_status",
        ]
    )
    graph = defs.resolve_asset_graph()
    for exposure in exposures:
        spec = graph.get(AssetKey(["dashboards", exposure["name"].removeprefix("dashboard_")]))
        assert spec.description.startswith(" ".join(exposure["description"].split()))


def test_the_navigation_follows_the_exposures(visits):
    nav = visits["index"].page.locator("header nav a")
    labels = [e["label"] for e in yaml.safe_load(EXPOSURES_FILE.read_text())["exposures"]]
    assert nav.all_text_contents() == labels


def test_source_freshness_covers_every_source_with_a_freshness_window():
    nodes = manifest()["nodes"]
    model = nodes["model.shared_funnel.source_freshness"]
    judged = {
        key
        for key, source in manifest()["sources"].items()
        if (source.get("freshness") or {}).get("warn_after", {}).get("count")
    }
    assert judged and judged <= set(model["depends_on"]["nodes"])


def test_freshness_means_the_drops_arrival_in_dagster_and_on_the_page(refreshed, visits):
    """The refresh just loaded every drop, so every source is fresh by its arrival, whatever
    the dates inside the exports (the test exports end on a fixed day in the past). Dagster's
    policy on landing/<system> and the published freshness use the same windows."""
    root, _ = refreshed
    with duckdb.connect(str(published(root)), read_only=True) as con:
        rows = con.execute("""
            select source_system, freshness_status, warn_after_hours, error_after_hours,
                   checked_at - newest_drop_loaded_at as age, newest_record_at
            from marts.source_freshness order by system_order""").fetchall()
    assert [r[0] for r in rows] == ["marketing_automation", "crm", "web_analytics"]
    graph = defs.resolve_asset_graph()
    for system, status, warn_hours, error_hours, age, newest_record_at in rows:
        assert status == "fresh", system
        assert dt.timedelta(0) <= age < dt.timedelta(hours=1), system
        assert newest_record_at is not None and newest_record_at < dt.datetime.now(dt.UTC)
        policy = graph.get(AssetKey(["landing", system])).freshness_policy
        assert (
            policy.warn_window.to_timedelta()
            == dt.timedelta(hours=warn_hours)
            == dt.timedelta(days=2)
        )
        assert policy.fail_window.to_timedelta() == dt.timedelta(hours=error_hours)
    page = visits["data_status"]
    assert shown_as(page.metrics()["fresh_sources"], "count") == 3
    badges = page.page.locator("table").first.locator("tbody .badge").all_text_contents()
    assert badges == ["fresh", "fresh", "fresh"]


def test_a_late_drop_reads_stale_on_the_page(emptied, tmp_path):
    with duckdb.connect(str(emptied)) as con:
        con.execute("""
            update marts.source_freshness set freshness_status = 'stale',
                newest_drop_loaded_at = checked_at - interval 3 day
            where source_system = 'crm'""")
    pages = render(emptied, tmp_path / "out")
    assert '<span class="badge bad">stale</span>' in pages["data_status"]
    assert 'data-metric="fresh_sources" data-value="2"' in pages["data_status"]


def test_the_glossary_says_what_every_vocabulary_value_means(visits):
    glossary = visits["glossary"].page
    section = glossary.locator("section", has=glossary.locator("h2", has_text="Vocabularies"))
    text = section.inner_text()
    definitions = load_definitions()
    for vocabulary in definitions.vocabularies.values():
        card = section.locator("figure", has=glossary.locator("h3", has_text=vocabulary.name))
        if vocabulary.values:
            assert card.locator("tbody tr").count() == len(vocabulary.values), vocabulary.name
        for value in vocabulary.values:
            assert value in text
    # by hand, from the definitions file: Salesforce's default "Closed - Not Converted"
    # means disqualified; HubSpot's marketingqualifiedlead is the MQL stage by its name
    row = section.locator("tr", has=glossary.locator("td", has_text="Closed - Not Converted"))
    assert row.locator("td").all_text_contents() == ["Closed - Not Converted", "disqualified"]
    row = section.locator("tr", has=glossary.locator("td", has_text="marketingqualifiedlead"))
    assert row.locator("td").last.text_content() == "Marketing qualified lead (MQL)"
    row = section.locator("tr", has=glossary.locator("td", has_text="evangelist"))
    assert "nothing agreed" in row.locator("td").last.text_content()


PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_text_from_the_exports_is_escaped_on_every_page(emptied, tmp_path):
    with duckdb.connect(str(emptied)) as con:
        con.execute(
            "update marts.closed_loop_by_breakdown set label = ? where breakdown = 'campaign'",
            [PAYLOAD],
        )
        con.execute("update marts.funnel_by_channel set channel_name = ?", [PAYLOAD])
        con.execute("update marts.source_freshness set source_system = ?", [PAYLOAD])
    pages = render(emptied, tmp_path / "out")
    for slug in ("closed_loop", "funnel_overview", "data_status"):
        assert PAYLOAD not in pages[slug] and "<img src=x" not in pages[slug], slug
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in pages["data_status"]


def test_text_from_the_definitions_file_is_escaped_on_every_page(emptied, tmp_path, monkeypatch):
    definitions = yaml.safe_load(settings.definitions_path().read_text())
    definitions["version"] = PAYLOAD
    path = tmp_path / "lead_definitions.yml"
    path.write_text(yaml.safe_dump(definitions, sort_keys=False))
    monkeypatch.setenv(settings.DEFINITIONS_ENV, str(path))
    with duckdb.connect(str(emptied)) as con:
        con.execute(
            "update definitions.terms set definitions_version = ?, signed_off_by_marketing = ?",
            [PAYLOAD, PAYLOAD],
        )
    pages = render(emptied, tmp_path / "out")
    for slug, html in pages.items():
        assert PAYLOAD not in html and "<img src=x" not in html, slug
    assert "&lt;script&gt;" in pages["glossary"]


# --- a fresh demo reads as current ------------------------------------------------------


def test_demo_exports_end_yesterday_unless_a_start_is_given(tmp_path):
    from ingestion.demo_exports import generate

    today = dt.datetime.now(dt.UTC).date()
    days = lambda out: sorted(p.name for p in (out / "crm").iterdir())  # noqa: E731
    generate(tmp_path / "default", seed=3, contacts=10, days=2, shape="contract")
    yesterday, before = today - dt.timedelta(days=1), today - dt.timedelta(days=2)
    assert days(tmp_path / "default") == [before.isoformat(), yesterday.isoformat()]
    generate(tmp_path / "fixed", seed=3, contacts=10, days=2, start="2026-01-01")
    assert days(tmp_path / "fixed") == ["2026-01-01", "2026-01-02"]
    # a folder that holds a generation keeps its start when none is given
    generate(tmp_path / "fixed", seed=3, contacts=10, days=2)
    assert days(tmp_path / "fixed") == ["2026-01-01", "2026-01-02"]


# --- every headline names its period; the pages' money reconciles ------------------------

DATE_RANGE = r"^\d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2} \(.+\)$"


@pytest.mark.parametrize("page", PAGES)
def test_every_headline_number_names_its_period(visits, page):
    import re

    tiles = visits[page].page.locator("main > .metrics .metric").all()
    for tile in tiles:
        if "text" in (tile.locator(".value").get_attribute("class") or ""):
            continue  # a version or a moment is its own date
        period = tile.locator("[data-period]")
        assert period.count() == 1, tile.inner_text()
        assert re.match(DATE_RANGE, period.text_content().strip()), period.text_content()


def test_the_landing_page_headlines_read_the_running_month_against_the_one_before(visits):
    index = visits["index"].page
    tile = index.locator(".metric", has=index.locator("[data-metric=mql_to_sql_rate]"))
    assert tile.locator("[data-period]").text_content() == (
        "2026-01-01 – 2026-01-14 (Jan 2026, running)"
    )
    # December 2025 holds no data: the trend says so rather than showing a change
    assert tile.locator("[data-trend]").text_content() == "no Dec 2025 figure to compare"
    assert "MQLs of Jan 2026 reached SQL" in tile.locator(".note").text_content()


def test_the_landing_page_reconciles_revenue_between_attribution_and_closed_loop(refreshed, visits):
    root, _ = refreshed
    every_won_deal = scalar(
        root,
        """with o as (select distinct opportunity_id, opportunity_amount, is_won
                      from marts.attribution_touchpoint_credits)
           select coalesce(sum(opportunity_amount) filter (where is_won), 0) from o""",
    )
    every_won_deal = float(every_won_deal)
    from_mqls = float(scalar(root, "select sum(won_amount) from marts.closed_loop_mql_outcomes"))
    index = visits["index"].page
    row = index.locator("tr", has=index.locator("td", has_text="Revenue won")).first
    cells = row.locator("td").all_text_contents()
    shown = [shown_as(c, "amount") for c in cells[1:4]]
    assert shown == [
        float(round(every_won_deal)),
        float(round(from_mqls)),
        float(round(every_won_deal - from_mqls)),
    ]
    # and the two pages' own headlines are the first two columns
    assert cells[1] == visits["attribution"].metrics()["revenue"]
    assert cells[2] == visits["closed_loop"].metrics()["won_revenue"]
    assert cells[4]  # the reason is written out


# Headings that name no number: periods, keys and the vendors' own field names.
PLAIN_HEADINGS = {
    "#", "Day", "Week starting", "Month", "Quarter", "Key", "What", "When", "Who", "Why",
    "Figure", "Rows", "Table", "Result", "Means", "Definition", "Value in the export",
    "System", "Source system", "Loaded", "Example records", "What it asks", "Agreed because",
    "From employees", "HubSpot original source", "Salesforce LeadSource", "GA4 medium",
}  # fmt: skip


def glossary_words(visits) -> set[str]:
    glossary = visits["glossary"].page
    terms = glossary.locator("dt").all_text_contents()
    names = glossary.locator("table tbody tr td:first-child").all_text_contents()
    return {t.strip().lower() for t in terms + names}


def test_every_headline_and_column_heading_is_in_the_glossary(visits):
    import re

    words = glossary_words(visits)
    missing = set()
    for page, visit in visits.items():
        labels = visit.page.locator(".metric .label, th").all_text_contents()
        for label in (text.strip() for text in labels):
            bare = re.sub(r" \((cohort|from MQLs|of [^)]+)\)$", "", label)  # its base
            if label not in PLAIN_HEADINGS and bare.lower() not in words:
                missing.add((page, label))
    assert missing == set()


def test_unlisted_sources_have_an_agreed_name_and_a_glossary_entry(visits):
    for page in ("attribution", "funnel_overview", "closed_loop"):
        assert "Unmapped" not in visits[page].page.inner_text("main"), page
    assert "Unlisted source" in visits["attribution"].page.inner_text("main")
    glossary = visits["glossary"].page
    entry = glossary.locator("dt", has_text="Unlisted source")
    assert entry.count() == 1
    meaning = entry.locator("xpath=following-sibling::dd[1]").text_content()
    assert "no agreed channel lists" in meaning
    for word in ("Win rate", "Pipeline", "Revenue won", "MQL → SQL"):
        assert word.lower() in glossary_words(visits), word


# --- the analyst's path: the README's worked questions, as the README writes them --------


def readme_queries() -> list[str]:
    """The SQL blocks of the README's analyst section, verbatim."""
    import re

    readme = (settings.REPO_ROOT / "README.md").read_text()
    section = readme.split("## Querying the marts (analysts)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, flags=re.S)


def in_the_duckdb_shell(path: Path, sql: str) -> list[dict]:
    """What `make sql` answers: the duckdb shell of the lock, read-only, as JSON."""
    import json
    import subprocess

    shell = settings.REPO_ROOT / ".venv" / "bin" / "duckdb"
    done = subprocess.run(
        [str(shell), "-readonly", "-json", str(path), "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout or "[]")


def test_the_readme_answers_three_questions_from_the_published_file(refreshed):
    root, _ = refreshed
    mqls_by_month, owners, revenue = (
        in_the_duckdb_shell(published(root), sql) for sql in readme_queries()
    )
    # 1: every MQL once, in the month it qualified (the journey's own count)
    assert sum(int(r["mqls"]) for r in mqls_by_month) == scalar(
        root, "select count(*) from marts.funnel_stage_entries where stage_key = 'mql'"
    )
    assert {r["month"][8:10] for r in mqls_by_month} == {"01"}
    # 2: one row per owner, its MQLs as the weekly SLA rows add them up
    weekly = dict(
        duckdb.connect(str(published(root)), read_only=True)
        .execute(
            "select coalesce(owner_name, owner_id || ' (queue)'), sum(mql_count) "
            "from marts.sla_compliance_by_owner where period_grain = 'week' group by 1"
        )
        .fetchall()
    )
    assert {r["owner"]: int(r["mqls"]) for r in owners} == weekly
    # 3: each model shares out the revenue of every won deal, once
    won = scalar(
        root,
        """with o as (select distinct opportunity_id, opportunity_amount, is_won
                      from marts.attribution_touchpoint_credits)
           select coalesce(sum(opportunity_amount) filter (where is_won), 0) from o""",
    )
    for model in ("first_touch", "w_shaped"):
        rows = [r for r in revenue if r["attribution_model"] == model]
        assert abs(sum(float(r["revenue"]) for r in rows) - float(won)) <= 0.5 * len(rows), model


def test_the_demo_summary_points_analysts_at_the_published_file():
    import inspect

    from orchestration import launcher

    source = inspect.getsource(launcher.demo)
    query_line = next(line for line in source.splitlines() if "Query it" in line)
    assert "make sql" in query_line and "{published}" in query_line
    makefile = (settings.REPO_ROOT / "Makefile").read_text()
    assert "published_warehouse_path()" in makefile.split("\nsql:", 1)[1].split("\n\n", 1)[0]


# --- filters: date range, channel, campaign, owner, segment, offline ---------------------

FILTERS_BY_PAGE = {  # which filters apply where: the dimensions each page's rows carry
    "funnel_overview": {"from", "to", "channel", "campaign", "segment"},
    "sla": {"from", "to", "owner"},
    "closed_loop": {"from", "to", "channel", "campaign", "segment", "owner"},
    "attribution": {"from", "to", "channel", "campaign"},
}


def filter_names(visit) -> set[str]:
    return set(
        visit.page.evaluate("""() => Array.from(document.querySelectorAll(
            'form.filters input, form.filters select')).map(e => e.name)""")
    )


@pytest.mark.parametrize("page", PAGES)
def test_filters_are_on_every_page_where_they_apply_and_in_the_screenshot(visits, page):
    visit = visits[page]
    assert filter_names(visit) == FILTERS_BY_PAGE.get(page, set())
    if page in FILTERS_BY_PAGE:  # above the fold of the 1440x900 screenshot
        box = visit.page.locator("form.filters").bounding_box()
        assert box and box["y"] + box["height"] < 900, box
        assert visit.page.locator("form.filters").is_visible()


@pytest.fixture
def fresh(refreshed, browser):
    """Open a page of its own (the shared visits stay unfiltered)."""
    root, _ = refreshed
    opened = []

    def open_page(page: str) -> Visit:
        visit = Visit(browser, dashboards_dir(root) / f"{page}.html")
        opened.append(visit)
        return visit

    yield open_page
    for visit in opened:
        assert visit.errors == [] and visit.remote == []
        visit.page.close()


def choose(visit, **chosen) -> None:
    for name, value in chosen.items():
        if name in ("from", "to"):
            visit.page.fill(f"form.filters input[name={name}]", value)
            visit.page.dispatch_event(f"form.filters input[name={name}]", "change")
        else:
            visit.page.select_option(f"form.filters select[name={name}]", value)


def table_rows(visit, title: str) -> dict[str, list[str]]:
    card = visit.page.locator("figure.card", has=visit.page.locator("h3", has_text=title)).first
    rows = card.locator("tbody tr").all()
    return {r.locator("td").first.text_content(): r.locator("td").all_text_contents() for r in rows}


def test_the_week_of_a_day_starts_on_monday_in_the_filter_script(fresh):
    visit = fresh("sla")
    week = "d => window.sharedFunnelFilters.periodOf(d, 'week')"
    # by hand: 2026-01-04 is a Sunday, 2026-01-05 a Monday, 2025-12-31 a Wednesday
    assert visit.page.evaluate(f"({week})('2026-01-04')") == "2025-12-29"
    assert visit.page.evaluate(f"({week})('2026-01-05')") == "2026-01-05"
    assert visit.page.evaluate(f"({week})('2025-12-31')") == "2025-12-29"
    quarter = "d => window.sharedFunnelFilters.periodOf(d, 'quarter')"
    assert visit.page.evaluate(f"({quarter})('2026-08-31')") == "2026-07-01"


def test_a_date_range_of_one_week_reads_the_weekly_sla_row(refreshed, fresh):
    """Monday 5 to Sunday 11 January 2026 is one whole week: the day rows the page re-sums
    must give the mart's own weekly row, rates as sums of met over sums of measured."""
    root, _ = refreshed
    visit = fresh("sla")
    choose(visit, **{"from": "2026-01-05", "to": "2026-01-11"})
    shown = visit.metrics()
    week = "from marts.sla_compliance_by_owner where period_grain = 'week' " \
        "and period_start = date '2026-01-05'"  # fmt: skip
    assert shown_as(shown["mqls"], "count") == scalar(root, f"select sum(mql_count) {week}")
    met = scalar(
        root, f"select sum(first_touch_met_count) / sum(first_touch_measured_count) {week}"
    )
    assert shown_as(shown["first_touch_met_rate"], "rate") == expected_as_shown(met, "rate")
    period = visit.page.locator(".metric", has=visit.page.locator("[data-metric=mqls]"))
    assert period.locator("[data-period]").text_content().startswith("2026-01-05 – 2026-01-11")
    # the chart's points are the weeks of the range only
    xs = visit.page.evaluate("""() => document.querySelector(
        '.grain-view[data-grain=week] .chart[data-view] .js-plotly-plot').data[0].x""")
    assert list(xs) == ["2026-01-05"]


def test_an_owner_filter_recomputes_the_sla_and_the_closed_loop(refreshed, fresh):
    root, _ = refreshed
    with duckdb.connect(str(published(root)), read_only=True) as con:
        owner_id, owner = con.execute("""
            select owner_id, owner_name from marts.sla_compliance_by_owner
            where owner_name is not null and period_grain = 'month'
            group by all order by sum(mql_count) desc, owner_name limit 1""").fetchone()
    sla = fresh("sla")
    choose(sla, owner=owner)
    month = f"from marts.sla_compliance_by_owner where period_grain = 'month' " \
        f"and owner_id = '{owner_id}'"  # fmt: skip
    for kind in ("follow_up", "response"):
        rate = scalar(root, f"select sum({kind}_met_count) / sum({kind}_measured_count) {month}")
        shown = shown_as(sla.metrics()[f"{kind}_met_rate"], "rate")
        assert shown == expected_as_shown(rate, "rate"), kind
    assert list(table_rows(sla, "Per owner, all periods")) == [owner]
    loop = fresh("closed_loop")
    choose(loop, owner=owner)
    mqls = f"from marts.closed_loop_mql_outcomes where owner_id = '{owner_id}'"
    assert shown_as(loop.metrics()["mqls"], "count") == scalar(root, f"select count(*) {mqls}")
    assert shown_as(loop.metrics()["open_pipeline"], "amount") == expected_as_shown(
        scalar(root, f"select coalesce(sum(amount), 0) {mqls} and outcome = 'open'"), "amount"
    )
    # the acceptance chart has no owner in its rows: it fades and the page says so
    assert "unfiltered" in loop.page.locator(
        "figure.card", has_text="Loss reasons"
    ).first.get_attribute("class")
    assert "Owner: " + owner in loop.page.locator("form.filters output").text_content()


def test_a_channel_filter_recomputes_the_funnel_from_the_persons(refreshed, fresh):
    root, _ = refreshed
    with duckdb.connect(str(published(root)), read_only=True) as con:
        key, name = con.execute("""
            select e.channel_key, c.channel_name from marts.funnel_stage_entries as e
            join definitions.channels as c using (channel_key)
            where e.stage_key = 'mql' group by all order by count(*) desc, 1 limit 1""").fetchone()
    visit = fresh("funnel_overview")
    choose(visit, channel=name)
    persons = f"from marts.funnel_stage_entries where channel_key = '{key}'"
    for stage, stage_key in (("leads", "lead"), ("mqls", "mql"), ("sqls", "sql")):
        expected = scalar(root, f"select count(*) {persons} and stage_key = '{stage_key}'")
        assert shown_as(visit.metrics()[stage], "count") == expected, stage
    # the funnel chart draws the chosen channel's stages, the table keeps one row
    funnel = visit.page.evaluate("""() => document.querySelector(
        '.chart[data-view] .js-plotly-plot').data[0].x""")
    assert funnel[:2] == [shown_as(visit.metrics()[s], "count") for s in ("leads", "mqls")]
    assert list(table_rows(visit, "Each channel's persons through the funnel")) == [name]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # what a filtered page looks like
    visit.page.screenshot(path=str(ARTIFACTS / "funnel_overview-filtered.png"), full_page=True)
    # clearing gives back the page as rendered
    visit.page.click("form.filters button[type=reset]")
    visit.page.wait_for_function("document.body.dataset.filtered === 'false'")
    assert shown_as(visit.metrics()["leads"], "count") == scalar(
        root, "select count(*) from marts.funnel_stage_entries where stage_key = 'lead'"
    )


def test_a_channel_filter_on_attribution_keeps_each_models_credit(refreshed, fresh):
    root, _ = refreshed
    with duckdb.connect(str(published(root)), read_only=True) as con:
        key, revenue_by_model = con.execute("""
            select channel_key, map(list(attribution_model), list(pipeline)) from (
                select channel_key, attribution_model, sum(attributed_pipeline) as pipeline
                from marts.attribution_by_channel group by all)
            group by channel_key order by sum(pipeline) desc, channel_key limit 1""").fetchone()
        name = con.execute(
            """select coalesce(c.channel_name, o.channel_name) from (select ? as channel_key) k
               left join definitions.channels c using (channel_key)
               left join marts.channels_outside_the_list o using (channel_key)""",
            [key],
        ).fetchone()[0]
    visit = fresh("attribution")
    choose(visit, channel=name)
    traces = visit.page.evaluate("""() => document.querySelector(
        '.chart[data-view] .js-plotly-plot').data.map(t => [t.name, t.x, t.y])""")
    from dashboards.charts import MODELS

    labels = {label: model for model, (label, _) in MODELS.items()}
    for label, xs, ys in traces:
        assert xs == [name]
        assert ys[0] == pytest.approx(float(revenue_by_model.get(labels[label], 0)), abs=0.01)
    # the headlines are the same under every model: they keep the totals and say why
    tile = visit.page.locator(".metric", has=visit.page.locator("[data-metric=pipeline]"))
    assert "unfiltered" in tile.get_attribute("class")
    assert "attribution model" in tile.get_attribute("title")


def test_the_page_data_cannot_close_its_script_element():
    import pandas as pd

    from dashboards import filters

    text = str(filters.payload({"rows": pd.DataFrame({"channel": [PAYLOAD, "</script>"]})}))
    assert "</script>" not in text and "<img" not in text
    import json

    assert json.loads(text)["datasets"]["rows"]["rows"] == [[PAYLOAD], ["</script>"]]


# --- how the pages read: years on weekly axes, spikes, zero rows, rate bases, legends ----


def test_weekly_axes_name_the_year(visits):
    """The first tick of a weekly axis names its year, and so does every tick where the year
    changes (Plotly writes the year under the day when it differs from the tick before)."""
    import re

    visit = visits["funnel_overview"]  # the week grain is shown first
    axes = visit.page.evaluate("""() => Array.from(document.querySelectorAll(
        '.grain-view[data-grain=week] .js-plotly-plot')).map(g => Array.from(
        g.querySelectorAll('.xtick text')).map(t => t.textContent))""")
    assert axes
    for ticks in axes:
        assert ticks and re.search(r"\d{4}$", ticks[0]), ticks
        # the test exports start on Thursday 1 January 2026: its week starts in 2025
        assert ticks[0] == "Dec 292025" and ticks[1] == "Jan 052026", ticks


def test_a_spike_stops_the_axis_and_is_marked_off_the_scale():
    import pandas as pd
    import plotly.graph_objects as go

    from dashboards import charts

    weeks = pd.Series(pd.date_range("2026-01-05", periods=8, freq="7D"))
    hours = pd.Series([2.0, 3.0, 2.0, 3.0, 2.0, 3.0, 2.0, 40.0])
    owners = pd.Series(["Ann"] * 8)
    figure = go.Figure(go.Scatter(x=weeks, y=hours))
    cut = charts.without_spikes(figure, weeks, hours, owners, reference=4.0)
    # by hand: the 90th percentile of the eight values is 3 + 0.3 x (40 - 3) = 14.1, so the
    # axis stops at 1.5 x 14.1 = 21.15 (x 1.1 headroom); only the 40 is above it
    assert figure.layout.yaxis.range == pytest.approx((0, 21.15 * 1.1))
    assert cut == ["Ann 2026-02-23: 40.0"]
    assert list(figure.data[1].customdata[0]) == ["Ann", 40.0]
    calm = go.Figure()
    assert charts.without_spikes(calm, weeks, hours.clip(upper=3), owners, 4.0) == []


def test_a_heatmap_leaves_out_rows_that_are_all_zero():
    import pandas as pd

    from dashboards import charts

    frame = pd.DataFrame(
        {
            "campaign": ["A", "A", "B", "B", "C", "C"],
            "column": ["first_touch", "linear"] * 3,
            "revenue": [100.0, 50.0, 0.0, 0.0, 0.0, 10.0],
        }
    )
    figure, hidden = charts.heatmap(
        frame, "campaign", {"first_touch": "First touch", "linear": "Linear"}, "revenue", "USD"
    )
    assert hidden == ["B"]
    assert list(figure.data[0].y) == ["A", "C"]
    assert figure.data[0].z.tolist() == [[100.0, 50.0], [0.0, 10.0]]


def test_the_attribution_page_says_which_campaigns_it_leaves_out(emptied, tmp_path):
    """Two campaigns, only one of which won anything: the revenue heatmap keeps one row and
    names the other."""
    with duckdb.connect(str(emptied)) as con:
        (kept,) = con.execute("""
            select channel_key from marts.attribution_by_channel
            group by channel_key order by sum(attributed_pipeline) desc, channel_key
            limit 1""").fetchone()
        con.execute(
            """update marts.attribution_by_channel set
                   campaign = case when channel_key = $1 then 'Spring launch'
                                   else 'Quiet webinar' end,
                   attributed_revenue = case when channel_key = $1 then attributed_pipeline
                                             else 0 end""",
            [kept],
        )
    pages = render(emptied, tmp_path / "out")
    assert (
        "1 of the 2 campaigns have no revenue under any model and are not shown: "
        "Quiet webinar." in pages["attribution"]
    )


def test_every_rate_column_of_the_funnel_names_its_base(visits):
    page = visits["funnel_overview"].page
    headings = page.evaluate("""() => Array.from(document.querySelectorAll('table')).flatMap(t => {
        const heads = Array.from(t.querySelectorAll('thead th')).map(th => th.textContent);
        const row = t.querySelector('tbody tr');
        const cells = row ? Array.from(row.querySelectorAll('td')).map(td => td.textContent) : [];
        return heads.filter((h, i) => (cells[i] || '').endsWith('%'));
    })""")
    assert headings and all("(of " in h for h in headings), headings


def test_no_legend_overlaps_its_plot(visits):
    """A legend sits above the plot area (and its 100% line), never over it."""
    for name in ("funnel_overview", "sla", "closed_loop", "attribution"):
        boxes = visits[name].page.evaluate("""() => Array.from(document.querySelectorAll(
            '.js-plotly-plot')).filter(g => g.offsetParent !== null).map(g => {
              const legend = g.querySelector('.legend'), plot = g.querySelector('.nsewdrag');
              return legend && plot ? [legend.getBoundingClientRect().bottom,
                                       plot.getBoundingClientRect().top] : null;
            }).filter(b => b)""")
        assert all(bottom <= top for bottom, top in boxes), (name, boxes)


def test_money_names_the_currency_of_the_definitions(refreshed, visits):
    """The definitions file says the amounts are in US dollars (currency: USD); every page
    with money says so, none says 'CRM currency'."""
    root, _ = refreshed
    assert scalar(root, "select currency_code from definitions.terms") == "USD"
    for page in ("index", "closed_loop", "attribution"):
        text = visits[page].page.inner_text("main")
        assert "CRM currency" not in text, page
        assert "US dollars (USD)" in text, page
    tile = visits["closed_loop"].page.locator(".metric", has_text="Revenue won")
    assert tile.locator(".note").text_content() == "US dollars (USD)"
