-- Each acquisition channel's persons followed through the funnel (the cohort view at
-- month grain, summed over months, campaigns and segments), in the channels' agreed order;
-- a key outside the list is named by channels_outside_the_list.
select
    cohort.channel_key,
    coalesce(any_value(outside.channel_name), any_value(cohort.channel_name), cohort.channel_key)
        as channel_name,
    min(channels.channel_order) as channel_order,
    cast(sum(cohort.cohort_persons) as bigint) as cohort_persons,
    cast(sum(cohort.leads) as bigint) as leads,
    cast(sum(cohort.mqls) as bigint) as mqls,
    cast(sum(cohort.sqls) as bigint) as sqls,
    cast(sum(cohort.opportunities) as bigint) as opportunities,
    cast(sum(cohort.customers) as bigint) as customers,
    cast(sum(cohort.lead_to_mql_conversions) / nullif(sum(cohort.leads), 0) as double)
        as lead_to_mql_rate,
    cast(sum(cohort.lead_to_customer_conversions) / nullif(sum(cohort.leads), 0) as double)
        as lead_to_customer_rate
from {{ ref('funnel_conversion_by_cohort') }} as cohort
left join {{ source('definitions', 'channels') }} as channels
    on channels.channel_key = cohort.channel_key
left join {{ ref('channels_outside_the_list') }} as outside
    on outside.channel_key = cohort.channel_key
where cohort.period_grain = 'month'
group by cohort.channel_key
