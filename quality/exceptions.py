"""The exceptions table: records breaking an agreed definition, with their source ids.

A definition rule (quality/rules.py) lists every record it fails in the warehouse table
``quality.rule_exceptions``, one row per failing record, whether or not the rule blocks:
the rule's name, the record it judged (a person, a HubSpot contact, a Salesforce
opportunity), the person's source-system ids read from int_identities_linked (HubSpot
contact ids, Salesforce Lead and Contact Ids, e-mail), what is wrong, and the run.
``quality.rule_exception_summary`` holds one row per definition rule: rows judged,
exceptions, the tolerance of the definitions file and whether the rule blocked publishing.

Both tables live in the warehouse's ``quality`` schema, which the publish step copies with
the marts: analysts and the dashboards read the exceptions the published numbers were
built with. Each gate run replaces the rows of the rules it validated (and drops rows of
rules that no longer exist), so the tables always describe the latest verdict per rule.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import duckdb
import pandas as pd

from ingestion import settings
from quality.rules import render_query

SCHEMA = "quality"
EXCEPTIONS = f"{SCHEMA}.rule_exceptions"
SUMMARY = f"{SCHEMA}.rule_exception_summary"

# What a definition rule's validation hands over per failing record (quality.gate).
FAILING_COLUMNS = (
    "record_kind",
    "record_id",
    "person_kind",
    "person_ref",
    "email",
    "problem",
    "detail",
)

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {EXCEPTIONS} (
    rule_name varchar not null,
    model varchar not null,
    record_kind varchar not null,
    record_id varchar,
    person_id varchar,
    hubspot_contact_ids varchar,
    salesforce_lead_ids varchar,
    salesforce_contact_ids varchar,
    salesforce_opportunity_id varchar,
    email varchar,
    problem varchar not null,
    detail varchar,
    position integer not null,
    checked_at timestamp not null,
    dagster_run_id varchar,
    definitions_version varchar
);
create table if not exists {SUMMARY} (
    rule_name varchar not null,
    model varchar not null,
    description varchar,
    rows_checked bigint not null,
    exceptions bigint not null,
    tolerance varchar not null,
    allowed_exceptions bigint not null,
    status varchar not null,
    blocks_publishing boolean not null,
    checked_at timestamp not null,
    dagster_run_id varchar,
    definitions_version varchar
);
"""

LABELS = (
    ("hubspot_contact_ids", "HubSpot contact"),
    ("salesforce_lead_ids", "Salesforce Lead"),
    ("salesforce_contact_ids", "Salesforce Contact"),
)


def text(value: Any) -> str | None:
    """A cell as plain text for the exceptions table (None for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.isoformat(sep=" ")
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def record_label(row: Mapping[str, Any]) -> str:
    """How a person finds the record in their own system, e.g. 'HubSpot contact 100051 ·
    Salesforce Lead 00Q... · jane@acme.com'; the person_id when no source id is known."""
    kind, record_id = row.get("record_kind"), row.get("record_id")
    parts = []
    if kind == "hubspot_contact":
        parts.append(f"HubSpot contact {record_id}")
    elif kind == "salesforce_opportunity":
        parts.append(f"Salesforce Opportunity {record_id}")
    elif kind != "person":  # a record of a raw table, e.g. raw_crm.opportunities
        parts.append(f"{kind} {record_id}")
    for column, name in LABELS:
        ids = [
            i
            for i in (text(row.get(column)) or "").split(";")
            if i and not (kind == "hubspot_contact" and i == record_id)
        ]
        if ids:
            parts.append(f"{name} {ids[0]}" + (f" (+{len(ids) - 1})" if len(ids) > 1 else ""))
    email = text(row.get("email"))
    if email:
        parts.append(email)
    if not parts:
        parts.append(f"person {row.get('person_id') or record_id}")
    return " · ".join(parts)


def record(
    outcomes: Iterable,
    known_rules: Iterable[tuple[str, str]],
    checked_at: dt.datetime,
    run_id: str | None,
    definitions_version: str | None,
) -> dict[tuple[str, str], pd.DataFrame]:
    """Replace the exceptions and summary rows of the definition rules in `outcomes`.

    `known_rules` are the (model, rule name) of every definition rule there is: rows of any
    other rule are dropped. Needs the warehouse writer (the caller holds the lock). Returns
    each rule's exceptions as stored, with their source ids, by (model, rule name).
    """
    outcomes = [o for o in outcomes if o.rule.is_definition]
    checked_at = checked_at.astimezone(dt.UTC).replace(tzinfo=None)
    validated = [(o.rule.model, o.rule.name) for o in outcomes]
    failing = pd.concat(
        [pd.DataFrame(columns=["rule_name", "model", "position", *FAILING_COLUMNS])]
        + [
            o.exceptions.assign(
                rule_name=o.rule.name, model=o.rule.model, position=range(len(o.exceptions))
            )
            for o in outcomes
            if len(o.exceptions)
        ],
        ignore_index=True,
    ).astype({c: "object" for c in FAILING_COLUMNS})
    summary = pd.DataFrame(
        [
            {
                "rule_name": o.rule.name,
                "model": o.rule.model,
                "description": o.rule.description,
                "rows_checked": o.rows_checked,
                "exceptions": o.failing_rows,
                "tolerance": o.tolerance,
                "allowed_exceptions": o.allowed_failures,
                "status": o.status,
                "blocks_publishing": o.blocks,
            }
            for o in outcomes
        ],
        columns=[
            "rule_name",
            "model",
            "description",
            "rows_checked",
            "exceptions",
            "tolerance",
            "allowed_exceptions",
            "status",
            "blocks_publishing",
        ],
    )
    params = {"checked_at": checked_at, "run_id": run_id, "version": definitions_version}
    known = pd.DataFrame(list(known_rules), columns=["model", "rule_name"])
    done = pd.DataFrame(validated, columns=["model", "rule_name"])
    with duckdb.connect(str(settings.warehouse_path())) as con:
        con.execute("begin transaction")
        con.execute(DDL)
        for name, frame in (
            ("known_rules", known),
            ("validated_rules", done),
            ("failing_records", failing),
            ("summary_rows", summary),
        ):
            con.register(name, frame)
        for table in (EXCEPTIONS, SUMMARY):
            con.execute(f"""
                delete from {table}
                where model || '.' || rule_name in (
                        select model || '.' || rule_name from validated_rules)
                    or model || '.' || rule_name not in (
                        select model || '.' || rule_name from known_rules)""")
        if len(failing):
            # the person's source ids: every live identity of theirs
            con.execute(render_query("_exceptions_with_source_ids", exceptions=EXCEPTIONS), params)
        if len(summary):
            con.execute(
                f"""
                insert into {SUMMARY} by name
                select *, $checked_at as checked_at, $run_id as dagster_run_id,
                       $version as definitions_version
                from summary_rows""",
                params,
            )
        con.execute("commit")
        stored = con.execute(f"""
            select * from {EXCEPTIONS}
            where model || '.' || rule_name in (
                select model || '.' || rule_name from validated_rules)
            order by model, rule_name, position""").df()
    return {
        key: frame.reset_index(drop=True)
        for key, frame in stored.groupby(["model", "rule_name"], sort=False)
    }
