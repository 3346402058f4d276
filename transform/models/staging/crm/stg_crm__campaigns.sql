with source as (
    select * from {{ source('crm', 'campaigns') }}
)

select
    id as campaign_id,
    name as campaign_name,
    type as campaign_type,
    status as campaign_status,
    {{ to_date('start_date', window='scheduled') }} as start_date,
    {{ to_date('end_date', window='scheduled') }} as end_date,
    {{ to_amount('budgeted_cost') }} as budgeted_cost,
    {{ to_amount('actual_cost') }} as actual_cost,
    {{ salesforce_record_columns() }}
from source
