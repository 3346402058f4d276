-- Funnel conversion by cohort: persons grouped by the period they entered the funnel (the
-- lead stage, or their first stage when they never were a lead), per reporting grain (day,
-- week starting Monday, month, quarter) and slice (channel, campaign, segment). How many of
-- the cohort reached each stage to date, the step rates of the same persons (of the
-- cohort's MQLs, the share that also became SALs, ...), always between 0 and 1, and the
-- median days from the lead stage to each later stage. One row per grain, cohort and slice.
-- Recent cohorts have had less time to convert: their rates still grow.

with stage_entries as (
    select * from {{ ref('funnel_stage_entries') }}
),

-- One row per person: which stages they reached, and when after becoming a lead.
cohort_persons as (
    select
        person_id,
        funnel_entered_at,
        channel_key,
        channel_name,
        campaign,
        segment_key,
        segment_name,
        {#- the funnel's stages (var funnel_stages): the first is the cohort's, the rest are reached -#}
        {%- set funnel_stages = var('funnel_stages') %}
        max(case when stage_key = '{{ funnel_stages[0].stage_key }}' then 1 else 0 end) as is_lead,
        {%- for stage in funnel_stages[1:] %}
        max(case when stage_key = '{{ stage.stage_key }}' then 1 else 0 end) as reached_{{ stage.stage_key }},
        {%- endfor %}
        {%- for stage in funnel_stages[1:] %}
        max(case when stage_key = '{{ stage.stage_key }}' then days_from_lead end) as days_lead_to_{{ stage.stage_key }}{{ ',' if not loop.last }}
        {%- endfor %}
    from stage_entries
    group by person_id, funnel_entered_at, channel_key, channel_name, campaign, segment_key, segment_name
),

by_cohort as (
    {{ rows_per_reporting_grain('cohort_persons', 'cohort_persons.funnel_entered_at', 'cohort_start') }}
),

aggregated as (
    select
        period_grain,
        cohort_start,
        channel_key,
        campaign,
        segment_key,
        max(channel_name) as channel_name,
        max(segment_name) as segment_name,
        count(*) as cohort_persons,
        sum(is_lead) as leads,
        sum(reached_mql) as mqls,
        sum(reached_sal) as sals,
        sum(reached_sql) as sqls,
        sum(reached_opportunity) as opportunities,
        sum(reached_customer) as customers,
        sum(is_lead * reached_mql) as lead_to_mql_conversions,
        sum(reached_mql * reached_sal) as mql_to_sal_conversions,
        sum(reached_sal * reached_sql) as sal_to_sql_conversions,
        sum(reached_sql * reached_opportunity) as sql_to_opportunity_conversions,
        sum(reached_opportunity * reached_customer) as opportunity_to_customer_conversions,
        sum(is_lead * reached_customer) as lead_to_customer_conversions,
        percentile_cont(0.5) within group (order by days_lead_to_mql) as median_days_lead_to_mql,
        percentile_cont(0.5) within group (order by days_lead_to_sal) as median_days_lead_to_sal,
        percentile_cont(0.5) within group (order by days_lead_to_sql) as median_days_lead_to_sql,
        percentile_cont(0.5) within group (order by days_lead_to_opportunity)
            as median_days_lead_to_opportunity,
        percentile_cont(0.5) within group (order by days_lead_to_customer)
            as median_days_lead_to_customer
    from by_cohort
    group by period_grain, cohort_start, channel_key, campaign, segment_key
)

select
    {{ surrogate_key(['period_grain', 'cohort_start', 'channel_key', 'campaign', 'segment_key']) }}
        as funnel_cohort_id,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    cohort_start,
    cast(channel_key as {{ dbt.type_string() }}) as channel_key,
    cast(channel_name as {{ dbt.type_string() }}) as channel_name,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(segment_key as {{ dbt.type_string() }}) as segment_key,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(cohort_persons as {{ dbt.type_bigint() }}) as cohort_persons,
    cast(leads as {{ dbt.type_bigint() }}) as leads,
    cast(mqls as {{ dbt.type_bigint() }}) as mqls,
    cast(sals as {{ dbt.type_bigint() }}) as sals,
    cast(sqls as {{ dbt.type_bigint() }}) as sqls,
    cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
    cast(customers as {{ dbt.type_bigint() }}) as customers,
    cast(lead_to_mql_conversions as {{ dbt.type_bigint() }}) as lead_to_mql_conversions,
    cast(mql_to_sal_conversions as {{ dbt.type_bigint() }}) as mql_to_sal_conversions,
    cast(sal_to_sql_conversions as {{ dbt.type_bigint() }}) as sal_to_sql_conversions,
    cast(sql_to_opportunity_conversions as {{ dbt.type_bigint() }}) as sql_to_opportunity_conversions,
    cast(opportunity_to_customer_conversions as {{ dbt.type_bigint() }})
        as opportunity_to_customer_conversions,
    cast(lead_to_customer_conversions as {{ dbt.type_bigint() }}) as lead_to_customer_conversions,
    cast(lead_to_mql_conversions as double) / nullif(leads, 0) as lead_to_mql_rate,
    cast(mql_to_sal_conversions as double) / nullif(mqls, 0) as mql_to_sal_rate,
    cast(sal_to_sql_conversions as double) / nullif(sals, 0) as sal_to_sql_rate,
    cast(sql_to_opportunity_conversions as double) / nullif(sqls, 0) as sql_to_opportunity_rate,
    cast(opportunity_to_customer_conversions as double) / nullif(opportunities, 0)
        as opportunity_to_customer_rate,
    cast(lead_to_customer_conversions as double) / nullif(leads, 0) as lead_to_customer_rate,
    cast(median_days_lead_to_mql as double) as median_days_lead_to_mql,
    cast(median_days_lead_to_sal as double) as median_days_lead_to_sal,
    cast(median_days_lead_to_sql as double) as median_days_lead_to_sql,
    cast(median_days_lead_to_opportunity as double) as median_days_lead_to_opportunity,
    cast(median_days_lead_to_customer as double) as median_days_lead_to_customer
from aggregated
