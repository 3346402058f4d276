with source as (
    select * from {{ source('marketing_automation', 'form_submissions') }}
)

select
    conversion_id as form_submission_id,
    nullif(contact_id, '') as contact_id,
    {{ normalized_email('email') }} as email,
    form_id,
    form_name,
    lower(form_type) as form_type,
    page_url,
    nullif(ga_client_id, '') as ga_client_id,
    nullif(utm_source, '') as utm_source,
    nullif(utm_medium, '') as utm_medium,
    nullif(utm_campaign, '') as utm_campaign,
    {{ to_utc_timestamp('submitted_at') }} as submitted_at,
    _source_file as source_file
from source
