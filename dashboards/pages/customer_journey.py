"""Customer journeys: the timelines of chosen example persons and of one account."""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from dashboards import charts, formatting
from dashboards.data import PublishedMarts
from dashboards.html import (
    Column,
    Metric,
    Page,
    definition_list,
    empty,
    section,
    table,
)
from dashboards.pages import PageInputs, PageSpec

TOUCH_DETAIL = """
    case j.touchpoint_type
        when 'web_session' then concat_ws(' · ', concat_ws(' / ', j.source, j.medium),
                                          j.campaign, j.page_url)
        when 'form_submission' then concat_ws(' · ', j.form_name, j.form_type, j.campaign)
        when 'email_engagement' then concat_ws(' · ', j.email_event_type,
                                               'e-mail ' || j.email_campaign_id, j.page_url)
        when 'sales_touch' then concat_ws(' · ', j.sales_touch_type, j.subject)
        when 'stage_entered' then 'Entered ' || coalesce(s.stage_name, j.stage_key)
                                  || case when j.is_inferred then ' (inferred)' else '' end
        when 'opportunity_stage_change' then concat_ws(' · ', j.opportunity_stage_name,
                                                       'amount ' || format('{:,.0f}', j.amount))
    end"""

EXAMPLE_PEOPLE = {  # why a person is shown -> the SQL choosing them (deterministic)
    "The customer with the most kinds of touch": """
        select j.person_id from marts.customer_journey as j
        where j.person_id in (select person_id from marts.funnel_stage_entries
                              where stage_key = 'customer')
        group by j.person_id
        order by count(distinct j.touchpoint_type) desc, count(*) desc, j.person_id limit 1""",
    "A sales-sourced SQL (no MQL before it)": """
        select j.person_id from marts.customer_journey as j
        where j.person_id in (select person_id from marts.funnel_stage_entries
                              where is_sales_sourced_sql)
        group by j.person_id order by count(*) desc, j.person_id limit 1""",
    "An MQL sales recycled to nurture": """
        select j.person_id from marts.customer_journey as j
        where j.person_id in (select person_id from marts.closed_loop_mql_outcomes
                              where outcome = 'recycled_to_nurture')
        group by j.person_id order by count(*) desc, j.person_id limit 1""",
}
EXAMPLE_ACCOUNT = """
    select account_id from marts.account_journey
    group by account_id
    order by count(distinct person_id) desc, count(*) desc, account_id limit 1"""


def journey_totals(marts: PublishedMarts) -> dict:
    return marts.row("""
        select count(distinct person_id) as persons, count(distinct account_id) as accounts,
               count(*) as touchpoints
        from marts.customer_journey""")


def example_person(marts: PublishedMarts, why: str) -> str | None:
    return marts.row(EXAMPLE_PEOPLE[why]).get("person_id")


def example_account(marts: PublishedMarts) -> str | None:
    return marts.row(EXAMPLE_ACCOUNT).get("account_id")


def person_summary(marts: PublishedMarts, person_id: str) -> dict:
    """Who the person is in the funnel: channel, campaign, segment, current stage."""
    return marts.row(
        """
        select f.channel_name, f.campaign, f.segment_name, f.stage_name as current_stage,
               (select count(*) from marts.customer_journey where person_id = ?) as touchpoints
        from marts.funnel_stage_entries as f
        where f.person_id = ? and f.is_current_stage""",
        [person_id, person_id],
    )


def person_journey(marts: PublishedMarts, person_id: str) -> pd.DataFrame:
    return marts.frame(
        f"""
        select j.touchpoint_seq as seq, j.occurred_at, j.touchpoint_type, j.system,
               {TOUCH_DETAIL} as detail, '' as who
        from marts.customer_journey as j
        left join definitions.lifecycle_stages as s on s.stage_key = j.stage_key
        where j.person_id = ? order by j.touchpoint_seq""",
        [person_id],
    )


def account_journey(marts: PublishedMarts, account_id: str) -> pd.DataFrame:
    return marts.frame(
        f"""
        select j.touchpoint_seq as seq, j.occurred_at, j.touchpoint_type, j.system,
               {TOUCH_DETAIL} as detail,
               'Person ' || j.person_rank_in_account || ' of the buying group' as who
        from marts.account_journey as j
        left join definitions.lifecycle_stages as s on s.stage_key = j.stage_key
        where j.account_id = ? order by j.touchpoint_seq""",
        [account_id],
    )


def account_summary(marts: PublishedMarts, account_id: str) -> dict:
    return marts.row(
        """
        select r.account_name, r.acquisition_channel_name, r.is_customer, r.won_revenue,
               r.open_pipeline,
               (select count(distinct person_id) from marts.account_journey
                where account_id = ?) as persons,
               (select count(*) from marts.account_journey where account_id = ?) as touchpoints
        from (select ? as account_id) as wanted
        left join marts.account_revenue as r using (account_id)""",
        [account_id, account_id, account_id],
    )


JOURNEY_ROWS = 40


def build(spec: PageSpec, inputs: PageInputs) -> Page:
    marts = inputs.marts
    page = Page(
        spec.slug,
        spec.title,
        "What did one person, or one account's buying group, do, in order, across web, "
        "marketing and sales?",
    )
    people = {why: example_person(marts, why) for why in EXAMPLE_PEOPLE}
    account = example_account(marts)
    totals = journey_totals(marts)
    page.metrics = [
        Metric("persons", "Persons with a journey", totals.get("persons")),
        Metric("accounts", "Accounts with a journey", totals.get("accounts")),
        Metric(
            "touchpoints",
            "Touchpoints",
            totals.get("touchpoints"),
            note="web, marketing and sales, in one order",
        ),
    ]
    page.body = [
        *(_person_section(page, marts, why, person) for why, person in people.items()),
        _account_section(page, marts, account),
    ]
    return page


def _person_section(page: Page, marts: PublishedMarts, why: str, person: str | None) -> Markup:
    if person is None:
        return section(why, "", empty("Timeline", "No such person in the published data."))
    summary = person_summary(marts, person)
    facts = definition_list(
        [
            ("Person", person),
            ("Channel", formatting.formatted(summary.get("channel_name"), "text")),
            ("Campaign", formatting.formatted(summary.get("campaign"), "text")),
            ("Segment", formatting.formatted(summary.get("segment_name"), "text")),
            ("Current stage", formatting.formatted(summary.get("current_stage"), "text")),
        ]
    )
    return section(why, "", facts, *_journey_parts(page, person_journey(marts, person)))


def _account_section(page: Page, marts: PublishedMarts, account: str | None) -> Markup:
    title = "The account with the largest buying group"
    if account is None:
        return section(
            title, "", empty("Timeline", "No person has been converted to a CRM account yet.")
        )
    summary = account_summary(marts, account)
    facts = definition_list(
        [
            ("Account", f"{summary.get('account_name') or account} ({account})"),
            ("Persons in the buying group", formatting.count(summary.get("persons"))),
            (
                "Credited channel",
                formatting.formatted(summary.get("acquisition_channel_name"), "text"),
            ),
            ("Customer", "yes" if summary.get("is_customer") else "not yet"),
            (
                "Revenue won",
                f"{formatting.amount(summary.get('won_revenue'))} {marts.currency()}",
            ),
        ]
    )
    return section(
        title,
        "Every person of the account in one timeline.",
        facts,
        *_journey_parts(page, account_journey(marts, account)),
    )


def _journey_parts(page: Page, journey: pd.DataFrame) -> list[Markup]:
    if journey.empty:
        return [empty("Timeline", "This example has no touchpoints in the published data.")]
    labelled = journey.assign(
        kind=journey["touchpoint_type"].map(lambda t: charts.TOUCHPOINTS.get(t, (t,))[0])
    )
    shown = labelled.head(JOURNEY_ROWS)
    more = f" The first {JOURNEY_ROWS} of {len(journey):,}." if len(journey) > JOURNEY_ROWS else ""
    return [
        page.chart(
            charts.timeline(journey),
            f"Timeline: {len(journey):,} touchpoints",
            "Hover a point for what happened.",
        ),
        table(
            shown,
            [
                Column("seq", "#", "count"),
                Column("occurred_at", "When", "moment"),
                Column("kind", "Touch"),
                Column("system", "System"),
                Column("detail", "What"),
                Column("who", "Who"),
            ]
            if journey["who"].any()
            else [
                Column("seq", "#", "count"),
                Column("occurred_at", "When", "moment"),
                Column("kind", "Touch"),
                Column("system", "System"),
                Column("detail", "What"),
            ],
            "Touchpoints in order",
            "In the order of the journey mart." + more,
        ),
    ]
