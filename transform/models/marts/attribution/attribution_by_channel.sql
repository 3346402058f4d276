{#-
  Attributed opportunities, pipeline and won revenue per attribution model, month of the
  opportunity's creation, channel and campaign: attribution_touchpoint_credits summed.
  Within one model, the rows of a month add up to that month's opportunities, pipeline and
  won revenue (the "no marketing touch" channel holds what no touch earned).
-#}

with

credits as (
    select * from {{ ref('attribution_touchpoint_credits') }}
),

channels as (
    select channel_key, channel_name, channel_order
    from {{ source('definitions', 'channels') }}
),

aggregated as (
    select
        attribution_model,
        cast({{ dbt.date_trunc('month', 'opportunity_created_at') }} as date) as month_start,
        channel_key,
        campaign,
        sum(credit) as attributed_opportunities,
        sum(attributed_pipeline) as attributed_pipeline,
        sum(case when is_won then credit else 0 end) as attributed_won_opportunities,
        sum(attributed_revenue) as attributed_revenue,
        count(distinct opportunity_id) as opportunities_touched
    from credits
    group by
        attribution_model,
        cast({{ dbt.date_trunc('month', 'opportunity_created_at') }} as date),
        channel_key,
        campaign
)

select
    cast(aggregated.attribution_model as {{ dbt.type_string() }}) as attribution_model,
    aggregated.month_start,
    cast(aggregated.channel_key as {{ dbt.type_string() }}) as channel_key,
    cast(
        coalesce(channels.channel_name, {{ channel_outside_the_list_name('aggregated.channel_key') }})
        as {{ dbt.type_string() }}
    ) as channel_name,
    cast(channels.channel_order as {{ dbt.type_bigint() }}) as channel_order,
    cast(aggregated.campaign as {{ dbt.type_string() }}) as campaign,
    cast(aggregated.opportunities_touched as {{ dbt.type_bigint() }}) as opportunities_touched,
    cast(aggregated.attributed_opportunities as double) as attributed_opportunities,
    cast(aggregated.attributed_pipeline as double) as attributed_pipeline,
    cast(aggregated.attributed_won_opportunities as double) as attributed_won_opportunities,
    cast(aggregated.attributed_revenue as double) as attributed_revenue
from aggregated
left join channels
    on channels.channel_key = aggregated.channel_key
