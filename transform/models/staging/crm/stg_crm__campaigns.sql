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
    {{ salesforce_record_columns() }}
from source
