with source as (
    select * from {{ source('marketing_automation', 'contacts') }}
)

select
    hs_object_id as contact_id,
    {{ normalized_email('email') }} as email,
    email as email_as_exported,
    firstname as first_name,
    lastname as last_name,
    jobtitle as job_title,
    lower(lifecyclestage) as lifecycle_stage,
    lifecycle_stages.meaning as lifecycle_stage_key,
    upper(hs_lead_status) as lead_status,
    lead_statuses.meaning as lead_status_meaning,
    try_cast(hubspotscore as integer) as lead_score,
    upper(hs_analytics_source) as original_source,
    nullif(hs_analytics_source_data_1, '') as original_source_drill_down_1,
    nullif(hs_analytics_source_data_2, '') as original_source_drill_down_2,
    company as company_name,
    try_cast(numemployees as integer) as company_employees,
    industry as company_industry,
    country as company_country,
    nullif(hubspot_owner_id, '') as owner_id,
    {{ to_utc_timestamp('hs_lifecyclestage_subscriber_date') }} as became_subscriber_at,
    {{ to_utc_timestamp('hs_lifecyclestage_lead_date') }} as became_lead_at,
    {{ to_utc_timestamp('hs_lifecyclestage_marketingqualifiedlead_date') }} as became_mql_at,
    {{ to_utc_timestamp('hs_lifecyclestage_salesqualifiedlead_date') }} as became_sql_at,
    {{ to_utc_timestamp('hs_lifecyclestage_opportunity_date') }} as became_opportunity_at,
    {{ to_utc_timestamp('hs_lifecyclestage_customer_date') }} as became_customer_at,
    nullif(hs_merged_object_ids, '') as merged_contact_ids,
    {{ to_utc_timestamp('createdate') }} as created_at,
    {{ to_utc_timestamp('lastmodifieddate') }} as updated_at,
    _source_file as source_file
from source
left join {{ vocabulary_values('marketing_lifecycle_stage') }} as lifecycle_stages
    on lifecycle_stages.match_value = {{ vocabulary_match_key('source.lifecyclestage') }}
left join {{ vocabulary_values('marketing_lead_status') }} as lead_statuses
    on lead_statuses.match_value = {{ vocabulary_match_key('source.hs_lead_status') }}
