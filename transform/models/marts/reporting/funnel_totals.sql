-- The whole funnel in one row: persons entering each stage over all the published data
-- (summed at month grain: every grain holds the same entries) and the cohort's end-to-end
-- rates, sums of numerators over sums of denominators.
with entries as (
    select
        cast(sum(leads) as bigint) as leads,
        cast(sum(mqls) as bigint) as mqls,
        cast(sum(sals) as bigint) as sals,
        cast(sum(sqls) as bigint) as sqls,
        cast(sum(opportunities) as bigint) as opportunities,
        cast(sum(customers) as bigint) as customers,
        cast(sum(sales_sourced_sqls) as bigint) as sales_sourced_sqls
    from {{ ref('funnel_conversion_by_period') }}
    where period_grain = 'month'
),

cohort as (
    select
        sum(lead_to_mql_conversions) / nullif(sum(leads), 0) as lead_to_mql_rate,
        sum(lead_to_customer_conversions) / nullif(sum(leads), 0) as lead_to_customer_rate
    from {{ ref('funnel_conversion_by_cohort') }}
    where period_grain = 'month'
)

select
    entries.*,
    cast(cohort.lead_to_mql_rate as double) as lead_to_mql_rate,
    cast(cohort.lead_to_customer_rate as double) as lead_to_customer_rate
from entries
cross join cohort
