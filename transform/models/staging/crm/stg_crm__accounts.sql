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
    {{ salesforce_record_columns() }}
from source
