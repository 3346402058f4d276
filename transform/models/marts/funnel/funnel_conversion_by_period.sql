-- Funnel conversion by period of entry: per reporting grain (day, week starting Monday,
-- month, quarter), period and slice (channel, campaign, segment of the person), how many
-- persons entered each funnel stage in the period, and the step rates between those
-- counts. A rate here is a ratio of two counts of the same period, not the share of the
-- same persons who moved on (that is funnel_conversion_by_cohort): SQLs of the month over
-- SALs of the month can exceed 1 (sales-sourced SQLs skip the SAL, and a SAL of last month
-- becomes an SQL this month). One row per grain, period and slice with at least one entry.

with stage_entries as (
    select * from {{ ref('funnel_stage_entries') }}
),

by_period as (
    {{ rows_per_reporting_grain('stage_entries', 'stage_entries.entered_at') }}
),

aggregated as (
    select
        period_grain,
        period_start,
        channel_key,
        campaign,
        segment_key,
        max(channel_name) as channel_name,
        max(segment_name) as segment_name,
        {%- for stage in var('funnel_stages') %}
        sum(case when stage_key = '{{ stage.stage_key }}' then 1 else 0 end) as {{ stage.persons_column }},
        {%- endfor %}
        sum(case when stage_key = 'sql' and is_sales_sourced_sql then 1 else 0 end)
            as sales_sourced_sqls,
        sum(case when is_inferred then 1 else 0 end) as inferred_stage_entries
    from by_period
    group by period_grain, period_start, channel_key, campaign, segment_key
)

select
    {{ surrogate_key(['period_grain', 'period_start', 'channel_key', 'campaign', 'segment_key']) }}
        as funnel_period_id,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    cast(channel_key as {{ dbt.type_string() }}) as channel_key,
    cast(channel_name as {{ dbt.type_string() }}) as channel_name,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(segment_key as {{ dbt.type_string() }}) as segment_key,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast(mqls as {{ dbt.type_bigint() }}) as mqls,
    cast(sals as {{ dbt.type_bigint() }}) as sals,
    cast(sqls as {{ dbt.type_bigint() }}) as sqls,
    cast(sales_sourced_sqls as {{ dbt.type_bigint() }}) as sales_sourced_sqls,
    cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
    cast(customers as {{ dbt.type_bigint() }}) as customers,
    cast(inferred_stage_entries as {{ dbt.type_bigint() }}) as inferred_stage_entries,
    cast(mqls as double) / nullif(leads, 0) as lead_to_mql_rate,
    cast(sals as double) / nullif(mqls, 0) as mql_to_sal_rate,
    cast(sqls as double) / nullif(sals, 0) as sal_to_sql_rate,
    cast(opportunities as double) / nullif(sqls, 0) as sql_to_opportunity_rate,
    cast(customers as double) / nullif(opportunities, 0) as opportunity_to_customer_rate
from aggregated
