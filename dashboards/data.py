"""What the dashboards read: small frames from the published marts, aggregated in SQL.

The dashboards read only the published copy (`settings.published_warehouse_path()`, schemas
`marts` and `definitions`), which is replaced only after every blocking quality check
passed, so a page never shows numbers the gate has not seen. The marts have no 'all' rows:
counts are summed over their slices here, and rates are sums of numerators over sums of
denominators, never averages of rates (the marts' YAML says so for each).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd

from dashboards.formatting import plain

FUNNEL_COUNTS = ("leads", "mqls", "sals", "sqls", "opportunities", "customers")


class PublishedMarts:
    """A read-only connection to the published marts; `frame` runs one query."""

    def __init__(self, path: Path):
        if not path.exists():
            raise FileNotFoundError(f"{path}: no published marts yet (the gate has never passed)")
        self.path = path
        self.connection = duckdb.connect(str(path), read_only=True)

    def __enter__(self) -> PublishedMarts:
        return self

    def __exit__(self, *_) -> None:
        self.connection.close()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, params or []).df()

    def row(self, sql: str, params: list | None = None) -> dict:
        """The first row as a dict of plain values (None for SQL null); {} without a row."""
        rows = self.frame(sql, params).to_dict("records")
        return {name: plain(value) for name, value in rows[0].items()} if rows else {}

    def published_at(self) -> dt.datetime:
        """When the gate last passed: the published file was moved in place then."""
        return dt.datetime.fromtimestamp(os.stat(self.path).st_mtime, dt.UTC)

    def definitions_version(self) -> str | None:
        return self.row("select definitions_version from definitions.terms").get(
            "definitions_version"
        )


# --- funnel -----------------------------------------------------------------------------


def funnel_totals(marts: PublishedMarts) -> dict:
    """Persons entering each stage over all the data, and the cohort's end-to-end rates.

    Summed at month grain: every grain holds the same entries, so any one of them gives the
    totals (funnel_conversion_by_period's YAML).
    """
    entries = marts.row(f"""
        select {", ".join(f"sum({c}) as {c}" for c in FUNNEL_COUNTS)},
               sum(sales_sourced_sqls) as sales_sourced_sqls
        from marts.funnel_conversion_by_period where period_grain = 'month'""")
    cohort = marts.row("""
        select sum(lead_to_mql_conversions) / nullif(sum(leads), 0) as lead_to_mql_rate,
               sum(lead_to_customer_conversions) / nullif(sum(leads), 0) as lead_to_customer_rate
        from marts.funnel_conversion_by_cohort where period_grain = 'month'""")
    return {**entries, **cohort}


def funnel_by_period(marts: PublishedMarts) -> pd.DataFrame:
    """Stage entries per grain and period, summed over the slices."""
    return marts.frame(f"""
        select period_grain, period_start,
               {", ".join(f"sum({c}) as {c}" for c in FUNNEL_COUNTS)},
               sum(sales_sourced_sqls) as sales_sourced_sqls
        from marts.funnel_conversion_by_period
        group by period_grain, period_start
        order by period_grain, period_start""")


def funnel_cohort_rates(marts: PublishedMarts) -> pd.DataFrame:
    """Step rates of the same persons per grain and cohort (always between 0 and 1)."""
    return marts.frame("""
        select period_grain, cohort_start as period_start,
               sum(cohort_persons) as cohort_persons, sum(leads) as leads,
               sum(lead_to_mql_conversions) / nullif(sum(leads), 0) as lead_to_mql_rate,
               sum(mql_to_sal_conversions) / nullif(sum(mqls), 0) as mql_to_sal_rate,
               sum(sal_to_sql_conversions) / nullif(sum(sals), 0) as sal_to_sql_rate,
               sum(sql_to_opportunity_conversions) / nullif(sum(sqls), 0)
                   as sql_to_opportunity_rate,
               sum(opportunity_to_customer_conversions) / nullif(sum(opportunities), 0)
                   as opportunity_to_customer_rate,
               sum(lead_to_customer_conversions) / nullif(sum(leads), 0) as lead_to_customer_rate
        from marts.funnel_conversion_by_cohort
        group by period_grain, cohort_start
        order by period_grain, cohort_start""")


def funnel_by_channel(marts: PublishedMarts) -> pd.DataFrame:
    """Each acquisition channel's persons followed through the funnel (cohort view)."""
    return marts.frame("""
        select coalesce(any_value(f.channel_name), f.channel_key) as channel_name,
               sum(f.cohort_persons) as cohort_persons, sum(f.leads) as leads,
               sum(f.mqls) as mqls, sum(f.sqls) as sqls,
               sum(f.opportunities) as opportunities, sum(f.customers) as customers,
               sum(f.lead_to_mql_conversions) / nullif(sum(f.leads), 0) as lead_to_mql_rate,
               sum(f.lead_to_customer_conversions) / nullif(sum(f.leads), 0)
                   as lead_to_customer_rate
        from marts.funnel_conversion_by_cohort as f
        left join definitions.channels as c on c.channel_key = f.channel_key
        where f.period_grain = 'month'
        group by f.channel_key
        order by min(c.channel_order) nulls last, f.channel_key""")


def time_in_stage(marts: PublishedMarts) -> pd.DataFrame:
    """Average days in each stage of the persons who left it (velocity mart, all periods)."""
    return marts.frame("""
        select v.stage_key, any_value(s.stage_name) as stage_name,
               sum(v.persons_left) as persons_left,
               sum(v.total_days_in_stage) / nullif(sum(v.persons_left_timed), 0)
                   as avg_days_in_stage
        from marts.funnel_stage_velocity as v
        left join definitions.lifecycle_stages as s on s.stage_key = v.stage_key
        where v.period_grain = 'month'
        group by v.stage_key
        order by min(v.stage_order)""")


def lead_velocity(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("""
        select period_grain, period_start, mqls, previous_period_mqls, lead_velocity_rate
        from marts.lead_velocity_rate order by period_grain, period_start""")


# --- SLA --------------------------------------------------------------------------------

SLA_RATES = """
    sum(first_touch_met_count) / nullif(sum(first_touch_measured_count), 0)
        as first_touch_met_rate,
    sum(follow_up_met_count) / nullif(sum(follow_up_measured_count), 0) as follow_up_met_rate,
    sum(response_met_count) / nullif(sum(response_measured_count), 0) as response_met_rate,
    sum(mql_count) as mqls, sum(never_touched_count) as never_touched,
    sum(sla_breached_count) as sla_breached"""


def sla_totals(marts: PublishedMarts) -> dict:
    return marts.row(
        f"select {SLA_RATES} from marts.sla_compliance_by_owner where period_grain = 'month'"
    )


def sla_by_period(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame(f"""
        select period_grain, period_start, {SLA_RATES}
        from marts.sla_compliance_by_owner
        group by period_grain, period_start order by period_grain, period_start""")


def sla_by_owner(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame(f"""
        select coalesce(owner_name, owner_id || ' (queue)') as owner, {SLA_RATES}
        from marts.sla_compliance_by_owner where period_grain = 'month'
        group by owner_id, owner_name order by mqls desc, owner""")


def speed_to_first_touch(marts: PublishedMarts) -> pd.DataFrame:
    """Median business hours to first touch per owner and period (medians do not add up)."""
    return marts.frame("""
        select period_grain, period_start, coalesce(owner_name, owner_id || ' (queue)') as owner,
               median_business_hours_to_first_touch as median_hours, mql_count
        from marts.sla_compliance_by_owner
        order by period_grain, owner, period_start""")


def sla_terms(marts: PublishedMarts) -> dict:
    return marts.row("""
        select first_touch_within_business_hours, follow_up_attempts, follow_up_within_days,
               accept_or_reject_within_business_hours, monthly_mql_target,
               monthly_new_revenue_goal, conversion_window_days
        from definitions.terms""")


def mql_volume(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame("""
        select month_start as period_start, mqls_delivered, monthly_mql_target, target_basis,
               share_of_target_delivered, is_target_met, mqls_accepted, mqls_rejected,
               acceptance_rate, is_complete_month
        from marts.mql_volume_vs_target order by month_start""")


def acceptance_totals(marts: PublishedMarts) -> dict:
    return marts.row("""
        select sum(mqls_accepted) as accepted, sum(mqls_rejected) as rejected,
               sum(mqls_accepted) / nullif(sum(mqls_accepted) + sum(mqls_rejected), 0)
                   as acceptance_rate
        from marts.mql_volume_vs_target""")


NO_REASON = "(no reason recorded)"


def outcome_reasons(marts: PublishedMarts) -> pd.DataFrame:
    """MQLs per outcome and reason over all months and sources, most frequent first."""
    return marts.frame(f"""
        select outcome, coalesce(outcome_reason, '{NO_REASON}') as reason,
               bool_or(is_agreed_reason) as is_agreed_reason, sum(mql_count) as mqls,
               sum(lost_amount) as lost_amount
        from marts.closed_loop_outcome_reasons
        group by outcome, outcome_reason order by outcome, mqls desc, reason""")


# --- closed loop ------------------------------------------------------------------------

OUTCOME_COUNTS = ("won", "lost", "disqualified", "recycled_to_nurture", "open")
CLOSED_LOOP_DIMENSIONS = {  # what a breakdown is by -> its column and the label of null
    "channel": ("coalesce(acquisition_channel_name, acquisition_channel_key)", "(unknown)"),
    "campaign": ("acquisition_campaign", "(no campaign)"),
    "content": ("acquisition_content", "(no form)"),
    "month": ("strftime(mql_month, '%b %Y')", ""),
}
CLOSED_LOOP_SUMS = (
    "sum(mql_count) as mqls, "
    + ", ".join(f"sum({o}_count) as {o}" for o in OUTCOME_COUNTS)
    + ", sum(won_count) / nullif(sum(won_count) + sum(lost_count), 0) as win_rate"
    ", sum(opportunity_count) as opportunities, sum(won_revenue) as won_revenue"
    ", sum(open_pipeline) as open_pipeline"
)


def closed_loop_totals(marts: PublishedMarts) -> dict:
    return marts.row(f"select {CLOSED_LOOP_SUMS} from marts.closed_loop_by_source")


def closed_loop_by(marts: PublishedMarts, dimension: str, limit: int = 15) -> pd.DataFrame:
    """Outcomes of the MQLs per channel, campaign, content or month; the biggest first."""
    expression, missing = CLOSED_LOOP_DIMENSIONS[dimension]
    order = "min(mql_month)" if dimension == "month" else "mqls desc, label"
    return marts.frame(f"""
        select coalesce({expression}, '{missing}') as label, {CLOSED_LOOP_SUMS}
        from marts.closed_loop_by_source
        group by label order by {order} limit {int(limit)}""")


# --- attribution ------------------------------------------------------------------------

ATTRIBUTION_SUMS = """
    sum(attributed_opportunities) as opportunities, sum(attributed_pipeline) as pipeline,
    sum(attributed_won_opportunities) as won_opportunities, sum(attributed_revenue) as revenue"""


def attribution_totals(marts: PublishedMarts) -> dict:
    """Opportunities, pipeline and revenue: the same under every model, so read from one."""
    return marts.row(f"""
        select {ATTRIBUTION_SUMS}, count(distinct attribution_model) as models
        from marts.attribution_by_channel
        where attribution_model = (select min(attribution_model)
                                   from marts.attribution_by_channel)""")


def attribution_by_channel(marts: PublishedMarts) -> pd.DataFrame:
    return marts.frame(f"""
        select attribution_model, channel_key, any_value(channel_name) as channel_name,
               {ATTRIBUTION_SUMS}
        from marts.attribution_by_channel
        group by attribution_model, channel_key
        order by min(coalesce(channel_order, 1000)), channel_key, attribution_model""")


def attribution_by_campaign(marts: PublishedMarts, limit: int = 12) -> pd.DataFrame:
    """Pipeline and revenue per campaign and model, for the campaigns earning most."""
    return marts.frame(f"""
        with by_campaign as (
            select coalesce(campaign, '(no campaign)') as campaign, attribution_model,
                   {ATTRIBUTION_SUMS}
            from marts.attribution_by_channel group by all
        ), ranked as (
            select campaign, max(pipeline) as best from by_campaign group by campaign
            order by best desc, campaign limit {int(limit)}
        )
        select b.* from by_campaign as b join ranked using (campaign)
        order by ranked.best desc, b.campaign, b.attribution_model""")


def attribution_settings(marts: PublishedMarts) -> dict:
    return marts.row("""
        select attribution_lookback_days, u_shaped_first_last_share,
               w_shaped_first_lead_opportunity_share, time_decay_half_life_days
        from definitions.terms""")


# --- journeys ---------------------------------------------------------------------------

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


# --- exceptions to the agreed definitions ------------------------------------------------


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
