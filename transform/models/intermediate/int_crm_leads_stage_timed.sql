{#-
  Every CRM lead (stg_crm__leads, one row per lead) with the times sales accepted,
  rejected, qualified and disqualified it, from the best evidence the org's exports hold:
    1. custom_field    the org's own date fields (Lead.Accepted_Date__c, Rejected_Date__c,
                       Qualified_Date__c): optional, absent in a default org (all null);
    2. lead_history    the first Status change (LeadHistory, Field = Status) INTO a status
                       whose agreed meaning (definitions vocabulary crm_lead_status) is
                       accepted, rejected, qualified or disqualified;
    3. current_status  neither: the lead's current Status means it, dated by
                       Lead.LastModifiedDate (the latest change, not necessarily the status
                       change): inferred, and flagged.
  A custom field wins over history, history over the current status, per time. No custom
  field dates a disqualification, so disqualified_at comes from 2 or 3. Reasons come from
  the custom fields only (Rejection_Reason__c, Disqualified_Reason__c); without them an
  outcome stays without a reason.

  The MQL time is the org's Lead.MQL_Date__c. An org without that field (no lead has a
  value: the export lacks it) takes it from HubSpot: the earliest became_mql_at of the
  live marketing contacts of the lead's person (mql_at_source marketing_automation). An org
  with the field keeps its own: a lead without a value there was no MQL in the CRM.
-#}

with leads as (
    select * from {{ ref('stg_crm__leads') }}
),

crm_records_mql_dates as (
    select count(mql_at) > 0 as has_mql_field
    from leads
),

lead_persons as (
    select identities.source_id as lead_id, identities.person_id
    from {{ ref('int_identities_linked') }} as identities
    where {{ identity_is('identities', 'crm_lead') }}
),

person_marketing_mqls as (
    select
        identities.person_id,
        min(contacts.became_mql_at) as became_mql_at
    from {{ ref('int_identities_linked') }} as identities
    inner join {{ ref('stg_marketing_automation__contacts') }} as contacts
        on {{ identity_of('identities', 'marketing_contact', 'contacts.contact_id') }}
    where identities.is_surviving
        and contacts.became_mql_at is not null
    group by identities.person_id
),

status_changes as (
    select
        lead_id,
        min(case when new_status_meaning = 'accepted' then changed_at end) as accepted_at,
        min(case when new_status_meaning = 'rejected' then changed_at end) as rejected_at,
        min(case when new_status_meaning = 'qualified' then changed_at end) as qualified_at,
        min(case when new_status_meaning = 'disqualified' then changed_at end) as disqualified_at
    from {{ ref('stg_crm__lead_history') }}
    where is_status_change
        and not is_deleted
        and changed_at is not null
    group by lead_id
),

timed as (
    select
        leads.*,
        case
            when crm_records_mql_dates.has_mql_field then leads.mql_at
            else person_marketing_mqls.became_mql_at
        end as timed_mql_at,
        case
            when crm_records_mql_dates.has_mql_field and leads.mql_at is not null then 'custom_field'
            when not crm_records_mql_dates.has_mql_field and person_marketing_mqls.became_mql_at is not null
                then 'marketing_automation'
        end as mql_at_source,
        {%- for stage, custom in [('accepted', 'leads.accepted_at'), ('rejected', 'leads.rejected_at'),
                                   ('qualified', 'leads.qualified_at'), ('disqualified', 'null')] %}
        case
            when {{ custom }} is not null then 'custom_field'
            when status_changes.{{ stage }}_at is not null then 'lead_history'
            when leads.lead_status_meaning = '{{ stage }}' then 'current_status'
        end as {{ stage }}_at_source,
        coalesce(
            {{ custom }},
            status_changes.{{ stage }}_at,
            case when leads.lead_status_meaning = '{{ stage }}' then leads.updated_at end
        ) as timed_{{ stage }}_at{{ ',' if not loop.last }}
        {%- endfor %}
    from leads
    cross join crm_records_mql_dates
    left join status_changes
        on status_changes.lead_id = leads.lead_id
    left join lead_persons
        on lead_persons.lead_id = leads.lead_id
    left join person_marketing_mqls
        on person_marketing_mqls.person_id = lead_persons.person_id
)

select
    lead_id,
    email,
    first_name,
    last_name,
    company_name,
    lead_status,
    lead_status_meaning,
    lead_source,
    is_converted,
    converted_date,
    converted_contact_id,
    converted_account_id,
    converted_opportunity_id,
    owner_id,
    is_deleted,
    master_record_id,
    timed_mql_at as mql_at,
    mql_at_source,
    timed_accepted_at as accepted_at,
    accepted_at_source,
    timed_rejected_at as rejected_at,
    rejected_at_source,
    rejection_reason,
    timed_qualified_at as qualified_at,
    qualified_at_source,
    timed_disqualified_at as disqualified_at,
    disqualified_at_source,
    disqualified_reason,
    -- The least direct source any of the lead's stage times came from.
    case
        when 'current_status' in (accepted_at_source, rejected_at_source, qualified_at_source, disqualified_at_source)
            then 'current_status'
        when 'lead_history' in (accepted_at_source, rejected_at_source, qualified_at_source, disqualified_at_source)
            then 'lead_history'
        when 'custom_field' in (accepted_at_source, rejected_at_source, qualified_at_source, disqualified_at_source)
            then 'custom_field'
    end as stage_times_source,
    created_at,
    updated_at
from timed
