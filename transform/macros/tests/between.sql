{#- Fails on every row whose column is outside [min_value, max_value]; nulls pass (test
    them with not_null where they must not occur). Usage:
        data_tests:
          - between:
              arguments: {min_value: 0, max_value: 1}
-#}
{% test between(model, column_name, min_value, max_value) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }}
    or {{ column_name }} > {{ max_value }}

{% endtest %}
