with source as (
    select * from {{ source('crm', 'tasks') }}
)

select
    id as task_id,
    nullif(who_id, '') as who_id,
    nullif(what_id, '') as what_id,
    nullif(owner_id, '') as owner_id,
    subject,
    type as task_type,
    task_subtype,
    status as task_status,
    {{ to_date('activity_date', window='scheduled') }} as activity_date,
    {{ to_utc_timestamp('completed_date_time') }} as completed_at,
    {{ salesforce_record_columns() }}
from source
