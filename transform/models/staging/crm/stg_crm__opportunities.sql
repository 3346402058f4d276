with source as (
    select * from {{ source('crm', 'opportunities') }}
)

select
    id as opportunity_id,
    nullif(account_id, '') as account_id,
    nullif(contact_id, '') as contact_id,
    name as opportunity_name,
    stage_name,
    stages.meaning as stage_meaning,
    {{ to_amount('amount') }} as amount,
    {{ to_date('close_date', window='scheduled') }} as close_date,
    try_cast(probability as integer) as probability_percent,
    cast(is_closed as boolean) as is_closed,
    cast(is_won as boolean) as is_won,
    nullif(lead_source, '') as lead_source,
    nullif(campaign_id, '') as campaign_id,
    type as opportunity_type,
    nullif(loss_reason__c, '') as loss_reason,
    nullif(owner_id, '') as owner_id,
    {{ salesforce_record_columns() }}
from source
left join {{ vocabulary_values('crm_opportunity_stage') }} as stages
    on stages.match_value = {{ vocabulary_match_key('source.stage_name') }}
