"""The demo export generator: determinism, the contract's shapes, --next-day, refusals,
the behaviour later KPIs depend on (on the contract shape, whose custom fields carry the
simulated moments), and the vendor shape's files as the vendors document them."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest

from ingestion.demo_exports import (
    MANIFEST_NAME,
    TAIL_DAYS,
    DemoExportsError,
    generate,
    generate_next_day,
)
from ingestion.demo_exports.__main__ import DEFAULTS, main
from ingestion.exports import SYSTEMS
from transform.definitions import load_definitions

SMALL = {"seed": 7, "contacts": 160, "days": 20, "start": "2026-01-01", "shape": "contract"}
PERSONAL_DOMAINS = (
    "gmail.com",
    "yahoo.com",
    "outlook.com",
    "hotmail.com",
    "icloud.com",
    "aol.com",
    "gmx.de",
    "proton.me",
)


def _files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def _day_files(root: Path, day: str) -> dict[str, bytes]:
    return {k: v for k, v in _files(root).items() if f"/{day}/" in k}


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("small")
    generate(out, **SMALL)
    return out


@pytest.fixture(scope="module")
def larger(tmp_path_factory) -> tuple[Path, object]:
    """Enough days for deals to close and enough people for rare events to occur."""
    out = tmp_path_factory.mktemp("larger")
    summary = generate(out, seed=11, contacts=2000, days=90, start="2026-01-01", shape="contract")
    return out, summary


@pytest.fixture(scope="module")
def sql(larger) -> duckdb.DuckDBPyConnection:
    out, _ = larger
    con = duckdb.connect()
    for system, table, name in (
        ("marketing_automation", "contacts", "hs_contacts"),
        ("marketing_automation", "form_submissions", "hs_forms"),
        ("crm", "Lead", "sf_leads"),
        ("crm", "Task", "sf_tasks"),
        ("crm", "Opportunity", "sf_opportunities"),
    ):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv("
            f"'{out}/{system}/*/{table.split('.')[0]}.csv', all_varchar=true, "
            f"union_by_name=true, filename=true)"
        )
    con.execute(
        f"CREATE TABLE ga_events AS SELECT * FROM read_json("
        f"'{out}/web_analytics/*/events_*.json', filename=true)"
    )
    return con


def test_same_arguments_write_identical_bytes_and_another_seed_differs(small, tmp_path):
    again = tmp_path / "again"
    generate(again, **SMALL)
    assert _files(again) == _files(small)
    other = tmp_path / "other"
    generate(other, **{**SMALL, "seed": 8})
    assert _files(other) != _files(small)


def test_every_day_folder_has_every_file_with_exactly_the_contract_columns(small):
    days = [dt.date(2026, 1, 1) + dt.timedelta(d) for d in range(SMALL["days"])]
    for system in SYSTEMS:
        assert sorted(p.name for p in (small / system.name).iterdir()) == [
            d.isoformat() for d in days
        ]
        for day in days:
            folder = small / system.name / day.isoformat()
            for spec in system.tables:
                if spec.optional_file:  # the demo org doesn't export LeadHistory
                    assert not (folder / spec.file_name).exists()
                    continue
                if system.file_format == "csv":
                    with open(folder / spec.file_name, newline="") as f:
                        assert next(csv.reader(f)) == list(spec.column_names), (
                            folder / spec.file_name
                        )
                else:
                    path = folder / spec.file_name.replace("*", f"{day:%Y%m%d}")
                    for line in path.read_text().splitlines():
                        event = json.loads(line)
                        assert set(spec.required_columns) <= set(event), path
                        assert isinstance(event["event_timestamp"], str)  # INT64 as string


def test_next_day_writes_one_day_equal_to_a_fresh_generation_of_the_same_world(small, tmp_path):
    grown = tmp_path / "grown"
    generate(grown, **SMALL)
    before = _files(grown)
    summary = generate_next_day(grown)
    new_day = "2026-01-21"
    assert summary.days_written == [new_day]
    added = {k for k in _files(grown) if k not in before}
    assert {k.split("/")[1] for k in added} == {new_day}
    assert {k.split("/")[0] for k in added} == {s.name for s in SYSTEMS}
    assert json.loads((grown / MANIFEST_NAME).read_text())["last_day"] == new_day
    # The same world exported for one more day: same arrival rate (contacts / days).
    fresh = tmp_path / "fresh"
    generate(fresh, **{**SMALL, "contacts": 168, "days": 21})
    assert _day_files(grown, new_day) == _day_files(fresh, new_day)
    assert _day_files(grown, "2026-01-20") == _day_files(fresh, "2026-01-20")


def test_refuses_next_day_without_a_manifest(tmp_path):
    with pytest.raises(DemoExportsError, match="no _demo_exports.json"):
        generate_next_day(tmp_path)
    assert main(["--out", str(tmp_path), "--next-day"]) == 2


def test_refuses_to_mix_generations_or_foreign_exports(small, tmp_path):
    with pytest.raises(DemoExportsError, match="another demo generation"):
        generate(small, **{**SMALL, "seed": 99})
    with pytest.raises(DemoExportsError, match="another demo generation"):
        generate(small, **{**SMALL, "shape": "vendor"})
    with pytest.raises(DemoExportsError, match="does not match"):
        generate_next_day(small, seed=99)
    foreign = tmp_path / "real"
    (foreign / "crm" / "2026-01-01").mkdir(parents=True)
    (foreign / "crm" / "2026-01-01" / "Lead.csv").write_text("Id\n")
    with pytest.raises(DemoExportsError, match="not written by this generator"):
        generate(foreign, **SMALL)


def test_refuses_when_the_simulated_tail_is_exhausted(tmp_path):
    generate(tmp_path, seed=3, contacts=10, days=2, start="2026-01-01")
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text())
    manifest["last_day"] = (dt.date(2026, 1, 1) + dt.timedelta(2 + TAIL_DAYS - 1)).isoformat()
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest))
    with pytest.raises(DemoExportsError, match="tail is exhausted"):
        generate_next_day(tmp_path)


def test_cli_prints_a_summary(tmp_path, capsys):
    assert main(["--out", str(tmp_path), "--contacts", "30", "--days", "3", "--quiet"]) == 0
    assert "wrote 3 day(s)" in capsys.readouterr().out


def test_some_mqls_are_rejected_back_to_nurture_with_a_reason(sql):
    reasons = sql.execute("""
        SELECT DISTINCT Rejection_Reason__c FROM sf_leads
        WHERE Status = 'Rejected - Nurture' AND MQL_Date__c IS NOT NULL""").fetchall()
    assert len(reasons) >= 3
    assert all(reason is not None for (reason,) in reasons)


def test_some_mqls_are_first_touched_late_and_most_quickly(sql):
    lags = sql.execute("""
        WITH lead AS (SELECT Id, min(MQL_Date__c::TIMESTAMP) AS mql_at FROM sf_leads
                      WHERE MQL_Date__c IS NOT NULL GROUP BY Id),
             touch AS (SELECT WhoId, min(CompletedDateTime::TIMESTAMP) AS first_touch_at
                       FROM sf_tasks GROUP BY WhoId)
        SELECT date_diff('hour', mql_at, first_touch_at) FROM lead JOIN touch ON WhoId = Id
        """).fetchall()
    hours = sorted(h for (h,) in lags)
    assert hours[len(hours) // 2] < 24
    assert sum(h > 72 for h in hours) >= 3


def test_some_won_opportunities_have_amounts(sql):
    won = sql.execute("""SELECT Amount::INT FROM sf_opportunities
                         WHERE StageName = 'Closed Won'""").fetchall()
    assert len(won) >= 3
    assert all(amount > 0 for (amount,) in won)
    lost = sql.execute("""SELECT count(*) FROM sf_opportunities WHERE StageName = 'Closed Lost'
                          AND Loss_Reason__c IS NOT NULL""").fetchone()[0]
    assert lost >= 3


def test_the_same_person_has_differently_cased_emails_across_systems(sql):
    pairs = sql.execute("""
        SELECT count(*) FROM sf_leads l JOIN hs_contacts c
          ON lower(trim(l.Email)) = c.email
        WHERE l.Email <> c.email""").fetchone()[0]
    assert pairs >= 10


def test_mql_rule_holds_for_every_mql_but_injected_violations(sql, larger):
    _, summary = larger
    rows = sql.execute("""
        WITH latest AS (SELECT * FROM hs_contacts QUALIFY row_number() OVER (
                          PARTITION BY hs_object_id ORDER BY lastmodifieddate DESC) = 1),
             high_intent AS (SELECT DISTINCT contact_id FROM hs_forms
                             WHERE form_type IN ('demo_request', 'contact_sales'))
        SELECT split_part(email, '@', 2) AS domain, numemployees::INT AS employees, industry,
               country, hubspotscore::INT AS score, h.contact_id IS NOT NULL AS high_intent
        FROM latest LEFT JOIN high_intent h ON h.contact_id = hs_object_id
        WHERE hs_lifecyclestage_marketingqualifiedlead_date IS NOT NULL""").fetchall()
    assert len(rows) > 50
    assert all(score >= 60 or high_intent for *_, score, high_intent in rows)
    assert all(
        employees >= 50
        and industry in ("Software", "Financial Services", "Healthcare", "Manufacturing", "Retail")
        and country
        in ("United States", "Canada", "United Kingdom", "Germany", "Netherlands", "Australia")
        for _, employees, industry, country, *_ in rows
    )
    personal = sum(domain in PERSONAL_DOMAINS for domain, *_ in rows)
    injected = next(v for k, v in summary.anomalies.items() if k.startswith("mql_rule"))
    assert personal == injected  # none unless MQL_VIOLATION_SHARE asks for them


def test_duplicates_are_merged_in_both_systems(sql):
    merged = sql.execute("""
        SELECT count(*) FROM hs_contacts s JOIN hs_contacts d
          ON d.hs_object_id = s.hs_merged_object_ids""").fetchone()[0]
    assert merged >= 1
    deleted = sql.execute("""
        SELECT count(*) FROM sf_leads d JOIN sf_leads m ON m.Id = d.MasterRecordId
        WHERE d.IsDeleted = 'true'""").fetchone()[0]
    assert deleted >= 1


def test_records_are_re_exported_as_they_move_and_rows_repeat_within_a_file(sql):
    moved = sql.execute("""SELECT count(*) FROM (SELECT Id FROM sf_leads GROUP BY Id
                           HAVING count(DISTINCT Status) >= 3)""").fetchone()[0]
    assert moved >= 10
    repeated = sql.execute("""SELECT count(*) FROM (SELECT filename, hs_object_id,
                              lastmodifieddate FROM hs_contacts GROUP BY ALL
                              HAVING count(*) > 1)""").fetchone()[0]
    assert repeated >= 1


def test_sales_sourced_sqls_have_no_mql_date(sql):
    outbound = sql.execute("""SELECT count(DISTINCT Id) FROM sf_leads
                              WHERE Qualified_Date__c IS NOT NULL AND MQL_Date__c IS NULL
                              AND LeadSource IN ('Outbound', 'Cold Call')""").fetchone()[0]
    assert outbound >= 1


def test_form_client_ids_link_anonymous_browsing_to_people(sql):
    linked = sql.execute("""
        SELECT count(DISTINCT f.ga_client_id) FROM hs_forms f
        JOIN ga_events e ON e.user_pseudo_id = f.ga_client_id
        WHERE e.event_timestamp::BIGINT < epoch_us(f.submitted_at::TIMESTAMP)""").fetchone()[0]
    assert linked >= 50
    late = sql.execute("""SELECT count(*) FROM ga_events
                          WHERE NOT filename LIKE '%events_' || event_date || '.json'""")
    assert late.fetchone()[0] >= 1


# --- Consistency of the exported history: nothing appears before it exists -------------

REVIEW = {"seed": 7, "contacts": 500, "days": 30, "start": "2026-01-01", "shape": "contract"}
DAY_OF_FILE = r"regexp_extract(filename, '/(\d{4}-\d{2}-\d{2})/', 1)"
# Every timestamp of one table has one vendor format, so its first 23 characters
# ("2026-03-01T14:22:10.123") compare chronologically as text, and the first 10 are the
# UTC date.
T = "left({}, 23)"


@pytest.fixture(scope="module")
def review(tmp_path_factory) -> Path:
    """The generation the data review ran on (--contacts 500 --days 30, seed 7)."""
    out = tmp_path_factory.mktemp("review")
    generate(out, **REVIEW)
    return out


@pytest.fixture(scope="module", params=["review", "larger"])
def loaded(request) -> duckdb.DuckDBPyConnection:
    """The review generation, then the larger one, loaded into DuckDB (once each)."""
    fixture = request.getfixturevalue(request.param)
    con = _load_exports(fixture if isinstance(fixture, Path) else fixture[0])
    yield con
    con.close()


def _load_exports(out: Path) -> duckdb.DuckDBPyConnection:
    """Every CSV table as <system>__<table> (all text, plus `day` = its folder) and the
    GA4 events as ga_events (with `day`, session_id and form_id pulled out)."""
    con = duckdb.connect()
    for system in SYSTEMS:
        for spec in system.tables:
            if spec.optional_file:  # not made by the demo org
                continue
            name = f"{system.name}__{spec.name}"
            if system.file_format == "csv":
                source = (
                    f"read_csv('{out}/{system.name}/*/{spec.file_name}', "
                    "all_varchar=true, union_by_name=true, filename=true)"
                )
            else:
                source = f"read_json('{out}/{system.name}/*/events_*.json', filename=true)"
            con.execute(f"CREATE TABLE {name} AS SELECT *, {DAY_OF_FILE} AS day FROM {source}")
    con.execute("""
        CREATE VIEW ga_events AS SELECT *,
          list_filter(event_params, lambda p: p.key = 'ga_session_id')[1]
            .value.int_value AS session_id,
          list_filter(event_params, lambda p: p.key = 'page_location')[1]
            .value.string_value AS page_location,
          list_filter(event_params, lambda p: p.key = 'form_id')[1]
            .value.string_value AS form_id,
          event_timestamp::BIGINT AS ts
        FROM web_analytics__events""")
    return con


def _history_violations(con: duckdb.DuckDBPyConnection, first_day: str) -> list:
    """Rows of Salesforce and HubSpot tables created after they were modified, or in a
    day folder other than the day of their modified time. Only the first folder, a first
    full export, also carries records last modified before it (users, early campaigns)."""
    found = []
    for system in SYSTEMS:
        if system.file_format != "csv":
            continue
        for spec in system.tables:
            if spec.optional_file:
                continue
            columns = spec.column_names
            created = next(
                (c for c in ("CreatedDate", "createdate") if c in columns), spec.modified_column
            )
            for modified in dict.fromkeys([spec.modified_column, "LastModifiedDate"]):
                if modified not in columns:
                    continue
                c, m = T.format(created), T.format(modified)
                found += con.execute(f"""
                    SELECT '{system.name}/{spec.file_name}', day, {spec.primary_key},
                           {created}, {modified}
                    FROM {system.name}__{spec.name}
                    WHERE {c} > {m} OR left({c}, 10) > day
                       OR (left({m}, 10) <> day
                           AND NOT (day = '{first_day}' AND left({m}, 10) < day))
                    """).fetchall()
    return found


def _late_first_exports(con: duckdb.DuckDBPyConnection, first_day: str) -> list:
    """Records whose first row is not in the folder of the day they were created (or the
    first folder, for records created before it): a record is exported when it is made."""
    found = []
    for system in SYSTEMS:
        for spec in system.tables:
            created = next(
                (c for c in ("CreatedDate", "createdate") if c in spec.column_names), None
            )
            if system.file_format != "csv" or created is None or spec.optional_file:
                continue
            found += con.execute(f"""
                SELECT '{system.name}/{spec.file_name}', {spec.primary_key},
                       min({created}), min(day)
                FROM {system.name}__{spec.name} GROUP BY {spec.primary_key}
                HAVING min(day) <> greatest(left(min({created}), 10), '{first_day}')
                """).fetchall()
    return found


def test_no_record_is_exported_before_it_is_created_or_in_another_days_file(loaded):
    con = loaded
    assert _history_violations(con, "2026-01-01") == []
    assert _late_first_exports(con, "2026-01-01") == []
    # The GA4 exception: 1.5% of events arrive in the next day's file, never earlier.
    late = con.execute("""SELECT count(*) FILTER (WHERE day <> strptime(event_date, '%Y%m%d')
                                                  ::DATE::VARCHAR),
                                 count(*) FILTER (WHERE day NOT IN (
                                   strptime(event_date, '%Y%m%d')::DATE::VARCHAR,
                                   (strptime(event_date, '%Y%m%d')::DATE + 1)::VARCHAR))
                          FROM ga_events""").fetchone()
    assert late[0] >= 1 and late[1] == 0


# (referencing table, column) -> tables whose ids it may point to.
REFERENCES = (
    ("crm__contacts", "AccountId", ("crm__accounts",)),
    ("crm__opportunities", "AccountId", ("crm__accounts",)),
    ("crm__opportunities", "ContactId", ("crm__contacts",)),
    ("crm__opportunities", "CampaignId", ("crm__campaigns",)),
    ("crm__opportunity_history", "OpportunityId", ("crm__opportunities",)),
    ("crm__campaign_members", "CampaignId", ("crm__campaigns",)),
    ("crm__campaign_members", "LeadId", ("crm__leads",)),
    ("crm__campaign_members", "ContactId", ("crm__contacts",)),
    ("crm__tasks", "WhoId", ("crm__leads", "crm__contacts")),
    ("crm__tasks", "WhatId", ("crm__opportunities",)),
    ("crm__events", "WhoId", ("crm__leads", "crm__contacts")),
    ("crm__events", "WhatId", ("crm__opportunities",)),
    ("crm__leads", "ConvertedContactId", ("crm__contacts",)),
    ("crm__leads", "ConvertedAccountId", ("crm__accounts",)),
    ("crm__leads", "ConvertedOpportunityId", ("crm__opportunities",)),
    ("crm__leads", "MasterRecordId", ("crm__leads",)),
    ("crm__leads", "OwnerId", ("crm__users",)),
    ("crm__opportunities", "OwnerId", ("crm__users",)),
    ("marketing_automation__form_submissions", "contact_id", ("marketing_automation__contacts",)),
    ("marketing_automation__email_events", "contact_id", ("marketing_automation__contacts",)),
    ("marketing_automation__email_events", "campaign_id", ("marketing_automation__campaigns",)),
    ("marketing_automation__contacts", "hs_merged_object_ids", ("marketing_automation__contacts",)),
    ("marketing_automation__campaigns", "salesforce_campaign_id", ("crm__campaigns",)),
)
KEY = {
    "marketing_automation__contacts": "hs_object_id",
    "marketing_automation__campaigns": "campaign_id",
}


def _dangling_references(con: duckdb.DuckDBPyConnection) -> list:
    """References to a record not exported on or before the referencing row's day."""
    found = []
    for source, column, targets in REFERENCES:
        first_seen = " UNION ALL ".join(
            f"SELECT {KEY.get(t, 'Id')}::VARCHAR AS id, day FROM {t}" for t in targets
        )
        found += con.execute(f"""
            WITH target AS (SELECT id, min(day) AS first_day FROM ({first_seen}) GROUP BY id)
            SELECT '{source}.{column}', s.day, s.{column}, t.first_day
            FROM {source} s LEFT JOIN target t ON t.id = s.{column}
            WHERE s.{column} IS NOT NULL AND s.{column} <> ''
              AND (t.id IS NULL OR t.first_day > s.day)""").fetchall()
    return found


def test_references_point_to_records_exported_on_or_before_the_same_day(loaded):
    con = loaded
    assert _dangling_references(con) == []
    # An opportunity's primary campaign was created (and exported) before the opportunity.
    later = con.execute(f"""
        SELECT o.Id, o.CreatedDate, c.Id, c.CreatedDate
        FROM crm__opportunities o JOIN crm__campaigns c ON c.Id = o.CampaignId
        WHERE {T.format("c.CreatedDate")} > {T.format("o.CreatedDate")}""").fetchall()
    assert later == []
    with_campaign = con.execute("""SELECT count(DISTINCT Id) FROM crm__opportunities
                                   WHERE CampaignId IS NOT NULL""").fetchone()[0]
    assert with_campaign >= 3


def _session_order_violations(con: duckdb.DuckDBPyConnection) -> dict[str, list]:
    """Per session (user_pseudo_id, ga_session_id): events before session_start, and form
    events without an earlier page_view of the form's page (not on the last day: a late
    page_view of it is in the next day's file, not written yet)."""
    session = "user_pseudo_id, session_id"
    before_start = con.execute(f"""
        WITH s AS (SELECT {session}, min(ts) AS start_ts FROM ga_events
                   WHERE event_name = 'session_start' GROUP BY ALL)
        SELECT e.user_pseudo_id, e.session_id, e.event_name, e.ts - s.start_ts
        FROM ga_events e JOIN s USING ({session})
        WHERE e.event_name <> 'session_start' AND e.ts <= s.start_ts""").fetchall()
    no_page_view = con.execute("""
        SELECT f.user_pseudo_id, f.session_id, f.event_name, f.page_location
        FROM ga_events f
        WHERE f.event_name IN ('form_start', 'form_submit')
          AND f.event_date < (SELECT max(event_date) FROM ga_events) AND NOT EXISTS (
            SELECT 1 FROM ga_events p
            WHERE p.event_name = 'page_view' AND p.user_pseudo_id = f.user_pseudo_id
              AND p.session_id = f.session_id AND p.ts < f.ts
              AND split_part(p.page_location, '?', 1)
                  = split_part(f.page_location, '?', 1))""").fetchall()
    start_after_submit = con.execute(f"""
        SELECT {session} FROM ga_events GROUP BY ALL
        HAVING min(ts) FILTER (WHERE event_name = 'form_start')
             > min(ts) FILTER (WHERE event_name = 'form_submit')""").fetchall()
    return {
        "events before session_start": before_start,
        "form events without an earlier page_view of the form page": no_page_view,
        "form_start after form_submit": start_after_submit,
    }


def test_ga4_sessions_start_with_session_start_and_forms_follow_a_page_view(loaded):
    con = loaded
    assert _session_order_violations(con) == {
        "events before session_start": [],
        "form events without an earlier page_view of the form page": [],
        "form_start after form_submit": [],
    }
    counts = dict(
        con.execute("""SELECT event_name, count(*) FROM ga_events
                                 WHERE event_name IN ('form_start', 'form_submit')
                                 GROUP BY 1""").fetchall()
    )
    assert counts["form_start"] >= 50 and counts["form_submit"] >= 100


def _unmatched_form_events(con: duckdb.DuckDBPyConnection) -> list:
    """GA4 form events whose form_id is not 'hsForm_' + the form_id of the HubSpot
    submission made in that browser at that moment."""
    return con.execute("""
        SELECT e.event_name, e.user_pseudo_id, e.form_id, e.ts
        FROM ga_events e
        WHERE e.event_name IN ('form_start', 'form_submit') AND NOT EXISTS (
            SELECT 1 FROM marketing_automation__form_submissions f
            WHERE 'hsForm_' || f.form_id = e.form_id AND f.ga_client_id = e.user_pseudo_id
              AND (e.event_name = 'form_start' OR epoch_ms(
                    strptime(left(f.submitted_at, 23), '%Y-%m-%dT%H:%M:%S.%g')) = e.ts // 1000))
        """).fetchall()


def test_ga4_form_ids_are_the_hubspot_form_ids(loaded):
    con = loaded
    assert _unmatched_form_events(con) == []
    # Every HubSpot form id seen on the web is 'hsForm_' + it, and every submission's form
    # is seen there (the site embeds each form).
    ids = con.execute("""SELECT count(DISTINCT form_id), count(DISTINCT form_id) FILTER (
                           WHERE 'hsForm_' || form_id IN (SELECT form_id FROM ga_events))
                         FROM marketing_automation__form_submissions""").fetchone()
    assert ids[0] >= 5 and ids[0] == ids[1]


def test_work_due_outside_working_hours_waits_for_the_next_working_morning():
    from ingestion.demo_exports.simulation.clock import DAY, HOUR, MINUTE, Clock

    def at(day: int, hours: int, minutes: int = 0) -> int:
        return day * DAY + hours * HOUR + minutes * MINUTE

    clock = Clock(dt.date(2026, 1, 5))  # a Monday: day 0
    moments = np.array(
        [
            at(0, 10, 15),  # Monday 10:15, working: unchanged
            at(0, 19, 30),  # Monday 19:30 -> Tuesday 08:30
            at(1, 6, 5),  # Tuesday 06:05 -> Tuesday 08:05
            at(4, 18, 20),  # Friday 18:20 -> Monday 08:20
            at(5, 14, 27),  # Saturday 14:27 -> Monday 08:27
            at(6, 9, 0),  # Sunday 09:00 -> Monday 08:00
        ]
    )
    assert clock.business(moments).tolist() == [
        at(0, 10, 15),
        at(1, 8, 30),
        at(1, 8, 5),
        at(7, 8, 20),
        at(7, 8, 27),
        at(7, 8, 0),
    ]


# The vendor shape: what a default Salesforce org, HubSpot's APIs and GA4's BigQuery
# export write (ingestion/demo_exports/README.md), checked against the vendors' documented
# shapes, not against the generator's own code.

VENDOR = {"seed": 5, "contacts": 600, "days": 45, "start": "2026-01-01", "shape": "vendor"}
DEFAULT_LEAD_STATUSES = {
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
}
DEMO_ORG_ADDED_STATUSES = {"Accepted", "Rejected - Nurture", "Qualified"}
DEFAULT_OPPORTUNITY_STAGES = {
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
}
# The Email Events API's event types.
EMAIL_EVENT_API_TYPES = {
    "SENT", "PROCESSED", "DELIVERED", "DROPPED", "DEFERRED", "BOUNCE", "OPEN", "CLICK",
    "STATUSCHANGE", "SPAMREPORT", "SUPPRESSED", "PRINT", "FORWARD",
}  # fmt: skip


@pytest.fixture(scope="module")
def vendor(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("vendor")
    generate(out, **VENDOR)
    return out


@pytest.fixture(scope="module")
def vendor_sql(vendor) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, glob in (
        ("leads", "crm/*/Lead.csv"),
        ("lead_history", "crm/*/LeadHistory.csv"),
        ("opportunities", "crm/*/Opportunity.csv"),
        ("forms", "marketing_automation/*/form_submissions.csv"),
        ("emails", "marketing_automation/*/email_events.csv"),
    ):
        con.execute(
            f"CREATE TABLE {name} AS SELECT * FROM read_csv('{vendor}/{glob}', "
            "all_varchar=true, union_by_name=true, filename=true)"
        )
    return con


def _header(path: Path) -> list[str]:
    with open(path, newline="") as f:
        return next(csv.reader(f))


def test_vendor_salesforce_files_are_a_default_orgs_data_loader_export(vendor, vendor_sql):
    day = vendor / "crm" / "2026-01-20"
    for path in sorted(day.glob("*.csv")):
        header = _header(path)
        assert header == [h.upper() for h in header], path  # Data Loader's upper case
        assert not [h for h in header if h.endswith("__C")], path  # no custom fields
        lines = path.read_text().splitlines()
        assert all(line.startswith('"') for line in lines), path  # every value quoted
    lead_header = _header(day / "Lead.csv")
    for field in (
        "ID",
        "EMAIL",
        "STATUS",
        "ISCONVERTED",
        "CONVERTEDOPPORTUNITYID",
        "SYSTEMMODSTAMP",
    ):
        assert field in lead_header
    assert len(lead_header) > 40  # the standard fields, not only the ones the pipeline reads
    statuses = {
        row[0] for row in vendor_sql.execute("select distinct STATUS from leads").fetchall()
    }
    assert statuses <= DEFAULT_LEAD_STATUSES | DEMO_ORG_ADDED_STATUSES
    assert {"Closed - Not Converted", "Closed - Converted", "Accepted"} <= statuses
    stages = {
        r[0] for r in vendor_sql.execute("select distinct STAGENAME from opportunities").fetchall()
    }
    assert stages and stages <= DEFAULT_OPPORTUNITY_STAGES


def test_vendor_lead_history_chains_each_leads_status_changes(vendor_sql):
    con = vendor_sql
    fields = {r[0] for r in con.execute("select distinct FIELD from lead_history").fetchall()}
    assert fields == {"created", "Status", "leadConverted"}
    assert con.execute("select count(*) - count(distinct ID) from lead_history").fetchone() == (0,)
    assert con.execute("select bool_and(starts_with(ID, '017')) from lead_history").fetchone() == (
        True,
    )
    # One `created` row per lead, at its creation.
    assert con.execute("""
        select count(*) from (select distinct ID, CREATEDDATE from leads) l
        left join (select LEADID, CREATEDDATE from lead_history where FIELD = 'created') h
          on h.LEADID = l.ID and h.CREATEDDATE = l.CREATEDDATE
        where h.LEADID is null""").fetchone() == (0,)
    # Each Status change starts from where the previous one ended.
    broken = con.execute("""
        select * from (
          select LEADID, OLDVALUE, lag(NEWVALUE, 1, 'Open - Not Contacted')
            over (partition by LEADID order by CREATEDDATE, ID) as previous_new_value
          from lead_history where FIELD = 'Status')
        where OLDVALUE is distinct from previous_new_value""").fetchall()
    assert broken == []
    # The last change is the lead's latest Status; a converted lead has its leadConverted row.
    mismatched = con.execute("""
        with latest as (
          select ID, STATUS, ISCONVERTED, CONVERTEDDATE from leads
          qualify row_number() over (partition by ID order by SYSTEMMODSTAMP desc) = 1),
        last_change as (
          select LEADID, NEWVALUE from lead_history where FIELD = 'Status'
          qualify row_number() over (partition by LEADID order by CREATEDDATE desc, ID desc) = 1)
        select latest.ID from latest left join last_change on LEADID = ID
        where coalesce(NEWVALUE, 'Open - Not Contacted') <> STATUS""").fetchall()
    assert mismatched == []
    assert con.execute("""
        select count(*) from leads l where ISCONVERTED = 'true' and not exists (
          select 1 from lead_history h where h.LEADID = l.ID and FIELD = 'leadConverted'
            and left(h.CREATEDDATE, 10) = l.CONVERTEDDATE)""").fetchone() == (0,)
    # The SLA's moments are there to find: acceptances, rejections, qualifications.
    new_values = dict(
        con.execute(
            "select NEWVALUE, count(*) from lead_history where FIELD = 'Status' group by 1"
        ).fetchall()
    )
    assert min(new_values[v] for v in ("Accepted", "Rejected - Nurture", "Qualified")) > 0


def test_vendor_hubspot_files_are_in_the_apis_shapes(vendor, vendor_sql):
    day = vendor / "marketing_automation" / "2026-01-20"
    contacts = _header(day / "contacts.csv")
    assert contacts[0] == "id" and contacts[-3:] == ["createdAt", "updatedAt", "archived"]
    forms = _header(day / "form_submissions.csv")
    assert {"formGuid", "conversionId", "submittedAt", "pageUrl", "email"} <= set(forms)
    assert not {"contact_id", "form_type", "ga_client_id", "submitted_at"} & set(forms)
    emails = _header(day / "email_events.csv")
    assert emails[:5] == ["id", "created", "type", "recipient", "emailCampaignId"]
    assert not {"contact_id", "campaign_id", "event_id"} & set(emails)
    # Epoch milliseconds, in the folder of their UTC day.
    for table, column in (("forms", "submittedAt"), ("emails", "created")):
        wrong_day = vendor_sql.execute(f"""
            select count(*) from {table}
            where not regexp_full_match({column}, '[0-9]{{13}}')
               or strftime(make_timestamp({column}::BIGINT * 1000), '%Y-%m-%d')
                  <> regexp_extract(filename, '/([0-9-]{{10}})/', 1)""").fetchone()
        assert wrong_day == (0,), table
    types = {r[0] for r in vendor_sql.execute("select distinct type from emails").fetchall()}
    assert types <= EMAIL_EVENT_API_TYPES and "STATUSCHANGE" in types
    campaigns = _header(vendor / "marketing_automation" / "2026-01-01" / "campaigns.csv")
    assert campaigns[:4] == ["id", "createdAt", "updatedAt", "hs_name"]
    assert "salesforce_campaign_id" not in campaigns


def test_vendor_ga4_rows_leave_nulls_out_and_include_consent_pings(vendor):
    events = [
        json.loads(line)
        for path in sorted((vendor / "web_analytics").glob("*/events_*.json"))
        for line in path.read_text().splitlines()
    ]
    assert all(None not in event.values() for event in events)  # nulls are left out
    pings = [e for e in events if "user_pseudo_id" not in e]
    assert 0 < len(pings) < len(events) / 4
    for event in pings:
        assert "ga_session_id" not in {p["key"] for p in event["event_params"]}
        assert event["privacy_info"]["analytics_storage"] == "No"
        assert event["is_active_user"] is False
    consented = [e for e in events if "user_pseudo_id" in e]
    assert all(e["privacy_info"]["analytics_storage"] == "Yes" for e in consented)
    assert all("ga_session_id" in {p["key"] for p in e["event_params"]} for e in consented)
    for event in consented[:200]:
        for param in event["event_params"]:
            assert len(param["value"]) == 1  # only the typed member that is set
    assert all(isinstance(e["batch_event_index"], str) for e in events)


def test_vendor_next_day_equals_a_fresh_generation_of_the_same_world(tmp_path):
    small_vendor = {**SMALL, "shape": "vendor"}
    grown = tmp_path / "grown"
    generate(grown, **small_vendor)
    generate_next_day(grown)
    fresh = tmp_path / "fresh"
    generate(fresh, **{**small_vendor, "contacts": 168, "days": 21})
    assert _day_files(grown, "2026-01-21") == _day_files(fresh, "2026-01-21")
    assert _day_files(grown, "2026-01-21")  # non-empty


def test_each_shape_names_the_mapping_that_reads_it(small, vendor):
    from ingestion.demo_exports import source_mapping_for
    from ingestion.mapping import load_mapping

    contract_mapping, vendor_mapping = source_mapping_for(small), source_mapping_for(vendor)
    assert (contract_mapping.name, vendor_mapping.name) == ("contract.yml", "vendor.yml")
    crm = load_mapping(vendor_mapping).table("crm", "leads").columns
    assert crm["Accepted_Date__c"] is None  # a default org has no such field
    forms = load_mapping(vendor_mapping).table("marketing_automation", "form_submissions")
    assert forms.columns["ga_client_id"] in _header(
        vendor / "marketing_automation" / "2026-01-20" / "form_submissions.csv"
    )
    assert source_mapping_for(vendor.parent / "nowhere") is None


def test_the_shipped_monthly_mql_target_is_of_the_demo_s_monthly_volume(sql):
    """The demo's scale is the generator's default (2,000 contacts over 90 days, the
    `larger` world), its target the definitions' marketing_sla.monthly_mql_target (one
    home). Every month of the demo delivers between half and twice the target: a target
    the demo can meet or miss, never one 20 times any month (2,187 against 104)."""
    assert (DEFAULTS["contacts"], DEFAULTS["days"]) == (2000, 90)
    target = load_definitions().marketing_sla.monthly_mql_target
    assert target is not None
    months = sql.execute("""
        SELECT date_trunc('month', mql_at) AS month, count(*) FROM (
            SELECT Id, min(MQL_Date__c::TIMESTAMP) AS mql_at FROM sf_leads
            WHERE MQL_Date__c IS NOT NULL GROUP BY Id)
        GROUP BY 1 ORDER BY 1""").fetchall()
    assert len(months) == 3  # 2026-01-01 to 2026-03-31: three complete months
    for month, mqls in months:
        assert target / 2 <= mqls <= target * 2, (month, mqls, target)
