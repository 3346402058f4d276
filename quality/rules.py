"""The quality rules: what the agreed lead definitions demand of the warehouse.

Each rule guards one dbt model. It names the rows to judge (a read-only query over the
warehouse) and the Great Expectations those rows must meet, built from the definitions
file at validation time: a changed threshold in ``transform/lead_definitions.yml`` moves
the gate on the next run, with no second copy of it here.

Rules on the marts are derived from the dbt manifest: each mart declares its grain in
``meta.grain`` (no duplicates allowed at it), and every ``*_rate`` column it documents must
lie in [0, 1] unless ``meta.unbounded_rates`` names it (a growth rate, a ratio of counts).

Two kinds of rule:

- **integrity** rules guard what the pipeline itself computes (grain, keys, flags and hours
  derived from timestamps, rates, marts that must reconcile). A failure is a defect of the
  pipeline, never of one source record, so one failing row blocks publishing.
- **definition** rules judge source records against an agreed definition (an MQL that
  misses the rule in force, stages recorded out of order, a lead source outside the agreed
  channels, ...). Real exports always hold a few such records: each failing record is
  listed in ``quality.rule_exceptions`` with the source systems' own ids, and the rule
  blocks only above the tolerance both teams set for it in the definitions file
  (``quality_tolerances``; default 0, any failing record blocks).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from ingestion.exports import SYSTEMS
from transform import project
from transform.definitions import LeadDefinitions

Expectations = Callable[[LeadDefinitions], list[Any]]

INTEGRITY = "integrity"
DEFINITION = "definition"
# Each rule's query, quality/queries/<rule name>.sql: a read-only select of the rows it
# judges, written with {{ ref('model') }} (resolved through the dbt manifest, so no schema is
# hard-coded), {{ var('name') }} (dbt_project.yml's vars) and {{ meta('model', 'key') }} (a
# model's meta in its YAML).
QUERIES = Path(__file__).resolve().parent / "queries"


@dataclass(frozen=True)
class Records:
    """How a definition rule's rows name the source records they judge.

    ``kind`` and ``id_column`` name the judged record itself (a person, a HubSpot contact, a
    Salesforce opportunity). ``person`` finds its person in int_identities_linked: the
    identity kind and the column holding the source id (``("person", column)`` when the
    column is the person_id already), whose other identities give the source ids.
    ``details`` are shown with each exception, beside the columns the failed expectations
    name.
    """

    kind: str
    id_column: str
    person: tuple[str, str] = ("person", "person_id")
    email_column: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """One agreed rule, checked on the dbt model it guards."""

    name: str
    model: str
    description: str
    expectations: Expectations
    kind: str = INTEGRITY
    record_key: tuple[str, ...] = ()  # the columns naming a judged row, for examples
    records: Records | None = None  # definition rules: how to name their exceptions
    # What the rule's query template needs besides ref / var / meta, e.g. a mart's grain.
    query_params: tuple[tuple[str, Any], ...] = ()
    # False for a rule that only flags its records (listed, severity WARN, never blocks).
    blocks_publishing: bool = True

    def __post_init__(self):
        if self.kind not in (INTEGRITY, DEFINITION):
            raise ValueError(f"{self.name}: kind is {INTEGRITY!r} or {DEFINITION!r}")
        if (self.kind == DEFINITION) != (self.records is not None):
            raise ValueError(f"{self.name}: a definition rule, and only one, names its records")

    @property
    def is_definition(self) -> bool:
        return self.kind == DEFINITION

    def query(self, manifest: dict | None = None) -> str:
        """The rows this rule judges: its template rendered against the dbt manifest."""
        return render_query(self.name, manifest, model=self.model, **dict(self.query_params))


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(QUERIES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_query(name: str, manifest: dict | None = None, **params: Any) -> str:
    """quality/queries/<name>.sql rendered: models named by their relation in the manifest."""

    def meta(model: str, key: str) -> Any:
        return project.model(model, manifest)["config"]["meta"][key]

    return (
        _templates()
        .get_template(f"{name}.sql")
        .render(
            ref=lambda model: project.relation(model, manifest),
            var=project.project_var,
            meta=meta,
            **params,
        )
    )


def _gx():
    # Great Expectations takes seconds to import: only when a rule is validated.
    import great_expectations.expectations as gxe

    return gxe


def _mql_meets_rule_in_force(definitions: LeadDefinitions) -> list[Any]:
    gxe = _gx()
    expectations = [
        gxe.ExpectColumnValuesToBeInSet(
            column="mql_rule_version",
            value_set=[r.version for r in definitions.mql_rules],
            description="no MQL rule was in force when it qualified",
        )
    ]
    for rule in definitions.mql_rules:
        judged = f"mql_rule_version == {rule.version}"
        by_score = f"{judged} and submitted_high_intent_form == False"
        profile = rule.ideal_customer_profile
        v = f"(MQL rule v{rule.version})"
        for column, what in (
            ("company_employees", "company size"),
            ("company_industry", "industry"),
            ("company_country", "country"),
        ):
            expectations.append(
                gxe.ExpectColumnValuesToNotBeNull(
                    column=column,
                    row_condition=judged,
                    condition_parser="pandas",
                    description=f"{what} unknown {v}",
                )
            )
        expectations += [
            gxe.ExpectColumnValuesToBeBetween(
                column="company_employees",
                min_value=profile.min_employees,
                row_condition=judged,
                condition_parser="pandas",
                description=f"company below {profile.min_employees:,} employees {v}",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="company_industry",
                value_set=profile.industries,
                row_condition=judged,
                condition_parser="pandas",
                description=f"industry outside the ideal customer profile {v}",
            ),
            gxe.ExpectColumnValuesToBeInSet(
                column="company_country",
                value_set=profile.countries,
                row_condition=judged,
                condition_parser="pandas",
                description=f"country outside the ideal customer profile {v}",
            ),
            gxe.ExpectColumnValuesToNotBeInSet(
                column="email_domain",
                value_set=rule.excluded_email_domains,
                row_condition=judged,
                condition_parser="pandas",
                description=f"personal e-mail domain, excluded {v}",
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column="lead_score",
                row_condition=by_score,
                condition_parser="pandas",
                description=f"no lead score and no high-intent form {v}",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column="lead_score",
                min_value=rule.score_threshold,
                row_condition=by_score,
                condition_parser="pandas",
                description=f"lead score below {rule.score_threshold} and no high-intent form {v}",
            ),
        ]
    return expectations


def _stages_never_go_backwards(_: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="entered_at",
            column_B="latest_earlier_stage_at",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            description="stage entered before an earlier stage of the agreed order",
        )
    ]


def _known_person_has_a_stage(_: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnValuesToBeInSet(
            column="has_a_stage",
            value_set=[True],
            description="a known person (HubSpot or Salesforce record) with no lifecycle stage: "
            "no record of theirs carries a stage date",
        )
    ]


def _one_current_stage(_: LeadDefinitions) -> list[Any]:
    gxe = _gx()
    return [
        gxe.ExpectColumnValuesToBeBetween(column="current_stage_count", min_value=1, max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="current_stage_order", column_B="furthest_stage_order"
        ),
    ]


def _sql_without_mql_is_sales_sourced(_: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnPairValuesToBeEqual(
            column_A="is_sales_sourced_sql", column_B="has_no_prior_mql"
        )
    ]


def _opportunity_has_account(_: LeadDefinitions) -> list[Any]:
    gxe = _gx()
    return [
        gxe.ExpectColumnValuesToNotBeNull(
            column="account_id", description="the opportunity names no account"
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="has_live_account",
            value_set=[True],
            description="the opportunity's account is not a live CRM account",
        ),
    ]


def _customer_has_won_opportunity(_: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnValuesToBeInSet(
            column="has_won_opportunity",
            value_set=[True],
            description="a customer whose account has no won opportunity",
        )
    ]


def _lead_has_source(definitions: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnValuesToBeInSet(
            column="acquisition_channel_key",
            value_set=[c.key for c in definitions.channels],
            description="acquisition channel outside the agreed list (a source value no "
            "channel lists)",
        )
    ]


def _hubspot_customer_is_crm_customer(_: LeadDefinitions) -> list[Any]:
    return [
        _gx().ExpectColumnValuesToBeInSet(
            column="is_crm_customer",
            value_set=[True],
            description="a HubSpot customer the CRM doesn't know as one (no won opportunity): "
            "not counted as a customer",
        )
    ]


def _sla_fields_match_timestamps(definitions: LeadDefinitions) -> list[Any]:
    gxe = _gx()
    sla = definitions.sales_sla
    expectations = []
    for measure, timestamp, bar in (
        ("first_touch", "first_touch_at", sla.first_touch_within_business_hours),
        ("response", "responded_at", sla.accept_or_reject_within_business_hours),
    ):
        hours = f"business_hours_to_{measure}"
        verdict = f"{measure}_verdict"
        expectations += [
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A=timestamp,
                column_B="mql_at",
                or_equal=True,
                ignore_row_if="either_value_is_missing",
            ),
            gxe.ExpectColumnValuesToNotBeNull(
                column=hours, row_condition=f"has_{measure} == True", condition_parser="pandas"
            ),
            gxe.ExpectColumnValuesToBeNull(
                column=hours, row_condition=f"has_{measure} == False", condition_parser="pandas"
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=hours,
                min_value=0,
                max_value=bar,
                row_condition=f'{verdict} == "met"',
                condition_parser="pandas",
            ),
            gxe.ExpectColumnValuesToBeBetween(
                column=hours,
                min_value=bar,
                strict_min=True,
                row_condition=f'{verdict} == "breached" and has_{measure} == True',
                condition_parser="pandas",
            ),
        ]
    return expectations


def _funnel_matches_journey(_: LeadDefinitions) -> list[Any]:
    return [_gx().ExpectColumnValuesToBeBetween(column="difference", min_value=0, max_value=0)]


RULES: tuple[Rule, ...] = (
    Rule(
        name="mql_meets_rule_in_force",
        model="int_contacts_mql_rule_checked",
        description="Every MQL meets the MQL rule that was in force when it qualified: "
        "fit (size, industry, country, business e-mail) and behaviour (score "
        "at the bar, or a high-intent form).",
        expectations=_mql_meets_rule_in_force,
        # Definition: HubSpot marked the contact an MQL; the rule judges that source record
        # against the agreed rule, and a contact a rep qualified by hand breaks the
        # definition without any fault of the pipeline.
        kind=DEFINITION,
        record_key=("contact_id",),
        records=Records(
            "hubspot_contact",
            "contact_id",
            person=("marketing_contact", "contact_id"),
            email_column="email",
            details=("mql_rule_version", "became_mql_at"),
        ),
    ),
    Rule(
        name="stage_timestamps_never_go_backwards",
        model="int_lifecycle_stages_entered",
        description="A person enters each stage no earlier (to the second) than every "
        "earlier stage of the agreed order.",
        expectations=_stages_never_go_backwards,
        # Definition: the stage times are the source systems' own dates (HubSpot lifecycle
        # dates, Salesforce Lead and Opportunity dates); a date entered out of order is a
        # record breaking the agreed order, shown with the record that dates the stage.
        kind=DEFINITION,
        record_key=("person_id", "stage_key"),
        records=Records(
            "person", "person_id", details=("stage_key", "evidence", "evidence_record_id")
        ),
    ),
    Rule(
        name="every_known_person_has_a_stage",
        model="int_lifecycle_stages_entered",
        description="Every known person (a HubSpot contact or a Salesforce lead or contact) "
        "entered at least one lifecycle stage.",
        expectations=_known_person_has_a_stage,
        # Definition: a person without a stage is a set of source records none of which
        # carries a stage date (a CRM-only record, a contact without lifecycle dates). This
        # was the 'no current stage' half of one_current_stage_per_person.
        kind=DEFINITION,
        record_key=("person_id",),
        records=Records("person", "person_id", email_column="primary_email"),
    ),
    Rule(
        name="one_current_stage_per_person",
        model="int_lifecycle_stages_entered",
        description="Every person with a lifecycle stage is in exactly one current stage, "
        "the furthest stage they entered.",
        expectations=_one_current_stage,
        # Integrity: is_current_stage is computed by the model (the furthest stage entered),
        # so two current stages, or a current one short of the furthest, is a pipeline
        # defect. Persons without any stage are every_known_person_has_a_stage's.
        record_key=("person_id",),
    ),
    Rule(
        name="sql_without_prior_mql_is_sales_sourced",
        model="int_lifecycle_stages_entered",
        description="An SQL is flagged sales-sourced exactly when the person has no MQL "
        "at or before it.",
        expectations=_sql_without_mql_is_sales_sourced,
        # Integrity: is_sales_sourced_sql is derived by the model from the same MQL and SQL
        # times; a mismatch is a defect of that derivation, not of a source record.
        record_key=("person_id",),
    ),
    Rule(
        name="every_opportunity_has_an_account",
        model="stg_crm__opportunities",
        description="Every live opportunity belongs to a live CRM account.",
        expectations=_opportunity_has_account,
        # Definition: the account is the Salesforce Opportunity's own AccountId; a record
        # entered without one (or on a deleted account) breaks the opportunity definition.
        kind=DEFINITION,
        record_key=("opportunity_id",),
        records=Records(
            "salesforce_opportunity",
            "opportunity_id",
            person=("crm_contact", "contact_id"),
            details=("opportunity_name", "account_id"),
        ),
    ),
    Rule(
        name="every_customer_has_a_won_opportunity",
        model="int_lifecycle_stages_entered",
        description="Every person in the customer stage belongs to an account with a won "
        "opportunity.",
        expectations=_customer_has_won_opportunity,
        # Definition: the customer stage comes from a won opportunity of the person, the
        # rule asks for one on the person's account: they differ when the CRM files the
        # deal on another account than the person's contact, a record-keeping break.
        kind=DEFINITION,
        record_key=("person_id",),
        records=Records("person", "person_id", details=("account_id", "became_customer_at")),
    ),
    Rule(
        name="every_lead_has_a_source",
        model="int_persons_acquired",
        description="Every person who became a lead (or went further) has an acquisition "
        "channel of the agreed list: a source value some channel lists.",
        expectations=_lead_has_source,
        # Definition: the channel is the source systems' own value (LeadSource, HubSpot
        # original source) mapped through the agreed channels; a value nobody mapped is a
        # record outside the agreed vocabulary.
        kind=DEFINITION,
        record_key=("person_id",),
        records=Records(
            "person", "person_id", details=("acquisition_channel_from", "acquisition_source_value")
        ),
    ),
    Rule(
        name="every_hubspot_customer_is_a_crm_customer",
        model="int_lifecycle_stages_entered",
        description="Every contact HubSpot calls a customer is a customer in the CRM too: "
        "its person has a won opportunity.",
        expectations=_hubspot_customer_is_crm_customer,
        # Definition, flagged only: the customer stage is the CRM's (a won opportunity);
        # HubSpot's own mark (a deal closed elsewhere, a stage set by hand, a contact the
        # CRM never received) is listed so someone reconciles the two, never counted.
        kind=DEFINITION,
        record_key=("contact_id",),
        records=Records(
            "hubspot_contact",
            "contact_id",
            person=("marketing_contact", "contact_id"),
            email_column="email",
            details=("lifecycle_stage", "became_customer_at"),
        ),
        blocks_publishing=False,
    ),
    Rule(
        name="sla_fields_match_their_timestamps",
        model="int_mqls_sla_measured",
        description="Each MQL's SLA hours exist exactly when the touch or decision does, "
        "never start before the MQL, and agree with the met / breached flags "
        "at the agreed bars.",
        expectations=_sla_fields_match_timestamps,
        # Integrity: the hours and the met / breached flags are computed by the pipeline
        # from the timestamps and the agreed bars; a disagreement is a pipeline defect.
        record_key=("lead_id",),
    ),
    Rule(
        name="funnel_counts_reconcile_with_the_journey",
        model="funnel_conversion_by_period",
        description="At every grain and period, the persons the funnel says entered a stage "
        "are the persons with that stage_entered touchpoint in customer_journey.",
        expectations=_funnel_matches_journey,
        # Integrity: two marts built from the same stages must agree.
        record_key=("period_grain", "period_start", "stage_key"),
    ),
)

# The definition rules that block above a tolerance (the others only flag their records).
DEFINITION_RULES = tuple(
    rule.name for rule in RULES if rule.is_definition and rule.blocks_publishing
)


def tolerance_problems(definitions: LeadDefinitions) -> list[str]:
    """Entries of the definitions' quality_tolerances that name no definition rule: a typo,
    or an integrity rule (those always block on one failing row)."""
    integrity = {rule.name for rule in RULES if not rule.is_definition} | set(MART_RULES)
    problems = []
    for name in sorted(definitions.quality_tolerances):
        if name in integrity:
            problems.append(f"quality_tolerances.{name}: an integrity rule takes no tolerance")
        elif name not in DEFINITION_RULES:
            problems.append(
                f"quality_tolerances.{name}: no such definition rule (they are: "
                f"{', '.join(DEFINITION_RULES)})"
            )
    return problems


def _no_duplicates(grain: list[str]) -> Expectations:
    def expectations(_: LeadDefinitions) -> list[Any]:
        gxe = _gx()
        if len(grain) == 1:
            return [gxe.ExpectColumnValuesToBeUnique(column=grain[0])]
        return [gxe.ExpectCompoundColumnsToBeUnique(column_list=grain)]

    return expectations


def _rates_in_unit_interval(columns: list[str]) -> Expectations:
    def expectations(_: LeadDefinitions) -> list[Any]:
        gxe = _gx()
        return [
            gxe.ExpectColumnValuesToBeBetween(column=c, min_value=0, max_value=1) for c in columns
        ]

    return expectations


def mart_rules(manifest: dict | None = None) -> list[Rule]:
    """For every mart of the parsed dbt manifest: no duplicates at its declared grain; every
    rate in [0, 1]."""
    rules = []
    for node in filter(project.is_mart, project.models(manifest)):
        meta = node["config"].get("meta", {})
        grain = tuple(meta.get("grain") or ())
        if grain:
            rules.append(
                Rule(
                    name="no_duplicates_at_grain",
                    model=node["name"],
                    description=f"One row per {', '.join(grain)}: nothing is counted twice.",
                    expectations=_no_duplicates(list(grain)),
                    record_key=grain,
                    query_params=(("grain", grain),),
                )
            )
        unbounded = set(meta.get("unbounded_rates", []))
        rates = tuple(c for c in node["columns"] if c.endswith("_rate") and c not in unbounded)
        if rates:
            rules.append(
                Rule(
                    name="rates_between_0_and_1",
                    model=node["name"],
                    description=f"Every rate lies in [0, 1]: {', '.join(rates)}.",
                    expectations=_rates_in_unit_interval(list(rates)),
                    record_key=grain,
                    query_params=(("grain", grain), ("rates", rates)),
                )
            )
    return rules


MART_RULES = ("no_duplicates_at_grain", "rates_between_0_and_1")


def _values_are_plausible(definitions: LeadDefinitions) -> list[Any]:
    gxe = _gx()
    window = definitions.plausible_values
    return [
        gxe.ExpectColumnValuesToBeNull(
            column="dates_outside_the_window",
            description=f"a date outside the plausible window (before {window.earliest_date}, "
            f"or more than {window.days_after_run} days after the run date, "
            f"{window.scheduled_days_after_run} for a scheduled date): read as empty",
        ),
        gxe.ExpectColumnValuesToBeNull(
            column="negative_amounts", description="a negative amount: read as empty"
        ),
    ]


def plausibility_rules(manifest: dict | None = None) -> list[Rule]:
    """For every raw export table with dates or amounts (the export contract's kinds) and
    a staging model: its records with a date outside the plausible window or a negative
    amount. Staging reads such a value as null (macros/plausibility.sql); this rule names
    them, table, column and record, and never blocks: the record is published without it."""
    naming = _snake_case()
    rules = []
    for system in SYSTEMS:
        for table in system.tables:
            dates = tuple(
                (naming.normalize_path(c.name), c.name, c.scheduled)
                for c in table.columns
                if c.kind in ("date", "timestamp")
            )
            amounts = tuple(
                (naming.normalize_path(c.name), c.name) for c in table.columns if c.kind == "amount"
            )
            model = project.staging_model_of(system.name, table.name, manifest)
            if not (dates or amounts) or not table.primary_key or model is None:
                continue
            rules.append(
                Rule(
                    name="values_are_plausible",
                    model=model,
                    description=f"No record of {system.dataset}.{table.name} has a date outside "
                    "the plausible window or a negative amount (each is read as empty).",
                    expectations=_values_are_plausible,
                    kind=DEFINITION,
                    record_key=("record_id",),
                    records=Records(
                        f"{system.dataset}.{table.name}", "record_id", details=("source_file",)
                    ),
                    query_params=(
                        ("relation", project.source_relation(system.name, table.name, manifest)),
                        ("terms", project.source_relation("definitions", "terms", manifest)),
                        ("key", naming.normalize_path(table.primary_key)),
                        ("dates", dates),
                        ("amounts", amounts),
                    ),
                    blocks_publishing=False,
                )
            )
    return rules


def _snake_case():
    """dlt's names of the raw columns (a path keeps its '__': MQL_Date__c -> mql_date__c)."""
    from dlt.common.normalizers.naming.snake_case import NamingConvention

    return NamingConvention()


def gate_rules(manifest: dict | None = None) -> list[Rule]:
    """Every rule the gate runs: the agreed rules, the rules of every mart, and the
    plausibility flags of every raw table."""
    return [*RULES, *mart_rules(manifest), *plausibility_rules(manifest)]


def models_published_after_the_gate(manifest: dict | None = None) -> list[str]:
    """What publishing waits for: every model a rule guards, and every mart."""
    marts = {node["name"] for node in filter(project.is_mart, project.models(manifest))}
    return sorted(marts | {rule.model for rule in gate_rules(manifest)})
