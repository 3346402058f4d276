{#-
  Macros of the funnel marts (models/marts/funnel): the days of a reporting period, a
  duration, and the cross-check of the funnel against the journey (the periods themselves
  are in reporting_grains.sql).
  Only dbt's cross-database macros are used, so nothing here needs a per-adapter version.
-#}

{#- The number of days of the period starting at period_start (a date) at that grain:
    1, 7, 28 to 31, 90 to 92. -#}
{% macro funnel_days_in_period(grain, period_start) -%}
    {{ dbt.datediff(period_start, dbt.dateadd(grain, 1, period_start), 'day') }}
{%- endmacro %}

{#- Hours from start_at to end_at, to the whole second (a fractional number). Null when
    either is null, and when end_at is a second or more before start_at: a stage entered
    before the one it follows is a data error (flagged is_retroactive upstream), not a
    negative or an instant transition. -#}
{% macro funnel_hours_between(start_at, end_at) -%}
    {%- set seconds = dbt.datediff(start_at, end_at, 'second') -%}
    case
        when {{ seconds }} >= 0 then {{ seconds }} / 3600.0
    end
{%- endmacro %}

{#-
  Fails when the funnel's counts of persons entering a stage in a period differ from what
  the journey implies: for every grain, period and stage, the sum over the slices of the
  model's count column must equal the number of distinct persons with a stage_entered
  touchpoint of that stage whose occurred_at falls in the period. Returns one row per
  (grain, period, stage) that differs, with both numbers. Usage (model-level):

      data_tests:
        - equals_stage_entries_in_journey:
            arguments:
              journey: ref('customer_journey')
              stage_columns: {lead: leads, mql: mqls}

  The model needs period_grain and period_start (the first day of the period, a date).
-#}
{% test equals_stage_entries_in_journey(model, journey, stage_columns, grains=var('reporting_grains')) %}

with funnel_counts as (
    {%- for grain in grains %}
    {%- set grain_loop = loop %}
    {%- for stage_key, column_name in stage_columns.items() %}
    select
        period_grain,
        period_start,
        '{{ stage_key }}' as stage_key,
        sum({{ column_name }}) as funnel_persons
    from {{ model }}
    where period_grain = '{{ grain }}'
    group by period_grain, period_start
    {%- if not (grain_loop.last and loop.last) %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- endfor %}
),

journey_counts as (
    {%- for grain in grains %}
    select
        '{{ grain }}' as period_grain,
        {{ reporting_period_start(grain, 'occurred_at') }} as period_start,
        stage_key,
        count(distinct person_id) as journey_persons
    from {{ journey }}
    where touchpoint_type = 'stage_entered'
        and stage_key in ({% for stage_key in stage_columns %}'{{ stage_key }}'{{ ', ' if not loop.last }}{% endfor %})
    group by {{ reporting_period_start(grain, 'occurred_at') }}, stage_key
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    coalesce(funnel_counts.period_grain, journey_counts.period_grain) as period_grain,
    coalesce(funnel_counts.period_start, journey_counts.period_start) as period_start,
    coalesce(funnel_counts.stage_key, journey_counts.stage_key) as stage_key,
    coalesce(funnel_counts.funnel_persons, 0) as funnel_persons,
    coalesce(journey_counts.journey_persons, 0) as journey_persons
from funnel_counts
full outer join journey_counts
    on journey_counts.period_grain = funnel_counts.period_grain
    and journey_counts.period_start = funnel_counts.period_start
    and journey_counts.stage_key = funnel_counts.stage_key
where coalesce(funnel_counts.funnel_persons, 0) <> coalesce(journey_counts.journey_persons, 0)

{% endtest %}
