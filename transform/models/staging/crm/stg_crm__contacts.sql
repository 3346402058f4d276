with source as (
    select * from {{ source('crm', 'contacts') }}
)

select
    id as contact_id,
    nullif(account_id, '') as account_id,
    {{ normalized_email('email') }} as email,
    email as email_as_exported,
    first_name,
    last_name,
    title as job_title,
    nullif(lead_source, '') as lead_source,
    nullif(owner_id, '') as owner_id,
    cast(is_deleted as boolean) as is_deleted,
    nullif(master_record_id, '') as master_record_id,
    {{ salesforce_record_columns(has_is_deleted=false) }}
from source
