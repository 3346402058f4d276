"""Glossary: the definitions file as signed off, with its version, its vocabularies and the
quality gate's tolerances.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from dashboards import formatting
from dashboards.html import (
    Column,
    Metric,
    Page,
    definition_list,
    empty_note,
    grid,
    heading,
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec
from quality.rules import RULES
from transform.definitions import VOCABULARY_MEANINGS, LeadDefinitions

# Every word the pages use for a number or a column, and what it means: the glossary's
# "Words on the pages" (a test checks every headline and column heading is here).
PAGE_TERMS: dict[str, str] = {
    "Leads": "Persons who entered the lead stage: submitted a form for an offer.",
    "MQLs": "Marketing qualified leads: leads that met the MQL rule in force.",
    "SALs": "Sales accepted leads: MQLs sales reviewed and accepted.",
    "SQLs": "Sales qualified leads: judged ready for a sales conversation (see SQL).",
    "Opportunities": "Deals in the CRM; an opportunity belongs to an account.",
    "Customers": "Persons whose account won a deal.",
    "Sales-sourced SQLs": "SQLs without a prior MQL: sales found them, not marketing.",
    "of which SQLs sales-sourced": "Of the period's SQLs, those without a prior MQL.",
    "Lead → MQL": "Of the leads, the share that became MQLs (the same persons followed).",
    "Lead → customer": "Of the leads, the share that became customers (the same persons).",
    "MQL → SQL": "Of the MQLs of the period, the share that reached SQL to date.",
    "SQL → won": "Of the SQLs of the period, the share whose deal was won to date.",
    "Speed to lead": "Median business hours from an MQL to sales' first touch.",
    "First touch": "Sales' first call, e-mail or meeting with an MQL.",
    "First touch in time": "MQLs first touched within the SLA's business hours, of those "
    "whose window has closed.",
    "Sales SLA: first touch in time": "The share of MQLs of the month touched within the "
    "SLA (sales' side of the agreement).",
    "Follow-up in time": "MQLs given the agreed follow-up touches within the agreed days.",
    "Accepted or rejected in time": "MQLs sales accepted or rejected within the SLA's "
    "business hours.",
    "Decided in time": "The same as accepted or rejected in time.",
    "MQLs never touched": "MQLs whose first-touch window passed with no touch at all.",
    "Never touched": "The same as MQLs never touched.",
    "Breached any SLA": "MQLs that missed at least one of the three sales SLAs.",
    "MQLs handed to sales": "Every MQL marketing passed to sales.",
    "Accepted by sales": "Of the MQLs sales decided on, the share it accepted (SAL).",
    "MQLs delivered": "MQLs marketing delivered in the month.",
    "Monthly MQL target": "The MQLs marketing owes per month: the agreed fixed target, or "
    "one derived from the revenue goal.",
    "MQLs of the monthly target": "One month's MQLs divided by that month's target.",
    "Marketing SLA: MQLs of the monthly target": "Marketing's side of the agreement: one "
    "month's MQLs divided by that month's target.",
    "Share of target": "MQLs delivered divided by the monthly MQL target.",
    "Target from": "Where the month's target comes from: fixed, or the revenue goal.",
    "Target met?": "met, short (a complete month below target), running or no target.",
    "Won": "MQLs whose deal was won (closed won).",
    "Lost": "MQLs whose deal was lost (closed, not won).",
    "Open": "MQLs still being worked: no final outcome yet.",
    "Disqualified": "MQLs sales judged not to be a fit, with a disqualification reason.",
    "Recycled to nurture": "MQLs sales rejected back to marketing, with a rejection reason.",
    "Win rate": "Won ÷ (won + lost): of the decided deals, the share won.",
    "Won deals": "Opportunities closed won.",
    "Revenue won": "The amount of the deals closed won, in the currency of the definitions.",
    "Pipeline": "The amount of every opportunity created (open, won and lost).",
    "Pipeline created": "The amount of the opportunities created in the period.",
    "Open pipeline": "The amount of the open opportunities that came from an MQL.",
    "Not attributable to an MQL": "Money of opportunities with no MQL before them "
    "(sales-sourced): the Attribution page counts it, the Closed loop page does not.",
    "Attribution page": "The figure as the Attribution page shows it: every opportunity.",
    "Closed loop page": "The figure as the Closed loop page shows it: only the outcomes of MQLs.",
    "Channel": "The agreed acquisition channel (see Acquisition channels).",
    "Segment": "The agreed company-size segment.",
    "Owner": "The lead's current owner in the CRM: a rep or a queue.",
    "Stage": "A lifecycle stage of the agreed definitions.",
    "Touch": "One interaction: a web visit, an e-mail, a form, a sales call or meeting.",
    "Touchpoints": "Interactions on the journeys shown.",
    "Persons with a journey": "Known persons with at least one touch.",
    "Accounts with a journey": "Companies with at least one touch of their buying group.",
    "Model": "An attribution model (first touch, last touch, linear, U, W, time decay).",
    "Last touch": "Attribution model: all credit to the last touch before the opportunity.",
    "Linear": "Attribution model: credit shared evenly over the touches.",
    "Time decay": "Attribution model: more credit to recent touches (see its half-life).",
    "U-shaped": "Attribution model: most credit to the first and the lead-creating touch.",
    "W-shaped": "Attribution model: most credit to first, lead-creating and last touch.",
    "Definitions version": "The version of the definitions file both teams signed off.",
    "Signed off on": "The day marketing and sales signed the definitions off.",
    "Last refresh": "When the pages were last rendered.",
    "Sources fresh": "Export systems whose newest drop arrived within the agreed window.",
    "Freshness": "fresh, stale or overdue: how long ago the newest export drop arrived.",
    "Stale after": "How long after its newest drop a source reads as stale.",
    "Newest drop": "The newest day folder of exports loaded.",
    "Newest record loaded": "The newest vendor time inside the loaded rows (not judged).",
    "Consent pings": "GA4 consent-mode hits without a browser id: counted, tied to no one.",
    "Quality rules passed": "Rules of the quality gate that passed on the published run.",
    "dbt tests passed": "dbt tests (one column of one model) that passed.",
    "Exceptions": "Records breaking an agreed definition, listed with their source ids.",
    "Exceptions to the definitions": "The same, per rule.",
    "Tolerance": "How many exceptions a rule allows before it blocks publishing.",
    "Allowed": "The tolerance as a number of records.",
    "Rows judged": "Rows a rule checked.",
    "Rows checked": "Rows a check judged in its latest evaluation.",
    "Failing rows": "Of them, the rows breaking the check.",
    "Evaluated": "When the check was last evaluated.",
    "Rule": "A quality rule of the gate.",
    "Rule on an agreed definition": "A definition rule (see Quality gate).",
}


TOLERANCE_MEANING = (
    "Records breaking an agreed definition are listed as exceptions; "
    "publishing stops only above the tolerance both teams set, default 0."
)


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    definitions = inputs.definitions
    published_version = inputs.marts.definitions_version()
    page = Page(
        spec.slug,
        spec.title,
        "What every word on these pages means: the definitions marketing and sales "
        "signed off, printed from the definitions file.",
    )
    signed = definitions.signed_off
    page.metrics = [
        Metric("definitions_version", "Definitions version", definitions.version, "text"),
        Metric(
            "signed_off_on",
            "Signed off on",
            signed.date.isoformat(),
            "text",
            note=f"{signed.marketing} and {signed.sales}",
        ),
    ]
    warning = Markup("")
    if published_version and published_version != definitions.version:
        warning = empty_note(
            f"The definitions file now says version {definitions.version}, but the "
            f"published numbers were built with version {published_version}: they follow "
            "the new one after the next successful run."
        )
    hours = definitions.business_hours
    sla, marketing = definitions.sales_sla, definitions.marketing_sla
    weekdays = ", ".join(
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][d - 1] for d in hours.weekdays
    )
    page.body = [
        warning,
        section(
            "Lifecycle stages",
            "In order; a person is in exactly one current stage, the last they entered.",
            table(
                pd.DataFrame([s.model_dump() for s in definitions.lifecycle_stages]),
                [Column("name", "Stage"), Column("key", "Key"), Column("definition", "Definition")],
                "The stages",
            ),
        ),
        section(
            "The MQL rule",
            "Behaviour and fit. A record is judged by the rule in force when it qualified.",
            *(_mql_rule(rule, definitions) for rule in definitions.mql_rules),
        ),
        section(
            "Service levels",
            "",
            definition_list(
                [
                    (
                        "Business hours",
                        f"{weekdays}, {hours.start:%H:%M}–{hours.end:%H:%M} "
                        f"({hours.time_zone}); every SLA clock counts only these.",
                    ),
                    (
                        "First touch",
                        f"Sales touches an MQL within "
                        f"{formatting.hours(sla.first_touch_within_business_hours)} of "
                        "business time.",
                    ),
                    (
                        "Follow-up",
                        f"{sla.follow_up_attempts} touches within "
                        f"{sla.follow_up_within_days} calendar days, unless sales decided "
                        "after reaching the lead.",
                    ),
                    (
                        "Accept or reject",
                        f"Within "
                        f"{formatting.hours(sla.accept_or_reject_within_business_hours)}"
                        " of business time.",
                    ),
                    ("Rejection reasons", ", ".join(sla.rejection_reasons)),
                    (
                        "Unreached reasons",
                        ", ".join(sla.unreached_rejection_reasons)
                        + " (they do not excuse the follow-up attempts)",
                    ),
                    (
                        "Marketing's MQL target",
                        f"{formatting.count(marketing.monthly_mql_target)} MQLs a month"
                        if marketing.monthly_mql_target
                        else f"Derived from the monthly new-revenue goal of "
                        f"{formatting.amount(marketing.monthly_new_revenue_goal)} "
                        f"{formatting.currency_unit(definitions.currency)} through the "
                        "conversion observed over the "
                        f"{marketing.conversion_window_days} days before each month.",
                    ),
                    ("SQL", definitions.sql_rule.definition),
                    (
                        "Disqualification reasons",
                        ", ".join(definitions.sql_rule.disqualification_reasons),
                    ),
                    ("Opportunity", definitions.opportunity_rule.definition),
                    (
                        "Sales-sourced lead sources",
                        ", ".join(definitions.opportunity_rule.sales_sourced_lead_sources),
                    ),
                ]
            ),
        ),
        section(
            "Acquisition channels",
            "Every source value each system uses belongs to exactly one channel.",
            table(
                pd.DataFrame(
                    [
                        {
                            "name": c.name,
                            "key": c.key,
                            "marketing_automation": ", ".join(c.marketing_automation),
                            "crm": ", ".join(c.crm),
                            "web_analytics": ", ".join(c.web_analytics),
                        }
                        for c in definitions.channels
                    ]
                ),
                [
                    Column("name", "Channel"),
                    Column("key", "Key"),
                    Column("marketing_automation", "HubSpot original source"),
                    Column("crm", "Salesforce LeadSource"),
                    Column("web_analytics", "GA4 medium"),
                ],
                "The channels",
            ),
        ),
        section(
            "Company-size segments",
            "A company belongs to the last segment whose minimum head count it reaches.",
            table(
                pd.DataFrame(
                    [
                        {"name": s.name, "key": s.key, "min_employees": s.min_employees}
                        for s in definitions.segments
                    ]
                ),
                [
                    Column("name", "Segment"),
                    Column("key", "Key"),
                    Column("min_employees", "From employees", "count"),
                ],
                "The segments",
            ),
        ),
        section(
            "Attribution and web sessions",
            "",
            definition_list(
                [
                    (
                        "Lookback",
                        f"{definitions.attribution.lookback_days} days before the "
                        "opportunity was created.",
                    ),
                    (
                        "U-shaped",
                        f"{formatting.rate(definitions.attribution.u_shaped_first_last_share)}"
                        " each to the first and the lead-creating touch, the rest spread.",
                    ),
                    (
                        "W-shaped",
                        formatting.rate(
                            definitions.attribution.w_shaped_first_lead_opportunity_share
                        )
                        + " each to the first, the lead-creating and the last touch,"
                        " the rest spread.",
                    ),
                    (
                        "Time decay",
                        f"Half-life {definitions.attribution.time_decay_half_life_days:g} "
                        "days: a touch that long before counts half.",
                    ),
                    (
                        "Web session",
                        f"Ends after {definitions.web.session_timeout_minutes} minutes "
                        "without an event.",
                    ),
                ]
            ),
        ),
        _page_words(inputs.marts),
        _vocabularies(definitions),
        _tolerances(definitions),
    ]
    return page


def _page_words(marts) -> Markup:
    """Every word the pages use for a number or a column, and the names of what no agreed
    channel covers (marts.channels_outside_the_list, their one home)."""
    outside = marts.frame(
        "select channel_name, meaning from marts.channels_outside_the_list order by channel_key"
    )
    return section(
        "Words on the pages",
        "What each headline and column heading means, and the names given to what no agreed "
        "channel covers.",
        definition_list(sorted(PAGE_TERMS.items(), key=lambda item: item[0].lower())),
        heading("Outside the agreed channels"),
        definition_list(list(zip(outside["channel_name"], outside["meaning"], strict=True))),
    )


NO_MEANING = "nothing agreed: known, and moves no number"


def _vocabularies(definitions: LeadDefinitions) -> Markup:
    """What each value a source system uses means in the agreed language."""
    stage_names = {stage.key: stage.name for stage in definitions.lifecycle_stages}
    tables = []
    for key, vocabulary in definitions.vocabularies.items():
        system = VOCABULARY_MEANINGS[key][0]
        frame = pd.DataFrame(
            [
                {
                    "value": value,
                    "meaning": NO_MEANING
                    if meaning is None
                    else stage_names.get(meaning, meaning)
                    if key == "marketing_lifecycle_stage"
                    else meaning.replace("_", " "),
                }
                for value, meaning in vocabulary.values.items()
            ],
            columns=["value", "meaning"],
        )
        tables.append(
            table(
                frame,
                [Column("value", "Value in the export"), Column("meaning", "Means")],
                vocabulary.name,
                f"Source system {system}; vocabulary {key}.",
                "No value listed: every value is unknown until one is.",
            )
        )
    return section(
        "Vocabularies",
        "What each value a system uses means in the agreed language: every Lead Status, "
        "opportunity stage, HubSpot lifecycle stage and lead status, e-mail event type and "
        "form. The numbers are decided by the meaning, never by the vendor's word. Values "
        "compare ignoring case and surrounding spaces; a value in no list is unknown: it "
        "means nothing, never stops a run, and is counted on the data status page.",
        grid(*tables),
    )


def _tolerances(definitions: LeadDefinitions) -> Markup:
    """The quality gate's tolerances, as the definitions file sets them."""
    rows = []
    for rule in RULES:
        if not rule.is_definition:
            continue
        tolerance = definitions.quality_tolerances.get(rule.name)
        rows.append(
            {
                "rule": rule.name.replace("_", " "),
                "description": rule.description,
                "tolerance": tolerance.describe() if tolerance else "0: any exception blocks",
                "agreed_because": (tolerance.agreed_because or "") if tolerance else "",
            }
        )
    integrity = sorted(
        {rule.name.replace("_", " ") for rule in RULES if not rule.is_definition}
        | {"no duplicates at grain", "rates between 0 and 1"}
    )
    return section(
        "Quality gate: exceptions and tolerances",
        f"{TOLERANCE_MEANING} A tolerance is a share of the rows a rule judges or a number of "
        "records (quality_tolerances in the definitions file); the exceptions are published "
        "as quality.rule_exceptions, with the HubSpot and Salesforce ids and the e-mail of "
        "each record, and listed on the data status page.",
        table(
            pd.DataFrame(rows),
            [
                Column("rule", "Rule on an agreed definition"),
                Column("description", "What it asks"),
                Column("tolerance", "Tolerance"),
                Column("agreed_because", "Agreed because"),
            ],
            "Definition rules and their tolerance",
        ),
        definition_list(
            [
                (
                    "Integrity rules",
                    "Rules on the pipeline's own work take no tolerance: one failing row stops "
                    "publishing. They are: " + ", ".join(integrity) + ".",
                )
            ]
        ),
    )


def _mql_rule(rule, definitions: LeadDefinitions) -> Markup:
    later = [r.in_force_from for r in definitions.mql_rules if r.in_force_from > rule.in_force_from]
    until = f"until {min(later)}" if later else "in force now"
    icp = rule.ideal_customer_profile
    return heading(f"Version {rule.version}: from {rule.in_force_from}, {until}") + (
        definition_list(
            [
                (
                    "Behaviour",
                    f"A lead score of at least {rule.score_threshold}, or a high-intent "
                    f"form: {', '.join(rule.high_intent_form_types)}.",
                ),
                (
                    "Fit: company",
                    f"At least {icp.min_employees:,} employees, in {', '.join(icp.industries)}.",
                ),
                ("Fit: country", ", ".join(icp.countries)),
                (
                    "Fit: e-mail",
                    "A business address: not " + ", ".join(rule.excluded_email_domains),
                ),
            ]
        )
    )
