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
    {{ to_utc_timestamp('created_date') }} as created_at,
    {{ to_utc_timestamp('last_modified_date') }} as updated_at,
    _modified_at as system_modified_at,
    _source_file as source_file
from source
