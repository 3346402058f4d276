"""Data status: last refresh, source freshness, quality rule and dbt test results, the
exceptions to the agreed definitions, and the published tables.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from dashboards import formatting
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
from dashboards.pages.glossary import TOLERANCE_MEANING


def has_exceptions_table(marts: PublishedMarts) -> bool:
    """Copies published before the gate listed its exceptions have no `quality` schema."""
    return bool(
        marts.row("""
        select count(*) as n from duckdb_tables()
        where schema_name = 'quality'
            and table_name in ('rule_exceptions', 'rule_exception_summary')""").get("n")
        == 2
    )


def exception_summary(marts: PublishedMarts, examples: int = 3) -> pd.DataFrame:
    """One row per definition rule of the published run: rows judged, exceptions, the
    tolerance, the verdict, and the first few failing records by their source ids."""
    from quality.exceptions import record_label

    summary = marts.frame("""
        select rule_name, model, rows_checked, exceptions, tolerance, allowed_exceptions,
               status, checked_at
        from quality.rule_exception_summary order by exceptions desc, rule_name""")
    listed = marts.frame(
        """
        select * from quality.rule_exceptions
        qualify row_number() over (partition by model, rule_name order by position) <= ?
        order by model, rule_name, position""",
        [examples],
    )
    labels = {
        key: " | ".join(record_label(row) for row in frame.to_dict("records"))
        for key, frame in listed.groupby(["model", "rule_name"])
    }
    return summary.assign(
        examples=[
            labels.get((m, r), "")
            for m, r in zip(summary["model"], summary["rule_name"], strict=True)
        ]
    )


def exception_records(marts: PublishedMarts, limit: int = 50) -> tuple[pd.DataFrame, int]:
    """The first exceptions of every rule (rule by rule, in the order found) and how many
    there are in all."""
    total = marts.row("select count(*) as n from quality.rule_exceptions").get("n") or 0
    frame = marts.frame(
        """
        select rule_name, record_kind, record_id, person_id, hubspot_contact_ids,
               salesforce_lead_ids, salesforce_contact_ids, salesforce_opportunity_id, email,
               problem, detail
        from quality.rule_exceptions
        order by rule_name, position limit ?""",
        [limit],
    )
    return frame, total


def published(marts: PublishedMarts, schema: str, table: str) -> bool:
    """Copies published by an earlier version may lack a table the page reads."""
    return not marts.frame(
        "select 1 from duckdb_tables() where schema_name = ? and table_name = ?", [schema, table]
    ).empty


def source_freshness(marts: PublishedMarts) -> pd.DataFrame:
    """Each export system's freshness, as dbt judged it when the marts were built."""
    if not published(marts, "marts", "source_freshness"):
        return pd.DataFrame()
    return marts.frame("select * from marts.source_freshness order by system_order")


def _checked_at(freshness: pd.DataFrame) -> str:
    if freshness.empty:
        return ""
    return f" ({formatting.moment(freshness['checked_at'].max())})"


def _duration(hours) -> str:
    if formatting.is_missing(hours):
        return formatting.MISSING
    days = float(hours) / 24
    if days.is_integer():
        return f"{int(days)} day{'s' if days != 1 else ''}"
    return formatting.hours(hours)


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts, run = inputs.marts, inputs.run
    page = Page(
        spec.slug,
        spec.title,
        "When were these numbers last refreshed, how fresh is each source, and what "
        "did the quality checks say?",
        summary=("published_at", "rules_passed"),
    )
    rules = [c for c in run.checks if c.kind == "quality rule"]
    tests = [c for c in run.checks if c.kind != "quality rule"]
    freshness = source_freshness(marts)
    fresh = int((freshness["freshness_status"] == "fresh").sum()) if not freshness.empty else 0
    exceptions = exception_summary(marts) if has_exceptions_table(marts) else None
    page.metrics = [
        Metric(
            "published_at",
            "Last refresh",
            formatting.moment(marts.published_at()),
            "text",
            note="when the gate last passed and the marts were published",
        ),
        Metric("fresh_sources", "Sources fresh", fresh, note=f"of {len(freshness)}"),
        Metric(
            "rules_passed",
            "Quality rules passed",
            sum(1 for c in rules if c.passed),
            note=f"of {len(rules)} blocking rules",
        ),
        Metric(
            "tests_passed",
            "dbt tests passed",
            sum(1 for c in tests if c.passed),
            note=f"of {len(tests)}",
        ),
        Metric(
            "definition_exceptions",
            "Exceptions to the definitions",
            None if exceptions is None else int(exceptions["exceptions"].sum()),
            note="records published within their rule's tolerance",
        ),
    ]
    page.body = [
        section(
            "Sources",
            "Each system is expected to drop its exports daily. A source is fresh when its "
            "newest drop arrived (was loaded) within the window its dbt source declares "
            "(warn_after in transform/models/staging/<system>/): the same arrival, against "
            "the same window, as Dagster's freshness of landing/<system>. Stale: past "
            "warn_after; overdue: past error_after. How recent the data inside is, is shown "
            "beside it, not judged. Judged when the marts were built"
            f"{_checked_at(freshness)}.",
            table(
                freshness.assign(
                    stale_after=freshness["warn_after_hours"].map(_duration),
                )
                if not freshness.empty
                else freshness,
                [
                    Column("source_system", "Source system"),
                    Column("newest_drop_on", "Newest drop", "day"),
                    Column("newest_drop_loaded_at", "Loaded", "moment"),
                    Column("stale_after", "Stale after"),
                    Column("newest_record_at", "Newest record loaded", "moment"),
                    Column("freshness_status", "Freshness", "badge"),
                    Column("consent_pings", "Consent pings", "count"),
                ],
                "Freshness",
                "Newest drop: the day folder of the newest rows loaded. Newest record: the "
                "latest vendor modified time loaded (GA4: the latest event). Consent pings: "
                "GA4 hits sent without consent (no browser id), counted but in no identity or "
                "session.",
                "These marts were published before freshness was published with them: the "
                "next successful run publishes it.",
            ),
        ),
        section(
            "Unknown source values",
            "Values a system uses that the agreed vocabularies of the definitions file "
            "do not list (a Lead Status, stage, lifecycle stage, e-mail event type or "
            "form no one has said the meaning of). They mean nothing to the numbers "
            "until a line in the definitions file says what they mean; they never stop "
            "a run.",
            table(
                _unknown_values(marts),
                [
                    Column("vocabulary", "Vocabulary"),
                    Column("found_in", "Found in"),
                    Column("unknown_values", "Unknown values", "count"),
                    Column("rows", "Rows", "count"),
                    Column("examples", "Examples"),
                ],
                "Unknown values per vocabulary",
                "",
                "Every value of every source is in the agreed vocabularies.",
            ),
        ),
        section(
            "Quality checks of the run",
            "Blocking rules stop the publish step when they fail: these pages only "
            "refresh after all of them passed.",
            _checks_table(rules, "Blocking quality rules"),
            _tests_summary(tests),
        ),
        _exceptions_section(marts, exceptions),
        section(
            "Published tables",
            "",
            table(
                _published_tables(marts),
                [Column("table", "Table"), Column("rows", "Rows", "count")],
                "Rows per published table",
                "",
                "Nothing is published yet.",
            ),
        ),
    ]
    return page


def _exceptions_section(marts: PublishedMarts, summary: pd.DataFrame | None) -> Markup:
    title = "Exceptions to the agreed definitions"
    intro = (
        f"{TOLERANCE_MEANING} Each rule's tolerance is in the definitions file "
        "(quality_tolerances; see the glossary). Every exception, with its source ids, is "
        "in the published table quality.rule_exceptions."
    )
    if summary is None:
        return section(
            title,
            intro,
            empty(
                "Exceptions per rule",
                "These marts were published before the gate listed its "
                "exceptions: the next successful run publishes them.",
            ),
        )
    records, total = exception_records(marts)
    more = f" The first {len(records):,} of {total:,} are shown." if total > len(records) else ""
    return section(
        title,
        intro,
        table(
            summary.assign(rule=summary["rule_name"].str.replace("_", " ")),
            [
                Column("rule", "Rule"),
                Column("model", "Model"),
                Column("rows_checked", "Rows judged", "count"),
                Column("exceptions", "Exceptions", "count"),
                Column("tolerance", "Tolerance"),
                Column("allowed_exceptions", "Allowed", "count"),
                Column("status", "Result", "badge"),
                Column("examples", "Example records"),
            ],
            "Exceptions per rule",
            "Example records: the first few, by their HubSpot and Salesforce ids and e-mail.",
            "No definition rule was checked in this run.",
        ),
        table(
            records.assign(rule=records["rule_name"].str.replace("_", " ")),
            [
                Column("rule", "Rule"),
                Column("record_id", "Record"),
                Column("hubspot_contact_ids", "HubSpot contact"),
                Column("salesforce_lead_ids", "Salesforce Lead"),
                Column("salesforce_contact_ids", "Salesforce Contact"),
                Column("salesforce_opportunity_id", "Salesforce Opportunity"),
                Column("email", "E-mail"),
                Column("problem", "What is wrong"),
                Column("detail", "Values"),
            ],
            "The exceptions",
            "Record: the record the rule judged (a HubSpot contact id, a "
            "Salesforce Opportunity Id, or the person_id of the shared funnel)." + more,
            "No record breaks an agreed definition: nothing to list.",
        ),
    )


def _checks_table(checks: list, title: str) -> Markup:
    return table(
        pd.DataFrame(
            [
                {
                    "asset": c.asset,
                    "name": c.name.replace("_", " "),
                    "status": c.status,
                    "rows_checked": c.rows_checked,
                    "failing_rows": c.failing_rows,
                    "evaluated_at": c.evaluated_at,
                }
                for c in checks
            ]
        ),
        [
            Column("name", "Rule"),
            Column("asset", "Model"),
            Column("status", "Result", "badge"),
            Column("rows_checked", "Rows checked", "count"),
            Column("failing_rows", "Failing rows", "count"),
            Column("evaluated_at", "Evaluated", "moment"),
        ],
        title,
        "",
        "No check result is recorded for this run (the page was rendered outside a Dagster run).",
    )


def _tests_summary(tests: list) -> Markup:
    if not tests:
        return empty("dbt tests", "No dbt test result is recorded for this run.")
    counts = pd.Series([c.status for c in tests]).value_counts()
    summary = ", ".join(f"{n:,} {status}" for status, n in counts.items())
    not_passed = [c for c in tests if not c.passed]
    return (
        _checks_table(not_passed, f"dbt tests: {summary}")
        if not_passed
        else empty("dbt tests", f"All {len(tests):,} dbt tests passed.")
    )


def _unknown_values(marts: PublishedMarts) -> pd.DataFrame:
    if not published(marts, "intermediate", "int_vocabulary_unknown_values"):
        return pd.DataFrame()
    return marts.frame("""
        select vocabulary, found_in, count(*) as unknown_values, sum(row_count) as rows,
               string_agg(source_value, ', ' order by row_count desc, source_value)
                   filter (where rank <= 3) as examples
        from (select *, row_number() over (partition by vocabulary, found_in
                                           order by row_count desc, source_value) as rank
              from intermediate.int_vocabulary_unknown_values)
        group by vocabulary, found_in
        order by rows desc, vocabulary, found_in""")


def _published_tables(marts: PublishedMarts) -> pd.DataFrame:
    tables = marts.frame(
        "select schema_name || '.' || table_name as name from duckdb_tables() order by 1"
    )["name"].tolist()
    if not tables:
        return pd.DataFrame()
    return marts.frame(
        " union all ".join(f"select '{t}' as table, count(*) as rows from {t}" for t in tables)
    )
