{#-
  Which values are possible at all: the window of the definitions file's plausible_values
  (definitions.terms), applied where staging reads a date, a timestamp or an amount. A value
  outside it is read as null, so it never opens a period nor adds to a sum; the gate's
  values_are_plausible rule flags each such record of the raw table (warn, never blocks).

  window: 'happened' (from earliest_plausible_date to the run date + plausible_days_after_run),
  'scheduled' (a date that may lie ahead: up to the run date + scheduled_days_after_run), or
  none (no window).
-#}
{% macro plausible(expression, window='happened') -%}
    {%- if window is none -%}
    {{ expression }}
    {%- else -%}
    {%- set days = {'happened': 'plausible_days_after_run', 'scheduled': 'scheduled_days_after_run'}[window] -%}
    case
        when cast({{ expression }} as date)
            between (select earliest_plausible_date from {{ source('definitions', 'terms') }})
            and current_date + (select cast({{ days }} as integer) from {{ source('definitions', 'terms') }})
            then {{ expression }}
    end
    {%- endif -%}
{%- endmacro %}

{#- An amount of money (a deal value): a decimal, null when empty, unreadable or negative. -#}
{% macro to_amount(expression) -%}
    case when try_cast({{ expression }} as decimal(18, 2)) >= 0 then try_cast({{ expression }} as decimal(18, 2)) end
{%- endmacro %}
