{#- The reporting grains every by-period mart offers (var reporting_grains in
    dbt_project.yml: day, week starting Monday, month, quarter). -#}

{#- The first day of the period a timestamp falls in, at one grain. -#}
{% macro reporting_period_start(grain, timestamp) -%}
    cast({{ dbt.date_trunc(grain, timestamp) }} as date)
{%- endmacro %}

{#- One copy of every row of a relation per reporting grain, with the grain and the start of
    the period its timestamp falls in: the shape the by-period marts aggregate. -#}
{% macro rows_per_reporting_grain(relation, timestamp, period_column='period_start') -%}
    {%- for grain in var('reporting_grains') %}
    select
        '{{ grain }}' as period_grain,
        {{ reporting_period_start(grain, timestamp) }} as {{ period_column }},
        {{ relation }}.*
    from {{ relation }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}
