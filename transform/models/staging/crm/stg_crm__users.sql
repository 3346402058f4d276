with source as (
    select * from {{ source('crm', 'users') }}
)

select
    id as user_id,
    name as user_name,
    {{ normalized_email('email') }} as email,
    title as job_title,
    department,
    cast(is_active as boolean) as is_active,
    {{ salesforce_record_columns(has_is_deleted=false) }}
from source
