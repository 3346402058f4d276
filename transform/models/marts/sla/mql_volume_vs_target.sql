-- Marketing's side of the SLA per month: MQLs delivered to sales against the agreed
-- monthly target, and how sales judged them (accepted = SAL, or rejected back to nurture).
-- One row per calendar month with at least one MQL.
--
-- The target: a fixed definitions.terms.monthly_mql_target wins (target_basis 'fixed').
-- Without one it is derived from the monthly new-revenue goal through the conversion
-- observed over the conversion_window_days before the month starts (target_basis
-- 'derived'): MQLs needed = goal / (average won deal size x MQL-to-won rate), rounded up to
-- whole MQLs. The observed cohort is the MQLs (int_mqls_sla_measured) dated in the window;
-- an MQL is won when the opportunity its lead was converted into (Lead.ConvertedOpportunityId,
-- the CRM's own record of which lead became which deal) was won
-- (int_opportunities_closed.won_at, the one definition) before the month starts, so a month's target uses only what was known when it began. The
-- average deal size is over those won opportunities. With no won deal in the window there
-- is nothing to derive from: the target is null (target_basis 'insufficient_history').
-- Every input is a column, so a reader can redo the arithmetic.

with mqls as (
    select * from {{ ref('int_mqls_sla_measured') }}
),

leads as (
    select lead_id, converted_opportunity_id
    from {{ ref('stg_crm__leads') }}
),

-- when each deal was won: the one definition (int_opportunities_closed), as a date
won_opportunities as (
    select opportunity_id, amount, cast(won_at as date) as won_on
    from {{ ref('int_opportunities_closed') }}
    where is_won
),

terms as (
    select
        definitions_version,
        monthly_mql_target,
        monthly_new_revenue_goal,
        conversion_window_days
    from {{ source('definitions', 'terms') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as month_start,
        count(*) as mqls_delivered,
        sum(case when responded_at is not null and responded_at = accepted_at then 1 else 0 end)
            as mqls_accepted,
        sum(case when responded_at is not null and responded_at = rejected_at
            and (accepted_at is null or accepted_at <> responded_at) then 1 else 0 end)
            as mqls_rejected,
        max(data_as_of) as data_as_of
    from mqls
    group by 1
),

-- Each MQL with the won opportunity its lead was converted into, if any.
mql_outcomes as (
    select
        mqls.lead_id,
        mqls.mql_at,
        won_opportunities.opportunity_id as won_opportunity_id,
        won_opportunities.amount as won_amount,
        won_opportunities.won_on
    from mqls
    left join leads
        on leads.lead_id = mqls.lead_id
    left join won_opportunities
        on won_opportunities.opportunity_id = leads.converted_opportunity_id
),

-- The trailing window of each month: [month start - conversion_window_days, month start).
windows as (
    select
        monthly.month_start,
        terms.conversion_window_days,
        cast({{ dbt.dateadd('day', '-1 * terms.conversion_window_days', 'monthly.month_start') }} as date)
            as observed_window_start
    from monthly
    cross join terms
),

-- The MQLs dated in the window, and which of them were won before the month started.
window_mqls as (
    select
        windows.month_start,
        mql_outcomes.lead_id,
        mql_outcomes.won_opportunity_id,
        mql_outcomes.won_amount,
        coalesce(mql_outcomes.won_on < windows.month_start, false) as is_won_by_month_start
    from windows
    inner join mql_outcomes
        on mql_outcomes.mql_at >= windows.observed_window_start
        and mql_outcomes.mql_at < windows.month_start
),

-- The won deals of the window, once each even if two leads were converted into one.
window_won_deals as (
    select distinct
        month_start,
        won_opportunity_id,
        won_amount
    from window_mqls
    where is_won_by_month_start
),

observed as (
    select
        windows.month_start,
        windows.observed_window_start,
        windows.conversion_window_days,
        coalesce(mql_counts.observed_mql_count, 0) as observed_mql_count,
        coalesce(mql_counts.observed_won_mql_count, 0) as observed_won_mql_count,
        coalesce(deal_totals.observed_won_deal_count, 0) as observed_won_deal_count,
        coalesce(deal_totals.observed_won_amount, 0) as observed_won_amount
    from windows
    left join (
        select
            month_start,
            count(*) as observed_mql_count,
            sum(case when is_won_by_month_start then 1 else 0 end) as observed_won_mql_count
        from window_mqls
        group by month_start
    ) as mql_counts
        on mql_counts.month_start = windows.month_start
    left join (
        select
            month_start,
            count(*) as observed_won_deal_count,
            sum(cast(won_amount as double)) as observed_won_amount
        from window_won_deals
        group by month_start
    ) as deal_totals
        on deal_totals.month_start = windows.month_start
),

-- goal / (average deal x rate) = goal x MQLs x deals / (won amount x won MQLs): the same
-- quotient, computed from the counts so that round numbers stay exact before rounding up.
targeted as (
    select
        monthly.*,
        observed.observed_window_start,
        observed.conversion_window_days,
        observed.observed_mql_count,
        observed.observed_won_mql_count,
        observed.observed_won_deal_count,
        observed.observed_won_amount,
        terms.monthly_new_revenue_goal,
        terms.definitions_version,
        case
            when terms.monthly_mql_target is not null then 'fixed'
            when terms.monthly_new_revenue_goal is not null
                and observed.observed_won_deal_count > 0
                and observed.observed_won_amount > 0
                then 'derived'
            else 'insufficient_history'
        end as target_basis,
        case
            when terms.monthly_mql_target is not null then terms.monthly_mql_target
            when terms.monthly_new_revenue_goal is not null
                and observed.observed_won_deal_count > 0
                and observed.observed_won_amount > 0
                then ceiling(
                    cast(terms.monthly_new_revenue_goal as double)
                    * observed.observed_mql_count * observed.observed_won_deal_count
                    / (observed.observed_won_amount * observed.observed_won_mql_count)
                )
        end as monthly_mql_target
    from monthly
    inner join observed
        on observed.month_start = monthly.month_start
    cross join terms
)

select
    month_start,
    cast(mqls_delivered as bigint) as mqls_delivered,
    cast(monthly_mql_target as bigint) as monthly_mql_target,
    cast(target_basis as {{ dbt.type_string() }}) as target_basis,
    cast(mqls_delivered as double) / nullif(monthly_mql_target, 0) as share_of_target_delivered,
    case
        when monthly_mql_target is null then null
        when mqls_delivered >= monthly_mql_target then true
        when {{ dbt.dateadd('month', 1, 'month_start') }} <= data_as_of then false
    end as is_target_met,
    cast(mqls_accepted as bigint) as mqls_accepted,
    cast(mqls_rejected as bigint) as mqls_rejected,
    cast(mqls_accepted as double)
        / nullif(mqls_accepted + mqls_rejected, 0) as acceptance_rate,
    {{ dbt.dateadd('month', 1, 'month_start') }} <= data_as_of as is_complete_month,
    cast(monthly_new_revenue_goal as double) as monthly_new_revenue_goal,
    observed_window_start,
    month_start as observed_window_end,
    cast(conversion_window_days as bigint) as conversion_window_days,
    cast(observed_mql_count as bigint) as observed_mql_count,
    cast(observed_won_mql_count as bigint) as observed_won_mql_count,
    cast(observed_won_deal_count as bigint) as observed_won_deal_count,
    cast(observed_won_amount as double) as observed_won_amount,
    cast(observed_won_mql_count as double) / nullif(observed_mql_count, 0)
        as observed_mql_to_won_rate,
    cast(observed_won_amount as double) / nullif(observed_won_deal_count, 0)
        as observed_average_deal_size,
    cast(definitions_version as varchar) as definitions_version
from targeted
