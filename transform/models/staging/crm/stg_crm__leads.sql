with source as (
    select * from {{ source('crm', 'leads') }}
)

select
    id as lead_id,
    {{ normalized_email('email') }} as email,
    email as email_as_exported,
    first_name,
    last_name,
    company as company_name,
    title as job_title,
    industry as company_industry,
    try_cast(number_of_employees as integer) as company_employees,
    country as company_country,
    status as lead_status,
    lead_statuses.meaning as lead_status_meaning,
    nullif(lead_source, '') as lead_source,
    cast(is_converted as boolean) as is_converted,
    {{ to_date('converted_date') }} as converted_date,
    nullif(converted_contact_id, '') as converted_contact_id,
    nullif(converted_account_id, '') as converted_account_id,
    nullif(converted_opportunity_id, '') as converted_opportunity_id,
    nullif(owner_id, '') as owner_id,
    cast(is_deleted as boolean) as is_deleted,
    nullif(master_record_id, '') as master_record_id,
    {{ to_utc_timestamp('mql_date__c') }} as mql_at,
    {{ to_utc_timestamp('accepted_date__c') }} as accepted_at,
    {{ to_utc_timestamp('rejected_date__c') }} as rejected_at,
    nullif(rejection_reason__c, '') as rejection_reason,
    {{ to_utc_timestamp('qualified_date__c') }} as qualified_at,
    nullif(disqualified_reason__c, '') as disqualified_reason,
    {{ salesforce_record_columns(has_is_deleted=false) }}
from source
left join {{ vocabulary_values('crm_lead_status') }} as lead_statuses
    on lead_statuses.match_value = {{ vocabulary_match_key('source.status') }}
