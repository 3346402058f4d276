{#- The agreed vocabularies (transform/lead_definitions.yml, `vocabularies`), loaded as
    definitions.vocabulary_values: what each system's own value means in the agreed
    language. Staging translates vendor values with these macros, the models decide by the
    meaning, and the in_vocabulary test (severity warn) counts the values no list names. -#}

{#- The key a source value is matched by: case and surrounding spaces ignored, as the
    loader writes match_value. -#}
{% macro vocabulary_match_key(expression) -%}
    lower(trim({{ expression }}))
{%- endmacro %}

{#- A subquery of one vocabulary's exact values and their meanings, to left join on
    match_value = vocabulary_match_key(<column>). -#}
{% macro vocabulary_values(vocabulary) -%}
    (
        select match_value, meaning
        from {{ source('definitions', 'vocabulary_values') }}
        where vocabulary = '{{ vocabulary }}'
            and not is_pattern
    )
{%- endmacro %}

{#- The meaning of one value as a scalar subquery (for a column with no join of its own),
    null when the value is not listed or means nothing agreed. -#}
{% macro vocabulary_meaning(vocabulary, expression) -%}
    (
        select max(vocabulary.meaning)
        from {{ source('definitions', 'vocabulary_values') }} as vocabulary
        where vocabulary.vocabulary = '{{ vocabulary }}'
            and not vocabulary.is_pattern
            and vocabulary.match_value = {{ vocabulary_match_key(expression) }}
    )
{%- endmacro %}

{#- Warns on every value of the column that the vocabulary does not list (nulls pass:
    test them with not_null where they must not occur). One row per unknown value, so the
    warning counts distinct values; int_vocabulary_unknown_values counts their rows.
    Usage:
        data_tests:
          - in_vocabulary:
              arguments: {vocabulary: crm_lead_status}
-#}
{% test in_vocabulary(model, column_name, vocabulary) %}
{{ config(severity='warn') }}

select
    {{ column_name }} as unknown_value,
    count(*) as row_count
from {{ model }}
where {{ column_name }} is not null
    and {{ vocabulary_match_key(column_name) }} not in (
        select match_value
        from {{ source('definitions', 'vocabulary_values') }}
        where vocabulary = '{{ vocabulary }}'
            and not is_pattern
    )
group by {{ column_name }}

{% endtest %}

{#- The evidence name of a CRM lead's stage time (int_crm_leads_stage_timed's
    <stage>_at_source): the org's custom field, the LeadHistory Status change, or the
    current Status at LastModifiedDate. -#}
{% macro crm_lead_stage_evidence(source_column, custom_field) -%}
    case {{ source_column }}
        when 'lead_history' then 'crm: LeadHistory Status'
        when 'current_status' then 'crm: Lead.Status (LastModifiedDate)'
        else 'crm: {{ custom_field }}'
    end
{%- endmacro %}
