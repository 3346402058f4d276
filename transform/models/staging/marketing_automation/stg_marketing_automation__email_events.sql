with source as (
    select * from {{ source('marketing_automation', 'email_events') }}
)

select
    event_id as email_event_id,
    email_campaign_id,
    nullif(campaign_id, '') as campaign_id,
    nullif(contact_id, '') as contact_id,
    {{ normalized_email('recipient') }} as email,
    upper(type) as email_event_type,
    event_types.meaning as email_event_meaning,
    nullif(url, '') as clicked_url,
    {{ to_utc_timestamp('created') }} as occurred_at,
    _source_file as source_file
from source
left join {{ vocabulary_values('marketing_email_event_type') }} as event_types
    on event_types.match_value = {{ vocabulary_match_key('source.type') }}
