-- Stage velocity: per reporting grain (day, week starting Monday, month, quarter), period,
-- slice (channel, campaign, segment) and funnel stage, the persons who left the stage in the
-- period (entered the next stage they reached), how long they had spent in it, and the
-- stage velocity: persons moving on from the stage per day of the period, comparable across
-- grains and additive across slices. Persons still in a stage are not here (their time in
-- it is not known yet). One row per grain, period, slice and stage with at least one exit.

{%- set grains = var('reporting_grains') %}

with stage_exits as (
    select * from {{ ref('funnel_stage_entries') }}
    where next_stage_entered_at is not null
),

by_period as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        {{ reporting_period_start(grain, 'stage_exits.next_stage_entered_at') }} as period_start,
        {{ funnel_days_in_period(grain, reporting_period_start(grain, 'stage_exits.next_stage_entered_at')) }}
            as days_in_period,
        stage_exits.*
    from stage_exits
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

aggregated as (
    select
        period_grain,
        period_start,
        channel_key,
        campaign,
        segment_key,
        stage_key,
        max(channel_name) as channel_name,
        max(segment_name) as segment_name,
        max(stage_order) as stage_order,
        max(days_in_period) as days_in_period,
        count(*) as persons_left,
        count(days_in_stage) as persons_left_timed,
        sum(days_in_stage) as total_days_in_stage,
        avg(days_in_stage) as avg_days_in_stage,
        percentile_cont(0.5) within group (order by days_in_stage) as median_days_in_stage
    from by_period
    group by period_grain, period_start, channel_key, campaign, segment_key, stage_key
)

select
    {{ surrogate_key(['period_grain', 'period_start', 'channel_key', 'campaign', 'segment_key', 'stage_key']) }}
        as funnel_stage_velocity_id,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    cast(days_in_period as {{ dbt.type_bigint() }}) as days_in_period,
    cast(channel_key as {{ dbt.type_string() }}) as channel_key,
    cast(channel_name as {{ dbt.type_string() }}) as channel_name,
    cast(campaign as {{ dbt.type_string() }}) as campaign,
    cast(segment_key as {{ dbt.type_string() }}) as segment_key,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(stage_order as {{ dbt.type_bigint() }}) as stage_order,
    cast(stage_key as {{ dbt.type_string() }}) as stage_key,
    cast(persons_left as {{ dbt.type_bigint() }}) as persons_left,
    cast(persons_left_timed as {{ dbt.type_bigint() }}) as persons_left_timed,
    cast(total_days_in_stage as double) as total_days_in_stage,
    cast(avg_days_in_stage as double) as avg_days_in_stage,
    cast(median_days_in_stage as double) as median_days_in_stage,
    cast(persons_left as double) / days_in_period as stage_velocity_per_day
from aggregated
