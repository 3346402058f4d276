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
    {{ salesforce_record_columns() }}
from source
