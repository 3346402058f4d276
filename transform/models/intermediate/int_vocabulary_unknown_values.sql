{#-
  Every value a system uses that the agreed vocabularies (definitions.vocabulary_values)
  do not list, with how many rows carry it: one row per (vocabulary, source_value). Such a
  value means nothing to the models (a status of unknown meaning moves no stage, an e-mail
  event of unknown type is no touch, a form of unknown type is not high-intent), so the
  data status page shows these counts and the warn-level in_vocabulary tests name them;
  the fix is a line in the definitions file. Forms are unknown when neither their exported
  form type, nor their id, nor their name tells their type: listed by form name.
-#}
{%- set checked = [
    ('crm_lead_status', 'stg_crm__leads', 'lead_status', 'true'),
    ('crm_lead_status', 'stg_crm__lead_history', 'new_value', 'is_status_change'),
    ('crm_opportunity_stage', 'stg_crm__opportunities', 'stage_name', 'true'),
    ('crm_opportunity_stage', 'stg_crm__opportunity_history', 'stage_name', 'true'),
    ('marketing_lifecycle_stage', 'stg_marketing_automation__contacts', 'lifecycle_stage', 'true'),
    ('marketing_lead_status', 'stg_marketing_automation__contacts', 'lead_status', 'true'),
    ('marketing_original_source', 'stg_marketing_automation__contacts', 'original_source', 'true'),
    ('marketing_email_event_type', 'stg_marketing_automation__email_events', 'email_event_type', 'true'),
    ('marketing_form_type', 'stg_marketing_automation__form_submissions', 'form_type_as_exported', 'true'),
] %}

with

vocabulary_values as (
    select vocabulary, match_value
    from {{ source('definitions', 'vocabulary_values') }}
    where not is_pattern
),

used_values as (
    {%- for vocabulary, model, column, condition in checked %}
    select
        '{{ vocabulary }}' as vocabulary,
        '{{ model }}.{{ column }}' as found_in,
        {{ column }} as source_value
    from {{ ref(model) }}
    where {{ column }} is not null
        and {{ condition }}
    union all
    {%- endfor %}
    select
        'marketing_form_name',
        'stg_marketing_automation__form_submissions.form_name',
        coalesce(form_name, form_id)
    from {{ ref('stg_marketing_automation__form_submissions') }}
    where form_type = 'unknown'
)

select
    used_values.vocabulary,
    used_values.found_in,
    used_values.source_value,
    count(*) as row_count
from used_values
left join vocabulary_values
    on vocabulary_values.vocabulary = used_values.vocabulary
    and vocabulary_values.match_value = {{ vocabulary_match_key('used_values.source_value') }}
where used_values.vocabulary = 'marketing_form_name'
    or vocabulary_values.match_value is null
group by used_values.vocabulary, used_values.found_in, used_values.source_value
