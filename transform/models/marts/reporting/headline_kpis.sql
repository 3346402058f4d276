-- The headlines both teams ask first, for the headline month and the month before it
-- (reporting_periods): one row per headline and period, with the numerator and the base
-- (denominator) every rate is read against, so no number stands beside a rate of another
-- base. Conversion rates follow the persons who entered the first stage in the period,
-- to date (recent ones are still moving); speed to lead is the median business hours from
-- MQL to first touch; pipeline is the amount of the opportunities created in the period,
-- revenue that of the deals won in it (won_at, the one definition in int_opportunities_closed).
with periods as (
    select period_key, period_start, period_end
    from {{ ref('reporting_periods') }}
    where period_key in ('headline_month', 'previous_month')
),

entries as (
    select person_id, stage_key, cast(entered_at as date) as entered_on
    from {{ ref('funnel_stage_entries') }}
),

step_rates as (
    select
        case when first_stage.stage_key = 'mql' then 'mql_to_sql_rate' else 'sql_to_won_rate' end
            as headline_key,
        periods.period_key,
        count(distinct next_stage.person_id) as numerator,
        count(distinct first_stage.person_id) as denominator
    from periods
    inner join entries as first_stage
        on first_stage.stage_key in ('mql', 'sql')
        and first_stage.entered_on between periods.period_start and periods.period_end
    left join entries as next_stage
        on next_stage.person_id = first_stage.person_id
        and next_stage.stage_key = case when first_stage.stage_key = 'mql' then 'sql' else 'customer' end
    group by 1, 2
),

speed_to_lead as (
    select
        'speed_to_lead_hours' as headline_key,
        periods.period_key,
        median(mqls.business_hours_to_first_touch) as headline_value,
        cast(null as bigint) as numerator,
        count(mqls.business_hours_to_first_touch) as denominator
    from periods
    inner join {{ ref('int_mqls_sla_measured') }} as mqls
        on cast(mqls.mql_at as date) between periods.period_start and periods.period_end
    group by 1, 2
),

first_touch as (
    select
        'first_touch_met_rate' as headline_key,
        periods.period_key,
        sum(sla.first_touch_met_count) as numerator,
        sum(sla.first_touch_measured_count) as denominator
    from periods
    inner join {{ ref('sla_compliance_by_owner') }} as sla
        on sla.period_grain = 'month'
        and sla.period_start = periods.period_start
    group by 1, 2
),

mql_target as (
    select
        'mql_target_share' as headline_key,
        periods.period_key,
        volume.mqls_delivered as numerator,
        volume.monthly_mql_target as denominator
    from periods
    inner join {{ ref('mql_volume_vs_target') }} as volume
        on volume.month_start = periods.period_start
),

opportunities as (
    select amount, cast(created_at as date) as created_on, cast(won_at as date) as won_on
    from {{ ref('int_opportunities_closed') }}
),

money as (
    select
        'pipeline_created' as headline_key,
        periods.period_key,
        sum(opportunities.amount) as headline_value,
        count(opportunities.amount) as denominator
    from periods
    inner join opportunities
        on opportunities.created_on between periods.period_start and periods.period_end
    group by 1, 2
    union all
    select
        'revenue_won',
        periods.period_key,
        sum(opportunities.amount),
        count(opportunities.amount)
    from periods
    inner join opportunities
        on opportunities.won_on between periods.period_start and periods.period_end
    group by 1, 2
),

rates as (
    select headline_key, period_key, numerator, denominator from step_rates
    union all
    select headline_key, period_key, numerator, denominator from first_touch
    union all
    select headline_key, period_key, numerator, denominator from mql_target
),

headlines as (
    select headline_key, period_key, cast(numerator as double) / nullif(denominator, 0) as headline_value,
        numerator, denominator
    from rates
    union all
    select headline_key, period_key, headline_value, numerator, denominator from speed_to_lead
    union all
    select headline_key, period_key, headline_value, null, denominator from money
),

keys as (
    select * from (values
        ('mql_to_sql_rate', 1), ('sql_to_won_rate', 2), ('speed_to_lead_hours', 3),
        ('first_touch_met_rate', 4), ('mql_target_share', 5), ('pipeline_created', 6),
        ('revenue_won', 7)
    ) as k (headline_key, headline_order)  -- noqa: AL05
)

-- Every headline for both periods, a period without data as a null value (not a missing row).
select
    cast(keys.headline_key as varchar) as headline_key,
    cast(keys.headline_order as integer) as headline_order,
    cast(periods.period_key as varchar) as period_key,
    periods.period_start,
    periods.period_end,
    cast(headlines.headline_value as double) as headline_value,
    cast(headlines.numerator as double) as numerator,
    cast(headlines.denominator as double) as denominator
from keys
cross join periods
left join headlines
    on headlines.headline_key = keys.headline_key
    and headlines.period_key = periods.period_key
