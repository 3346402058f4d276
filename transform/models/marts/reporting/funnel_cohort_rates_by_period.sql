-- Step rates of the same persons per reporting grain and cohort, over every slice: sums of
-- the conversions over sums of the persons who reached the step's first stage.
select
    period_grain,
    cohort_start,
    cast(sum(cohort_persons) as bigint) as cohort_persons,
    cast(sum(leads) as bigint) as leads,
    cast(sum(lead_to_mql_conversions) / nullif(sum(leads), 0) as double) as lead_to_mql_rate,
    cast(sum(mql_to_sal_conversions) / nullif(sum(mqls), 0) as double) as mql_to_sal_rate,
    cast(sum(sal_to_sql_conversions) / nullif(sum(sals), 0) as double) as sal_to_sql_rate,
    cast(sum(sql_to_opportunity_conversions) / nullif(sum(sqls), 0) as double)
        as sql_to_opportunity_rate,
    cast(sum(opportunity_to_customer_conversions) / nullif(sum(opportunities), 0) as double)
        as opportunity_to_customer_rate,
    cast(sum(lead_to_customer_conversions) / nullif(sum(leads), 0) as double)
        as lead_to_customer_rate
from {{ ref('funnel_conversion_by_cohort') }}
group by period_grain, cohort_start
