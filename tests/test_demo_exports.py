"""The demo export generator: determinism, the contract's shapes, --next-day, refusals,
and the behaviour later KPIs depend on."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest

from ingestion.demo_exports import (
    MANIFEST_NAME,
    TAIL_DAYS,
    DemoExportsError,
    generate,
    generate_next_day,
)
from ingestion.demo_exports.__main__ import main
from ingestion.exports import SYSTEMS

SMALL = {"seed": 7, "contacts": 160, "days": 20, "start": "2026-01-01"}
PERSONAL_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
                    "aol.com", "gmx.de", "proton.me")


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


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
    summary = generate(out, seed=11, contacts=2000, days=90)
    return out, summary


@pytest.fixture(scope="module")
def sql(larger) -> duckdb.DuckDBPyConnection:
    out, _ = larger
    con = duckdb.connect()
    for system, table, name in (
        ("marketing_automation", "contacts", "hs_contacts"),
        ("marketing_automation", "form_submissions", "hs_forms"),
        ("crm", "Lead", "sf_leads"), ("crm", "Task", "sf_tasks"),
        ("crm", "Opportunity", "sf_opportunities"),
    ):
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_csv("
                    f"'{out}/{system}/*/{table.split('.')[0]}.csv', all_varchar=true, "
                    f"union_by_name=true, filename=true)")
    con.execute(f"CREATE TABLE ga_events AS SELECT * FROM read_json("
                f"'{out}/web_analytics/*/events_*.json', filename=true)")
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
            d.isoformat() for d in days]
        for day in days:
            folder = small / system.name / day.isoformat()
            for spec in system.tables:
                if system.file_format == "csv":
                    with open(folder / spec.file_name, newline="") as f:
                        assert next(csv.reader(f)) == list(spec.required_columns), (
                            folder / spec.file_name)
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
    with pytest.raises(DemoExportsError, match="does not match"):
        generate_next_day(small, seed=99)
    foreign = tmp_path / "real"
    (foreign / "crm" / "2026-01-01").mkdir(parents=True)
    (foreign / "crm" / "2026-01-01" / "Lead.csv").write_text("Id\n")
    with pytest.raises(DemoExportsError, match="not written by this generator"):
        generate(foreign, **SMALL)


def test_refuses_when_the_simulated_tail_is_exhausted(tmp_path):
    generate(tmp_path, seed=3, contacts=10, days=2)
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


def test_mql_rule_holds_except_for_the_injected_personal_domain_violations(sql, larger):
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
    assert all(employees >= 50 and industry in (
        "Software", "Financial Services", "Healthcare", "Manufacturing", "Retail")
        and country in ("United States", "Canada", "United Kingdom", "Germany", "Netherlands",
                        "Australia") for _, employees, industry, country, *_ in rows)
    personal = sum(domain in PERSONAL_DOMAINS for domain, *_ in rows)
    injected = next(v for k, v in summary.anomalies.items() if k.startswith("mql_rule"))
    assert personal == injected >= 1


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
