{#-
  Business hours between two UTC timestamps: the time in [start_at, end_at] that falls on a
  working weekday inside that day's working window, in hours (a fractional number).

      {{ business_hours('mqls.mql_at', 'touches.first_touch_at',
                        'terms.business_weekdays', 'terms.business_day_start',
                        'terms.business_day_end') }}

  Arguments are SQL expressions: two timestamps, the working weekdays as the text the
  definitions hold ('1,2,3,4,5', ISO: Monday = 1, Sunday = 7) and the working day's start
  and end as TIME values. Join to source('definitions', 'terms') for the last three; never
  write the hours into a model.

  Method, set-based and O(1) per row. B(t) is the number of business seconds from a fixed
  Monday (1970-01-05 00:00) to t:

      B(t) = whole weeks before t's week * working days per week * working seconds per day
           + working seconds of the working days of t's week before t's day
           + the part of t's own day's window before t (if t's day is a working day)

  and business_hours(a, b) = (B(b) - B(a)) / 3600. The sum over the weekdays of a week is
  unrolled at compile time into seven CASE terms, so no calendar is generated, no row is
  joined or multiplied, and a span of a minute costs the same as a span of ten years.

  Edge cases:
  - start or end on a weekend or outside the window: only the part inside windows counts
    (Sat 10:00 -> Mon 08:30 is 0.5; Tue 07:00 -> Tue 07:30 is 0).
  - start = end: 0.
  - end before start: null, not a negative number or 0 (it is a data error, e.g. a
    decision recorded before the MQL, and should not look like an instant response).
  - either timestamp null: null.
  - sub-second precision is kept by the DuckDB implementation; the default one counts
    whole seconds of the time of day.
  - the window is one interval per day with start < end (the definitions enforce it); a
    window past midnight, public holidays or per-team time zones are not modelled. All
    timestamps are UTC and so is the agreed window (terms.business_hours_time_zone).

  On a distributed engine (Spark, Trino, BigQuery, Snowflake) this needs nothing more:
  default__business_hours uses only dbt's cross-database macros and ANSI functions, each
  row is computed independently (no shuffle, no range join against a calendar), and the
  terms are one row that is broadcast in a cross join. If holidays are ever agreed, keep
  the same shape: precompute B at the start of each calendar day in a small calendar table
  (a date spine with a running sum of working seconds), broadcast-join it on the two
  dates (an equi-join, not a range join over the spans) and add the part of each day.
-#}

{% macro business_hours(start_at, end_at, weekdays, day_start, day_end) -%}
    {{ return(adapter.dispatch('business_hours', 'shared_funnel')(start_at, end_at, weekdays, day_start, day_end)) }}
{%- endmacro %}

{#- Is ISO weekday `iso_day` (a literal 1..7) in the comma-separated list? -#}
{% macro _is_business_weekday(weekdays, iso_day) -%}
    ({{ dbt.position("'," ~ iso_day ~ ",'", dbt.concat(["','", "replace(" ~ weekdays ~ ", ' ', '')", "','"])) }} > 0)
{%- endmacro %}

{#- Portable: whole seconds of the time of day, day numbers with dbt.datediff. -#}
{% macro default__business_hours(start_at, end_at, weekdays, day_start, day_end) -%}
    {%- set window_start -%}
        (extract(hour from {{ day_start }}) * 3600 + extract(minute from {{ day_start }}) * 60 + floor(extract(second from {{ day_start }})))
    {%- endset -%}
    {%- set window_end -%}
        (extract(hour from {{ day_end }}) * 3600 + extract(minute from {{ day_end }}) * 60 + floor(extract(second from {{ day_end }})))
    {%- endset -%}
    case
        when {{ start_at }} is null or {{ end_at }} is null then null
        when {{ end_at }} < {{ start_at }} then null
        else (
            {{ _default_business_seconds_before(end_at, weekdays, window_start, window_end) }}
            - {{ _default_business_seconds_before(start_at, weekdays, window_start, window_end) }}
        ) / 3600.0
    end
{%- endmacro %}

{% macro _default_business_seconds_before(ts, weekdays, window_start, window_end) -%}
    {%- set day_number = dbt.datediff("cast('1970-01-05' as date)", "cast(" ~ ts ~ " as date)", 'day') -%}
    {#- 0 = Monday; written so that days before the anchor also land in 0..6 -#}
    {%- set weekday_index = "mod(mod(" ~ day_number ~ ", 7) + 7, 7)" -%}
    {%- set second_of_day = "(extract(hour from " ~ ts ~ ") * 3600 + extract(minute from " ~ ts ~ ") * 60 + floor(extract(second from " ~ ts ~ ")))" -%}
    {{ _business_seconds_formula(weekdays, window_start, window_end, day_number, weekday_index, second_of_day) }}
{%- endmacro %}

{#- DuckDB: native day numbers and weekdays, microsecond time of day. -#}
{% macro duckdb__business_hours(start_at, end_at, weekdays, day_start, day_end) -%}
    {%- set window_start = "epoch(cast(" ~ day_start ~ " as time))" -%}
    {%- set window_end = "epoch(cast(" ~ day_end ~ " as time))" -%}
    case
        when {{ start_at }} is null or {{ end_at }} is null then null
        when {{ end_at }} < {{ start_at }} then null
        else (
            {{ _duckdb_business_seconds_before(end_at, weekdays, window_start, window_end) }}
            - {{ _duckdb_business_seconds_before(start_at, weekdays, window_start, window_end) }}
        ) / 3600.0
    end
{%- endmacro %}

{% macro _duckdb_business_seconds_before(ts, weekdays, window_start, window_end) -%}
    {%- set day_number = "date_diff('day', date '1970-01-05', cast(" ~ ts ~ " as date))" -%}
    {%- set weekday_index = "(isodow(" ~ ts ~ ") - 1)" -%}
    {%- set second_of_day = "epoch(cast(" ~ ts ~ " as time))" -%}
    {{ _business_seconds_formula(weekdays, window_start, window_end, day_number, weekday_index, second_of_day) }}
{%- endmacro %}

{#- B(t), given t's day number since the anchor Monday, its weekday (0 = Monday) and its
    second of the day. Shared by the implementations; only ANSI CASE, least, greatest. -#}
{% macro _business_seconds_formula(weekdays, window_start, window_end, day_number, weekday_index, second_of_day) -%}
    {%- set window_seconds = "(" ~ window_end ~ " - " ~ window_start ~ ")" -%}
    (
        {#- whole weeks before t's week (exact division: the day number minus the weekday) -#}
        (({{ day_number }}) - ({{ weekday_index }})) / 7
            * ({% for day in range(1, 8) %}case when {{ _is_business_weekday(weekdays, day) }} then 1 else 0 end{{ ' + ' if not loop.last }}{% endfor %})
            * {{ window_seconds }}
        {#- the working days of t's week before t's day -#}
        {%- for day in range(1, 8) %}
        + case when {{ _is_business_weekday(weekdays, day) }} and {{ day - 1 }} < ({{ weekday_index }}) then {{ window_seconds }} else 0 end
        {%- endfor %}
        {#- t's own day: its window up to t -#}
        + case
            {%- for day in range(1, 8) %}
            when ({{ weekday_index }}) = {{ day - 1 }} and {{ _is_business_weekday(weekdays, day) }}
                then least(greatest({{ second_of_day }}, {{ window_start }}), {{ window_end }}) - {{ window_start }}
            {%- endfor %}
            else 0
        end
    )
{%- endmacro %}
