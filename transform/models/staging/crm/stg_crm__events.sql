with source as (
    select * from {{ source('crm', 'events') }}
)

select
    id as event_id,
    nullif(who_id, '') as who_id,
    nullif(what_id, '') as what_id,
    nullif(owner_id, '') as owner_id,
    subject,
    type as event_type,
    {{ to_utc_timestamp('start_date_time', window='scheduled') }} as starts_at,
    {{ to_utc_timestamp('end_date_time', window='scheduled') }} as ends_at,
    {{ to_date('activity_date', window='scheduled') }} as activity_date,
    {{ salesforce_record_columns() }}
from source
