with source as (
    select * from {{ source('crm', 'campaign_members') }}
)

select
    id as campaign_member_id,
    campaign_id,
    nullif(lead_id, '') as lead_id,
    nullif(contact_id, '') as contact_id,
    status as member_status,
    cast(has_responded as boolean) as has_responded,
    {{ to_date('first_responded_date') }} as first_responded_date,
    cast(is_deleted as boolean) as is_deleted,
    {{ to_utc_timestamp('created_date') }} as created_at,
    {{ to_utc_timestamp('last_modified_date') }} as updated_at,
    _modified_at as system_modified_at,
    _source_file as source_file
from source
