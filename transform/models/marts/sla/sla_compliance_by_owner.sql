-- Sales' side of the SLA per owner (the rep who owns the lead) and period of the MQL date,
-- at the four reporting grains. Each rate is met / measured, where measured counts only
-- MQLs whose window for that SLA has closed (or that met it early), so a period whose
-- MQLs are still being worked is not shown as failing; mql_count includes every MQL.

with mqls as (
    select * from {{ ref('int_mqls_sla_measured') }}
),

by_period as (
    {{ rows_per_reporting_grain('mqls', 'mql_at') }}
),

aggregated as (
    select
        period_grain,
        period_start,
        owner_id,
        max(owner_name) as owner_name,
        count(*) as mql_count,
        count(is_first_touch_sla_met) as first_touch_measured_count,
        sum(case when is_first_touch_sla_met then 1 else 0 end) as first_touch_met_count,
        sum(case when first_touch_at is null and not is_first_touch_pending then 1 else 0 end)
            as never_touched_count,
        percentile_cont(0.5) within group (order by business_hours_to_first_touch)
            as median_business_hours_to_first_touch,
        count(is_follow_up_sla_met) as follow_up_measured_count,
        sum(case when is_follow_up_sla_met then 1 else 0 end) as follow_up_met_count,
        count(is_response_sla_met) as response_measured_count,
        sum(case when is_response_sla_met then 1 else 0 end) as response_met_count,
        sum(case when is_sla_breached then 1 else 0 end) as sla_breached_count,
        max(definitions_version) as definitions_version,
        max(first_touch_within_business_hours) as first_touch_within_business_hours,
        max(required_follow_up_attempts) as required_follow_up_attempts,
        max(follow_up_within_days) as follow_up_within_days,
        max(accept_or_reject_within_business_hours) as accept_or_reject_within_business_hours
    from by_period
    group by period_grain, period_start, owner_id
)

select
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    cast(owner_id as {{ dbt.type_string() }}) as owner_id,
    cast(owner_name as {{ dbt.type_string() }}) as owner_name,
    cast(mql_count as {{ dbt.type_bigint() }}) as mql_count,
    cast(first_touch_measured_count as {{ dbt.type_bigint() }}) as first_touch_measured_count,
    cast(first_touch_met_count as {{ dbt.type_bigint() }}) as first_touch_met_count,
    cast(first_touch_met_count as double)
        / nullif(first_touch_measured_count, 0) as first_touch_met_rate,
    cast(never_touched_count as {{ dbt.type_bigint() }}) as never_touched_count,
    cast(median_business_hours_to_first_touch as double)
        as median_business_hours_to_first_touch,
    cast(follow_up_measured_count as {{ dbt.type_bigint() }}) as follow_up_measured_count,
    cast(follow_up_met_count as {{ dbt.type_bigint() }}) as follow_up_met_count,
    cast(follow_up_met_count as double)
        / nullif(follow_up_measured_count, 0) as follow_up_met_rate,
    cast(response_measured_count as {{ dbt.type_bigint() }}) as response_measured_count,
    cast(response_met_count as {{ dbt.type_bigint() }}) as response_met_count,
    cast(response_met_count as double)
        / nullif(response_measured_count, 0) as response_met_rate,
    cast(sla_breached_count as {{ dbt.type_bigint() }}) as sla_breached_count,
    cast(definitions_version as {{ dbt.type_string() }}) as definitions_version,
    cast(first_touch_within_business_hours as double) as first_touch_within_business_hours,
    cast(required_follow_up_attempts as {{ dbt.type_bigint() }}) as required_follow_up_attempts,
    cast(follow_up_within_days as {{ dbt.type_bigint() }}) as follow_up_within_days,
    cast(accept_or_reject_within_business_hours as double)
        as accept_or_reject_within_business_hours
from aggregated
