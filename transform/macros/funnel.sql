{#-
  Macros of the funnel marts (models/marts/funnel): the days of a reporting period and a
  duration (the periods themselves are in reporting_grains.sql). The cross-check of the
  funnel against the journey is the quality gate's (quality/queries/).
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
