with source as (
    select * from {{ source('crm', 'lead_history') }}
)

select
    source.id as lead_history_id,
    source.lead_id,
    source.field as changed_field,
    lower(source.field) = 'status' as is_status_change,
    nullif(source.old_value, '') as old_value,
    nullif(source.new_value, '') as new_value,
    case when lower(source.field) = 'status' then new_statuses.meaning end as new_status_meaning,
    {{ to_utc_timestamp('source.created_date') }} as changed_at,
    coalesce(cast(source.is_deleted as boolean), false) as is_deleted,
    source._modified_at as system_modified_at,
    source._source_file as source_file
from source
left join {{ vocabulary_values('crm_lead_status') }} as new_statuses
    on new_statuses.match_value = {{ vocabulary_match_key('source.new_value') }}
