with source as (
    select * from {{ source('crm', 'opportunity_history') }}
)

select
    id as opportunity_history_id,
    opportunity_id,
    stage_name,
    stages.meaning as stage_meaning,
    {{ to_amount('amount') }} as amount,
    {{ to_date('close_date', window='scheduled') }} as close_date,
    try_cast(probability as integer) as probability_percent,
    nullif(created_by_id, '') as changed_by_user_id,
    {{ to_utc_timestamp('created_date') }} as changed_at,
    _modified_at as system_modified_at,
    _source_file as source_file
from source
left join {{ vocabulary_values('crm_opportunity_stage') }} as stages
    on stages.match_value = {{ vocabulary_match_key('source.stage_name') }}
