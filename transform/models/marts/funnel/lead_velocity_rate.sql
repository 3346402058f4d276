-- Lead velocity rate: per month and per quarter, the qualified leads (persons entering the
-- MQL stage) of the period against the period before: (this - previous) / previous, the
-- growth of the qualified pipeline. One row per grain and period in which any funnel stage
-- was entered (a period without MQLs has a row with 0). The previous period's count is null
-- (and so is the rate) when it lies before the first period of the data; the rate is also
-- null when the previous period had no MQL. The latest period may still be running.

{%- set grains = ['month', 'quarter'] %}

with stage_entries as (
    select * from {{ ref('funnel_stage_entries') }}
),

by_period as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        {{ reporting_period_start(grain, 'stage_entries.entered_at') }} as period_start,
        {{ reporting_period_start(grain, dbt.dateadd(grain, -1, reporting_period_start(grain, 'stage_entries.entered_at'))) }}
            as previous_period_start,
        stage_entries.stage_key
    from stage_entries
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

periods as (
    select
        period_grain,
        period_start,
        max(previous_period_start) as previous_period_start,
        sum(case when stage_key = 'mql' then 1 else 0 end) as mqls
    from by_period
    group by period_grain, period_start
),

first_periods as (
    select
        period_grain,
        min(period_start) as first_period_start
    from periods
    group by period_grain
),

compared as (
    select
        periods.period_grain,
        periods.period_start,
        periods.mqls,
        periods.previous_period_start,
        case
            when periods.previous_period_start >= first_periods.first_period_start
                then coalesce(previous_periods.mqls, 0)
        end as previous_period_mqls
    from periods
    inner join first_periods
        on first_periods.period_grain = periods.period_grain
    left join periods as previous_periods
        on previous_periods.period_grain = periods.period_grain
        and previous_periods.period_start = periods.previous_period_start
)

select
    {{ surrogate_key(['period_grain', 'period_start']) }} as lead_velocity_period_id,
    cast(period_grain as {{ dbt.type_string() }}) as period_grain,
    period_start,
    cast(mqls as {{ dbt.type_bigint() }}) as mqls,
    previous_period_start,
    cast(previous_period_mqls as {{ dbt.type_bigint() }}) as previous_period_mqls,
    cast(mqls - previous_period_mqls as double) / nullif(previous_period_mqls, 0)
        as lead_velocity_rate
from compared
