"""The quality gate: clean data passes; each violation fails exactly its check and blocks
publishing, leaving the last published marts byte for byte as they were. A definition rule
within the tolerance of the definitions file publishes and lists the record, with its
source ids, in quality.rule_exceptions; an integrity rule blocks whatever the tolerances."""

import csv
import hashlib
from pathlib import Path

import duckdb
import pytest
import yaml
from dagster import DagsterInstance

from ingestion import settings
from orchestration.definitions import defs
from tests.conftest import query

PUBLISHED = "publish/shared_funnel_marts"


def run(job: str):
    """Run a job in process; its (model, check) -> evaluation and the assets it materialized."""
    result = defs.resolve_job_def(job).execute_in_process(
        instance=DagsterInstance.ephemeral(), raise_on_error=False
    )
    checks = {
        (
            e.event_specific_data.asset_key.path[-1],
            e.event_specific_data.check_name,
        ): e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    }
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    return checks, materialized


def gate_checks(checks: dict) -> dict:
    """The quality rules' checks (the dbt tests are checks too, named after the test)."""
    from quality.rules import gate_rules

    names = {(rule.model, rule.name) for rule in gate_rules()}
    return {key: evaluation for key, evaluation in checks.items() if key in names}


def fingerprint() -> str:
    return hashlib.sha256(settings.published_warehouse_path().read_bytes()).hexdigest()


def test_clean_data_passes_every_check_and_publishes(refreshed):
    root, result = refreshed
    assert result.success
    evaluations = [
        e.event_specific_data
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION"
    ]
    failed = [(e.asset_key.to_user_string(), e.check_name) for e in evaluations if not e.passed]
    assert failed == []
    from quality.rules import gate_rules

    assert (
        len(gate_checks({(e.asset_key.path[-1], e.check_name): e for e in evaluations}))
        == len(gate_rules())
        >= 12
    )
    published = root / "outputs" / "shared_funnel.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        tables = {
            t
            for (t,) in con.sql(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        summary = con.sql(
            "select rule_name, exceptions, status, blocks_publishing "
            "from quality.rule_exception_summary"
        ).fetchall()
        listed = con.execute("select count(*) from quality.rule_exceptions").fetchone()[0]
    assert {"customer_journey", "sla_compliance_by_owner"} <= tables
    # the exceptions are published with the marts: none on clean data, one row per rule
    # (the rules that only flag their records too)
    assert sorted(name for name, *_ in summary) == sorted(
        rule.name for rule in gate_rules() if rule.is_definition
    )
    assert {tuple(rest) for _, *rest in summary} == {(0, "passed", False)}
    assert listed == 0


# Each rule, and a change to the warehouse that breaks it and nothing else. The changes
# are made to the tables the rule reads, on a copy of a clean refresh; the last test below
# goes through the exports and the whole pipeline instead.
FIRST_MQL = "(select min(contact_id) from intermediate.int_contacts_mql_rule_checked where is_mql)"
PERSON_WITH = (
    "(select min(person_id) from intermediate.int_lifecycle_stages_entered where stage_key = '{}')"
)
VIOLATIONS = {
    (
        "int_contacts_mql_rule_checked",
        "mql_meets_rule_in_force",
    ): "update intermediate.int_contacts_mql_rule_checked set email_domain = 'gmail.com' "
    f"where contact_id = {FIRST_MQL}",
    (
        "int_lifecycle_stages_entered",
        "stage_timestamps_never_go_backwards",
    ): "update intermediate.int_lifecycle_stages_entered "
    "set entered_at = entered_at - interval 400 day "
    f"where stage_key = 'mql' and person_id = {PERSON_WITH.format('mql')}",
    (
        "int_lifecycle_stages_entered",
        "every_known_person_has_a_stage",
    ): "delete from intermediate.int_lifecycle_stages_entered "
    f"where person_id = {PERSON_WITH.format('lead')}",
    (
        "int_lifecycle_stages_entered",
        "one_current_stage_per_person",
    ): "update intermediate.int_lifecycle_stages_entered set is_current_stage = true "
    f"where stage_key = 'lead' and person_id = {PERSON_WITH.format('mql')}",
    (
        "int_lifecycle_stages_entered",
        "sql_without_prior_mql_is_sales_sourced",
    ): "update intermediate.int_lifecycle_stages_entered "
    "set is_sales_sourced_sql = not coalesce(is_sales_sourced_sql, false) "
    f"where stage_key = 'sql' and person_id = {PERSON_WITH.format('sql')}",
    (
        "stg_crm__opportunities",
        "every_opportunity_has_an_account",
    ): "update raw_crm.opportunities set account_id = null "
    "where id = (select min(id) from raw_crm.opportunities)",
    ("int_lifecycle_stages_entered", "every_customer_has_a_won_opportunity"):
    # a person without a won deal becomes a customer (their new, furthest stage)
    f"""update intermediate.int_lifecycle_stages_entered set is_current_stage = false
            where person_id = {PERSON_WITH.format("mql")};
            insert into intermediate.int_lifecycle_stages_entered by name
            select person_id, 'customer' as stage_key,
                   (select stage_order from definitions.lifecycle_stages
                    where stage_key = 'customer') as stage_order,
                   max(entered_at) + interval 1 day as entered_at, true as is_current_stage,
                   false as is_inferred, false as is_retroactive
            from intermediate.int_lifecycle_stages_entered
            where person_id = {PERSON_WITH.format("mql")} group by person_id""",
    (
        "int_persons_acquired",
        "every_lead_has_a_source",
    ): "update intermediate.int_persons_acquired set acquisition_channel_key = 'unmapped' "
    f"where person_id = {PERSON_WITH.format('lead')}",
    (
        "int_mqls_sla_measured",
        "sla_fields_match_their_timestamps",
    ): "update intermediate.int_mqls_sla_measured "
    "set business_hours_to_first_touch = 99, is_first_touch_sla_met = true "
    "where lead_id = (select min(lead_id) from intermediate.int_mqls_sla_measured "
    "where first_touch_at is not null)",
    ("customer_journey", "no_duplicates_at_grain"): "insert into marts.customer_journey "
    "select * from marts.customer_journey order by touchpoint_id limit 1",
    (
        "sla_compliance_by_owner",
        "rates_between_0_and_1",
    ): "update marts.sla_compliance_by_owner set first_touch_met_rate = 1.5 "
    "where period_grain = 'quarter'",
    # the journey loses one MQL's stage entry; the funnel still counts the MQL
    ("funnel_conversion_by_period", "funnel_counts_reconcile_with_the_journey"): (
        "delete from marts.customer_journey where touchpoint_type = 'stage_entered' "
        f"and stage_key = 'mql' and person_id = {PERSON_WITH.format('mql')}"
    ),
}


@pytest.mark.parametrize("guarded", list(VIOLATIONS), ids=lambda key: "/".join(key))
def test_a_violation_fails_exactly_its_check_and_blocks_publishing(refreshed_copy, guarded):
    published_before = fingerprint()
    docs_before = set(settings.outputs_dir().glob("quality_docs/**/*.html"))
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(VIOLATIONS[guarded])

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {guarded}
    metadata = checks[guarded].metadata
    assert metadata["failing_rows"].value >= 1
    assert metadata["example_rows"].value  # the offending rows, to look at
    page = Path(metadata["data_docs"].value)  # this run's page, in this data dir
    assert page.is_file() and page not in docs_before
    assert page.is_relative_to(settings.outputs_dir())
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before


# The record each definition rule's violation above must list, read before the change.
VIOLATED_RECORD = {
    "mql_meets_rule_in_force": FIRST_MQL,
    "stage_timestamps_never_go_backwards": PERSON_WITH.format("mql"),
    "every_known_person_has_a_stage": PERSON_WITH.format("lead"),
    "every_opportunity_has_an_account": "(select min(id) from raw_crm.opportunities)",
    "every_customer_has_a_won_opportunity": PERSON_WITH.format("mql"),
    "every_lead_has_a_source": PERSON_WITH.format("lead"),
}
DEFINITION_VIOLATIONS = [key for key in VIOLATIONS if key[1] in VIOLATED_RECORD]


def with_tolerances(tmp_path, monkeypatch, tolerances: dict) -> None:
    """Run with a copy of the definitions file that sets these quality_tolerances."""
    definitions = yaml.safe_load(settings.definitions_path().read_text())
    definitions["quality_tolerances"] = tolerances
    path = tmp_path / "lead_definitions.yml"
    path.write_text(yaml.safe_dump(definitions, sort_keys=False))
    monkeypatch.setenv("SHARED_FUNNEL_DEFINITIONS", str(path))


def published_rows(sql: str, params=None) -> list[dict]:
    with duckdb.connect(str(settings.published_warehouse_path()), read_only=True) as con:
        frame = con.execute(sql, params or []).df()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def test_the_definition_rules_are_the_agreed_ones():
    """Rules judging source records take a tolerance; rules on the pipeline's own work don't."""
    from quality.rules import DEFINITION_RULES, gate_rules

    assert set(DEFINITION_RULES) == set(VIOLATED_RECORD)
    integrity = {rule.name for rule in gate_rules() if not rule.is_definition}
    assert integrity == {
        "one_current_stage_per_person",
        "sql_without_prior_mql_is_sales_sourced",
        "sla_fields_match_their_timestamps",
        "no_duplicates_at_grain",
        "funnel_counts_reconcile_with_the_journey",
        "rates_between_0_and_1",
    }


def test_a_tolerance_is_a_share_or_a_count():
    from transform.definitions import RuleTolerance

    assert RuleTolerance(max_count=3).allowed(1_000_000) == 3
    assert RuleTolerance(max_share=0.0001).allowed(294_188) == 29
    assert RuleTolerance(max_share=0.0001).allowed(9_999) == 0
    assert RuleTolerance(max_share=0.5).allowed(2) == 1
    for wrong in ({}, {"max_share": 0.1, "max_count": 1}, {"max_share": 1.5}, {"max_count": -1}):
        with pytest.raises(ValueError):
            RuleTolerance(**wrong)


@pytest.mark.parametrize("guarded", DEFINITION_VIOLATIONS, ids=lambda key: "/".join(key))
def test_a_definition_violation_within_tolerance_publishes_and_lists_the_record(
    refreshed_copy, tmp_path, monkeypatch, guarded
):
    """Within the tolerance the rule warns instead of blocking; the record is published in
    quality.rule_exceptions with the source systems' own ids and shown on data status."""
    from orchestration.quality_checks import failed_checks

    model, rule = guarded
    record = query(f"select {VIOLATED_RECORD[rule]}")[0][0]
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(VIOLATIONS[guarded])
    with_tolerances(tmp_path, monkeypatch, {rule: {"max_count": 5}})

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {guarded}
    evaluation = checks[guarded]
    assert evaluation.severity.value == "WARN"  # reported, not blocking
    metadata = evaluation.metadata
    assert 1 <= metadata["exceptions"].value <= 5
    assert metadata["tolerance"].value == "5 records"
    assert metadata["example_record_ids"].value
    assert PUBLISHED in materialized and "dashboards/data_status" in materialized
    assert failed_checks(checks.values()) == []  # nothing blocked
    [warned] = failed_checks(checks.values(), include_warnings=True)
    assert (warned.check, warned.severity) == (rule, "WARN")

    listed = published_rows("select * from quality.rule_exceptions where rule_name = ?", [rule])
    assert len(listed) == metadata["exceptions"].value
    assert str(record) in {row["record_id"] for row in listed}
    for row in listed:
        assert row["problem"] and row["checked_at"] and row["model"] == model
        if row["record_kind"] == "salesforce_opportunity":
            assert row["salesforce_opportunity_id"] == row["record_id"]
        if row["person_id"] is None:  # an opportunity without a contact has no person
            continue
        # the source ids are the person's own, as int_persons_identified lists them
        [person] = query(
            "select marketing_contact_ids, crm_lead_ids, crm_contact_ids, "
            "primary_email from intermediate.int_persons_identified "
            "where person_id = ?",
            [row["person_id"]],
        )
        assert (
            row["hubspot_contact_ids"],
            row["salesforce_lead_ids"],
            row["salesforce_contact_ids"],
        ) == person[:3]
        if row["record_kind"] == "person":
            assert row["email"] == person[3]
        assert any(
            row[c] for c in ("hubspot_contact_ids", "salesforce_lead_ids", "salesforce_contact_ids")
        )
    [summary] = published_rows(
        "select * from quality.rule_exception_summary where rule_name = ?", [rule]
    )
    assert (
        summary["exceptions"],
        summary["allowed_exceptions"],
        summary["status"],
        summary["blocks_publishing"],
    ) == (len(listed), 5, "within tolerance", False)
    page = (settings.outputs_dir() / "dashboards" / "data_status.html").read_text()
    assert str(record) in page and "within tolerance" in page


@pytest.mark.parametrize(
    "tolerance, violations",
    [({"max_count": 0}, 1), ({"max_count": 1}, 2)],
    ids=["tolerance 0", "above tolerance"],
)
def test_a_definition_violation_above_its_tolerance_blocks(
    refreshed_copy, tmp_path, monkeypatch, tolerance, violations
):
    """The MQL rule with tolerance 0 (as by default), or more exceptions than it allows:
    it blocks at ERROR, nothing is published, and the warehouse still lists the records."""
    from orchestration.quality_checks import failed_checks

    guarded = ("int_contacts_mql_rule_checked", "mql_meets_rule_in_force")
    published_before = fingerprint()
    contacts = [
        c
        for (c,) in query(
            "select contact_id from "
            "intermediate.int_contacts_mql_rule_checked where is_mql "
            f"order by contact_id limit {violations}"
        )
    ]
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(
            "update intermediate.int_contacts_mql_rule_checked "
            "set email_domain = 'gmail.com' where contact_id in "
            f"({', '.join(repr(c) for c in contacts)})"
        )
    with_tolerances(tmp_path, monkeypatch, {guarded[1]: tolerance})

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {guarded}
    assert checks[guarded].severity.value == "ERROR"
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before
    [blocked] = failed_checks(checks.values())
    assert (blocked.asset, blocked.check, blocked.failing_rows) == (
        "intermediate/int_contacts_mql_rule_checked",
        guarded[1],
        violations,
    )
    assert sorted(f"HubSpot contact {c}" for c in contacts) == sorted(
        example.split(" · ")[0] for example in blocked.example_ids
    )
    assert blocked.line().startswith(
        "ERROR intermediate/int_contacts_mql_rule_checked.mql_meets_rule_in_force: "
    )
    listed = query(
        "select record_id, status from quality.rule_exceptions "
        "join quality.rule_exception_summary using (model, rule_name) "
        "where rule_name = ? order by record_id",
        [guarded[1]],
    )
    assert listed == [(c, "above tolerance") for c in sorted(contacts)]


def test_an_integrity_violation_blocks_whatever_the_tolerances(
    refreshed_copy, tmp_path, monkeypatch
):
    from quality.rules import DEFINITION_RULES

    guarded = ("customer_journey", "no_duplicates_at_grain")
    published_before = fingerprint()
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(VIOLATIONS[guarded])
    with_tolerances(tmp_path, monkeypatch, {name: {"max_share": 1.0} for name in DEFINITION_RULES})

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {guarded}
    assert checks[guarded].severity.value == "ERROR"
    assert checks[guarded].metadata["example_record_ids"].value  # touchpoint_id=...
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before


def test_a_tolerance_on_an_integrity_rule_or_a_typo_stops_the_gate(
    refreshed_copy, tmp_path, monkeypatch
):
    """An integrity rule takes no tolerance, and a misspelt rule must not silently keep
    (or lose) its tolerance: every definition rule fails, naming the entry."""
    published_before = fingerprint()
    with_tolerances(
        tmp_path,
        monkeypatch,
        {
            "rates_between_0_and_1": {"max_count": 10},
            "stage_timestamp_never_go_backwards": {"max_share": 0.01},
        },
    )

    checks, materialized = run("quality_gate_and_publish")

    from quality.rules import DEFINITION_RULES

    failed = {key[1] for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == set(DEFINITION_RULES)
    errors = checks[("int_persons_acquired", "every_lead_has_a_source")].metadata["errors"].value
    assert any("rates_between_0_and_1: an integrity rule" in e for e in errors)
    assert any("stage_timestamp_never_go_backwards: no such definition rule" in e for e in errors)
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before


def test_the_gate_job_publishes_when_every_check_passes(refreshed_copy):
    published_before = settings.published_warehouse_path().stat().st_mtime_ns
    checks, materialized = run("quality_gate_and_publish")
    assert all(evaluation.passed for evaluation in gate_checks(checks).values())
    assert PUBLISHED in materialized
    assert settings.published_warehouse_path().stat().st_mtime_ns > published_before


def test_a_raised_score_threshold_moves_the_gate(refreshed_copy, tmp_path, monkeypatch):
    """The checks read the definitions file itself: a higher bar fails MQLs that met the old."""
    definitions = yaml.safe_load(settings.definitions_path().read_text())
    by_score = query(
        "select min(lead_score) from intermediate.int_contacts_mql_rule_checked "
        "where is_mql and not coalesce(submitted_high_intent_form, false)"
    )[0][0]
    definitions["mql_rules"][0]["score_threshold"] = by_score + 1
    raised = tmp_path / "lead_definitions.yml"
    raised.write_text(yaml.safe_dump(definitions, sort_keys=False))
    monkeypatch.setenv("SHARED_FUNNEL_DEFINITIONS", str(raised))

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {("int_contacts_mql_rule_checked", "mql_meets_rule_in_force")}
    assert PUBLISHED not in materialized


def test_an_mql_with_a_personal_address_in_the_exports_stops_the_whole_pipeline(refreshed_copy):
    """A late HubSpot update makes an MQL's address personal: the full refresh reloads it,
    rebuilds the models, the MQL check fails, and nothing is published."""
    published_before = fingerprint()
    contact_id = query(
        "select min(contact_id) from intermediate.int_contacts_mql_rule_checked where is_mql"
    )[0][0]
    _deliver_late_update(contact_id, email="late.update@gmail.com")

    checks, materialized = run("shared_funnel_refresh")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {("int_contacts_mql_rule_checked", "mql_meets_rule_in_force")}
    assert "marketing_automation/contacts" in materialized  # the update was loaded
    examples = checks[("int_contacts_mql_rule_checked", "mql_meets_rule_in_force")].metadata
    assert [row["contact_id"] for row in examples["example_rows"].value] == [contact_id]
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before


def _deliver_late_update(contact_id: str, email: str) -> None:
    """A new day's contacts export holding one newer version of the contact."""
    exports = sorted((settings.landing_dir() / "marketing_automation").glob("*/contacts.csv"))
    versions = []
    for export in exports:
        with export.open(newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            versions += [row for row in reader if row["hs_object_id"] == contact_id]
    latest = max(versions, key=lambda row: row["lastmodifieddate"])
    late = dict(latest, email=email, lastmodifieddate=_later(latest["lastmodifieddate"]))
    drop = exports[-1].parent.parent / "2099-01-01"
    drop.mkdir()
    with (drop / "contacts.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerow(late)


def _later(timestamp: str) -> str:
    """One hour later, in the export's own format."""
    import datetime as dt

    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    later = (parsed + dt.timedelta(hours=1)).isoformat(timespec="milliseconds")
    return later.replace("+00:00", "Z")


def test_data_docs_keep_every_rule_after_a_partial_run_and_list_them_offline(refreshed_copy):
    """One mart materialized from the UI runs its checks only, in a new process: every
    other rule's Data Docs page (linked from its check in Dagster) must stay, and the index
    must link every page without the scripts it loads from CDNs."""
    import re

    from quality import gate
    from quality.rules import gate_rules

    rules = gate_rules()
    full = gate.validate_rules(rules)
    pages = [outcome.docs_page for outcome in full]
    assert all(page and page.is_file() for page in pages)

    gate._context.cache_clear()  # the next run is another process
    [partial] = gate.validate_rules(rules[:1])
    assert partial.docs_page and partial.docs_page.is_file()
    gone = [str(page) for page in pages if page and not page.is_file()]
    assert not gone, f"{len(gone)} of {len(pages)} pages removed: {gone[:3]}"

    index = gate.docs_dir() / "index.html"
    without_scripts = re.sub(r"<script.*?</script>", "", index.read_text(), flags=re.DOTALL)
    linked = {
        gate.docs_dir() / href
        for href in re.findall(r'href="(validations/[^"]+)"', without_scripts)
    }
    assert {page for page in pages if page} | {partial.docs_page} <= linked


def _redeliver(file_name: str, key: str, record_id: str, **changes: str) -> None:
    """A newer version of a record, with `changes`, in a new CRM drop (one file per
    export, a record appended to it when it is there)."""
    exports = sorted((settings.landing_dir() / "crm").glob(f"*/{file_name}"))
    versions = []
    for export in exports:
        with export.open(newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames
            versions += [row for row in reader if row[key] == record_id]
    latest = max(versions, key=lambda row: row["SystemModstamp"])
    newer = dict(
        latest,
        SystemModstamp=_later(latest["SystemModstamp"]),
        LastModifiedDate=_later(latest["LastModifiedDate"]),
        **changes,
    )
    path = exports[-1].parent.parent / "2026-01-20" / file_name
    path.parent.mkdir(exist_ok=True)
    new_file = not path.exists()
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        if new_file:
            writer.writeheader()
        writer.writerow(newer)


def test_an_impossible_date_and_a_negative_amount_are_flagged_and_kept_out_of_the_marts(
    refreshed_copy,
):
    """A lead re-sent with an MQL date in 2099, another created in 2099, and a deal of a
    negative amount. The MQL date and the amount are read as empty, so no 2099 period opens
    and the open pipeline loses that deal's amount; both are flagged by a warn check naming
    the table, the column and the record, and listed with the marts. The lead created in
    2099 cannot be placed in time at all: the load quarantines that version, with the
    column, and its version before stays."""
    first_lead, second_lead = (
        row[0] for row in query("select lead_id from staging.stg_crm__leads order by 1 limit 2")
    )
    [(opportunity_id, amount)] = query(
        "select opportunity_id, amount from staging.stg_crm__opportunities "
        "where not is_closed and not is_deleted and amount > 0 order by opportunity_id limit 1"
    )
    pipeline_before = query("select sum(open_pipeline) from marts.account_revenue")[0][0]
    created_before = query(
        "select created_at from staging.stg_crm__leads where lead_id = ?", [second_lead]
    )
    _redeliver("Lead.csv", "Id", first_lead, MQL_Date__c="2099-01-15T09:00:00.000Z")
    _redeliver("Lead.csv", "Id", second_lead, CreatedDate="2099-01-15T09:00:00.000Z")
    _redeliver("Opportunity.csv", "Id", opportunity_id, Amount=f"-{amount}")

    checks, materialized = run("shared_funnel_refresh")

    flags = {
        model: evaluation
        for (model, check), evaluation in gate_checks(checks).items()
        if check == "values_are_plausible" and not evaluation.passed
    }
    assert set(flags) == {"stg_crm__leads", "stg_crm__opportunities"}
    assert {e.severity.value for e in flags.values()} == {"WARN"}  # flagged, not blocking
    [lead_example] = flags["stg_crm__leads"].metadata["example_rows"].value
    assert lead_example["record_id"] == first_lead
    assert lead_example["dates_outside_the_window"].startswith("MQL_Date__c 2099-01-15")
    [deal_example] = flags["stg_crm__opportunities"].metadata["example_rows"].value
    assert deal_example["negative_amounts"] == f"Amount -{amount}"
    assert PUBLISHED in materialized

    [(reason,)] = query(
        "select reason from raw_crm.quarantined_rows where record like ?", [f"%{second_lead}%"]
    )
    assert reason.startswith("implausible CreatedDate, outside the plausible window: 2099-01-15")
    assert (
        query("select created_at from staging.stg_crm__leads where lead_id = ?", [second_lead])
        == created_before
    )
    assert query("select mql_at from staging.stg_crm__leads where lead_id = ?", [first_lead]) == [
        (None,)
    ]
    assert (
        published_rows(
            "select * from marts.funnel_conversion_by_period where year(period_start) > 2030"
        )
        == []
    )
    [freshness] = published_rows(
        "select max(newest_record_at) as newest from marts.source_freshness"
    )
    assert freshness["newest"].year < 2030
    [pipeline] = published_rows("select sum(open_pipeline) as open from marts.account_revenue")
    assert pipeline["open"] == pipeline_before - float(amount)
    listed = published_rows(
        "select model, record_kind, record_id, detail from quality.rule_exceptions "
        "where rule_name = 'values_are_plausible' order by model"
    )
    assert [(r["model"], r["record_kind"], r["record_id"]) for r in listed] == [
        ("stg_crm__leads", "raw_crm.leads", first_lead),
        ("stg_crm__opportunities", "raw_crm.opportunities", opportunity_id),
    ]
    assert "MQL_Date__c 2099-01-15" in listed[0]["detail"]
    assert f"Amount -{amount}" in listed[1]["detail"]


def test_a_violation_a_dbt_test_catches_shows_its_rows_and_the_gate_rule_still_reports(
    refreshed_copy,
):
    """An opportunity re-sent without its account: dbt's not_null test catches it first.
    Its check shows the failing row, the gate's rule on the same model still runs and
    names the record, and nothing is published."""
    published_before = fingerprint()
    opportunity_id = query(
        "select min(opportunity_id) from staging.stg_crm__opportunities where not is_deleted"
    )[0][0]
    _redeliver("Opportunity.csv", "Id", opportunity_id, AccountId="")

    checks, materialized = run("shared_funnel_refresh")

    caught = checks[("stg_crm__opportunities", "not_null_stg_crm__opportunities_account_id")]
    assert (caught.passed, caught.severity.value) == (False, "ERROR")
    assert caught.metadata["failing_rows"].value == 1
    [row] = caught.metadata["example_rows"].value
    assert (row["opportunity_id"], row["account_id"]) == (opportunity_id, None)
    rule = checks[("stg_crm__opportunities", "every_opportunity_has_an_account")]
    assert (rule.passed, rule.severity.value) == (False, "ERROR")  # above tolerance 0
    assert rule.metadata["exceptions"].value == 1
    assert opportunity_id in rule.metadata["example_record_ids"].value[0]
    assert PUBLISHED not in materialized
    assert fingerprint() == published_before


def test_a_hubspot_customer_the_crm_does_not_know_is_flagged_and_published(refreshed_copy):
    """HubSpot calls a contact a customer, the CRM has no won deal for the person: the
    funnel counts no customer (the stage is the CRM's), and the contact is flagged (warn)
    and listed with the published marts and on data status, never dropped silently."""
    rule = ("int_lifecycle_stages_entered", "every_hubspot_customer_is_a_crm_customer")
    contact_id = query(
        "select min(contacts.contact_id) from raw_marketing_automation.contacts as raw "
        "inner join staging.stg_marketing_automation__contacts as contacts "
        "on contacts.contact_id = raw.hs_object_id "
        "inner join intermediate.int_identities_linked as identities "
        "on identities.identity_key = 'marketing_contact:' || contacts.contact_id "
        "inner join intermediate.int_lifecycle_stages_entered as stages "
        "on stages.person_id = identities.person_id and stages.is_current_stage "
        "where identities.is_surviving and stages.stage_key = 'lead'"
    )[0][0]
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute(
            "update raw_marketing_automation.contacts set lifecyclestage = 'customer', "
            "hs_lifecyclestage_customer_date = '2026-01-10T10:00:00.000000Z' "
            "where hs_object_id = ?",
            [contact_id],
        )

    checks, materialized = run("quality_gate_and_publish")

    failed = {key for key, evaluation in gate_checks(checks).items() if not evaluation.passed}
    assert failed == {rule}
    assert checks[rule].severity.value == "WARN"
    assert checks[rule].metadata["exceptions"].value == 1
    assert PUBLISHED in materialized
    [listed] = published_rows(
        "select * from quality.rule_exceptions where rule_name = ?", [rule[1]]
    )
    assert (listed["record_kind"], listed["record_id"]) == ("hubspot_contact", contact_id)
    assert contact_id in listed["hubspot_contact_ids"].split(";")
    assert "2026-01-10 10:00:00" in listed["detail"]
    [summary] = published_rows(
        "select status, blocks_publishing from quality.rule_exception_summary where rule_name = ?",
        [rule[1]],
    )
    assert summary == {"status": "flagged", "blocks_publishing": False}
    page = (settings.outputs_dir() / "dashboards" / "data_status.html").read_text()
    assert contact_id in page and "flagged" in page
