-- The periods the headlines are read for, in one place so every page names the same ones:
-- the whole published data (its first stage entry to its newest export day), the headline
-- month (the latest complete calendar month with data, else the running month) and the
-- month before it, against which each headline's trend is read.
with bounds as (
    select
        (select cast(min(entered_at) as date) from {{ ref('funnel_stage_entries') }}) as data_from,
        (select max(newest_drop_on) from {{ ref('source_freshness') }}) as data_through
),

chosen as (
    select
        data_from,
        data_through,
        cast({{ dbt.date_trunc('month', 'data_through') }} as date) as running_month_start,
        cast({{ dbt.dateadd('month', -1, dbt.date_trunc('month', dbt.dateadd('day', 1, 'data_through'))) }} as date)
            as complete_month_start
    from bounds
),

headline as (
    select
        data_from,
        data_through,
        case
            when {{ dbt.dateadd('month', 1, 'complete_month_start') }} > data_from then complete_month_start
            else running_month_start
        end as month_start
    from chosen
),

periods as (
    select
        'all_data' as period_key,
        1 as period_order,
        data_from as period_start,
        data_through as period_end,
        true as is_complete_period
    from headline
    union all
    select
        'headline_month',
        2,
        month_start,
        least(cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date), data_through),
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 1, 'month_start')) }} as date) <= data_through
    from headline
    union all
    select
        'previous_month',
        3,
        cast({{ dbt.dateadd('month', -1, 'month_start') }} as date),
        cast({{ dbt.dateadd('day', -1, 'month_start') }} as date),
        true
    from headline
)

select
    cast(period_key as varchar) as period_key,
    cast(period_order as integer) as period_order,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    is_complete_period,
    cast(period_start >= (select data_from from headline) as boolean) as is_covered_by_data
from periods
where period_start is not null
