with source as (
    select * from {{ source('crm', 'campaigns') }}
)

select
    id as campaign_id,
    name as campaign_name,
    type as campaign_type,
    status as campaign_status,
    {{ to_date('start_date') }} as start_date,
    {{ to_date('end_date') }} as end_date,
    try_cast(budgeted_cost as decimal(18, 2)) as budgeted_cost,
    try_cast(actual_cost as decimal(18, 2)) as actual_cost,
    cast(is_deleted as boolean) as is_deleted,
    {{ to_utc_timestamp('created_date') }} as created_at,
    {{ to_utc_timestamp('last_modified_date') }} as updated_at,
    _modified_at as system_modified_at,
    _source_file as source_file
from source
