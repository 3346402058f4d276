{#-
  Multi-touch attribution: the model names in one list, and the two data tests that keep
  the attribution marts honest (credits add up to one opportunity; attributed money adds up
  to the pipeline and the won revenue).
-#}

{#- The attribution models, in display order. -#}
{% macro attribution_model_names() -%}
    {{ return(['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay']) }}
{%- endmacro %}

{#- Fails on every group (e.g. one opportunity under one attribution model) whose credits
    do not add up to 1 within the tolerance, including a group whose credits are all null.
    Usage, on the credit column:
        data_tests:
          - credits_sum_to_one:
              arguments: {group_by: [opportunity_id, attribution_model]}
-#}
{% test credits_sum_to_one(model, column_name, group_by, tolerance=0.000000001) %}

select
    {%- for column in group_by %}
    {{ column }},
    {%- endfor %}
    sum({{ column_name }}) as credit_total
from {{ model }}
group by {{ group_by | join(', ') }}
having sum({{ column_name }}) is null
    or abs(sum({{ column_name }}) - 1) > {{ tolerance }}

{% endtest %}

{#- Fails on every group (e.g. each attribution model) whose sum of the column differs from
    a total computed from another relation by more than the tolerance: the cross-check that
    attributed pipeline per model sums to all pipeline and attributed revenue to won
    revenue. Usage, on the attributed column:
        data_tests:
          - sum_per_group_matches_total:
              arguments:
                group_by: attribution_model
                total_relation: ref('stg_crm__opportunities')
                total_expression: "sum(case when is_won then amount else 0 end)"
                total_where: "not coalesce(is_deleted, false)"
-#}
{% test sum_per_group_matches_total(model, column_name, group_by, total_relation, total_expression,
                                     total_where='1 = 1', tolerance=0.01) %}

with groups as (
    select {{ group_by }} as group_value, sum({{ column_name }}) as group_total
    from {{ model }}
    group by {{ group_by }}
),

total as (
    select cast({{ total_expression }} as double) as expected_total
    from {{ total_relation }}
    where {{ total_where }}
)

select groups.group_value, groups.group_total, total.expected_total
from groups
cross join total
where abs(coalesce(groups.group_total, 0) - coalesce(total.expected_total, 0)) > {{ tolerance }}

{% endtest %}
