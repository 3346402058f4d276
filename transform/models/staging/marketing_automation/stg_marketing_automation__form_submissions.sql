-- The form type is translated into the agreed form types here, as every vendor value is in
-- staging: the export's own form_type when the definitions list it with a meaning, else
-- the form's id, else its name (the first pattern it matches), else 'unknown'.
with source as (
    select * from {{ source('marketing_automation', 'form_submissions') }}
),

form_names as (
    select match_value as name_pattern, meaning, value_order
    from {{ source('definitions', 'vocabulary_values') }}
    where vocabulary = 'marketing_form_name'
        and is_pattern
        and meaning is not null
),

typed as (
    select
        source.*,
        exported_types.meaning as type_by_form_type,
        form_ids.meaning as type_by_form_id,
        -- the first pattern of the list that the name matches
        (
            select form_names.meaning
            from form_names
            where {{ vocabulary_match_key('source.form_name') }} like form_names.name_pattern escape '\'
            order by form_names.value_order
            limit 1
        ) as type_by_form_name
    from source
    left join {{ vocabulary_values('marketing_form_type') }} as exported_types
        on exported_types.match_value = {{ vocabulary_match_key('source.form_type') }}
    left join {{ vocabulary_values('marketing_form_id') }} as form_ids
        on form_ids.match_value = {{ vocabulary_match_key('source.form_id') }}
)

select
    conversion_id as form_submission_id,
    nullif(contact_id, '') as contact_id,
    {{ normalized_email('email') }} as email,
    form_id,
    form_name,
    coalesce(type_by_form_type, type_by_form_id, type_by_form_name, 'unknown') as form_type,
    case
        when type_by_form_type is not null then 'form_type'
        when type_by_form_id is not null then 'form_id'
        when type_by_form_name is not null then 'form_name'
        else 'unknown'
    end as form_type_resolved_by,
    nullif(lower(form_type), '') as form_type_as_exported,
    page_url,
    nullif(ga_client_id, '') as ga_client_id,
    nullif(utm_source, '') as utm_source,
    nullif(utm_medium, '') as utm_medium,
    nullif(utm_campaign, '') as utm_campaign,
    {{ to_utc_timestamp('submitted_at') }} as submitted_at,
    _source_file as source_file
from typed
