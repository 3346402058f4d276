with source as (
    select * from {{ source('marketing_automation', 'campaigns') }}
)

select
    campaign_id,
    name as campaign_name,
    lower(type) as campaign_type,
    lower(channel) as channel,
    nullif(content_name, '') as content_name,
    {{ to_date('start_date', window='scheduled') }} as start_date,
    {{ to_date('end_date', window='scheduled') }} as end_date,
    {{ to_amount('budget') }} as budget,
    nullif(salesforce_campaign_id, '') as crm_campaign_id,
    nullif(trim(utm_campaign), '') as utm_campaign,
    {{ to_utc_timestamp('createdate') }} as created_at,
    {{ to_utc_timestamp('lastmodifieddate') }} as updated_at,
    _source_file as source_file
from source
