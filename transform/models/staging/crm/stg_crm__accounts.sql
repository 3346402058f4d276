with source as (
    select * from {{ source('crm', 'accounts') }}
)

select
    id as account_id,
    name as account_name,
    nullif(website, '') as website,
    industry,
    try_cast(number_of_employees as integer) as employees,
    billing_country as country,
    type as account_type,
    nullif(owner_id, '') as owner_id,
    cast(is_deleted as boolean) as is_deleted,
    {{ to_utc_timestamp('created_date') }} as created_at,
    {{ to_utc_timestamp('last_modified_date') }} as updated_at,
    _modified_at as system_modified_at,
    _source_file as source_file
from source
