{#-
  One row per known person: a component of int_identities_linked with at least one
  marketing contact or CRM record (browsers that never identified are left out). Profile
  fields come from the person's best record: a surviving CRM contact, else a surviving CRM
  lead, else a surviving marketing contact (earliest first), else any record.
-#}
with

identities as (
    select *
    from {{ ref('int_identities_linked') }}
    where is_identified_person
),

marketing_contacts as (
    select
        contact_id,
        first_name,
        last_name,
        company_name,
        company_industry,
        company_employees,
        company_country,
        original_source,
        original_source_drill_down_1
    from {{ ref('stg_marketing_automation__contacts') }}
),

crm_leads as (
    select
        lead_id,
        first_name,
        last_name,
        company_name,
        company_industry,
        company_employees,
        company_country,
        lead_source,
        converted_account_id
    from {{ ref('stg_crm__leads') }}
),

crm_contacts as (
    select
        contact_id,
        first_name,
        last_name,
        account_id,
        lead_source
    from {{ ref('stg_crm__contacts') }}
),

accounts as (
    select
        account_id,
        account_name,
        industry,
        employees,
        country
    from {{ ref('stg_crm__accounts') }}
    where not is_deleted
),

records as (
    select
        identities.person_id,
        identities.identity_key,
        identities.identity_kind,
        identities.source_id,
        identities.email,
        identities.first_seen_at,
        identities.is_surviving,
        case identities.identity_kind
            when 'crm_contact' then 1
            when 'crm_lead' then 2
            else 3
        end as kind_priority,
        coalesce(crm_contacts.first_name, crm_leads.first_name, marketing_contacts.first_name) as first_name,
        coalesce(crm_contacts.last_name, crm_leads.last_name, marketing_contacts.last_name) as last_name,
        coalesce(crm_leads.company_name, marketing_contacts.company_name) as company_name,
        coalesce(crm_leads.company_industry, marketing_contacts.company_industry) as company_industry,
        coalesce(crm_leads.company_employees, marketing_contacts.company_employees) as company_employees,
        coalesce(crm_leads.company_country, marketing_contacts.company_country) as company_country,
        coalesce(crm_contacts.account_id, crm_leads.converted_account_id) as account_id,
        marketing_contacts.original_source,
        marketing_contacts.original_source_drill_down_1,
        coalesce(crm_leads.lead_source, crm_contacts.lead_source) as crm_lead_source
    from identities
    left join marketing_contacts
        on {{ identity_of('identities', 'marketing_contact', 'marketing_contacts.contact_id') }}
    left join crm_leads
        on {{ identity_of('identities', 'crm_lead', 'crm_leads.lead_id') }}
    left join crm_contacts
        on {{ identity_of('identities', 'crm_contact', 'crm_contacts.contact_id') }}
    where identities.identity_kind <> 'web_client'
),

-- Each pick below is "the first row per person" in an explicit order, so a person with
-- duplicates always gets the same answer.
{%- set best_record_first =
    "case when is_surviving then 0 else 1 end, kind_priority, first_seen_at, identity_key" %}
profiles as (
    {{ first_row_per('records', 'person_id',
        "case when is_surviving then 0 else 1 end, case when email is null then 1 else 0 end, kind_priority, first_seen_at, identity_key") }}
),

companies as (
    {{ first_row_per('records', 'person_id',
        best_record_first,
        "company_name is not null") }}
),

person_accounts as (
    {{ first_row_per('records', 'person_id',
        best_record_first,
        "account_id is not null") }}
),

-- HubSpot's original source of the person's first marketing contact (a merged-away
-- duplicate was created later and is not where the person came from).
marketing_sources as (
    {{ first_row_per('records', 'person_id',
        "case when first_seen_at is null then 1 else 0 end, first_seen_at, identity_key",
        "identity_kind = 'marketing_contact' and original_source is not null") }}
),

-- The CRM's lead source of the person's first CRM record, preferring leads (a contact
-- carries its lead's source over).
crm_sources as (
    {{ first_row_per('records', 'person_id',
        "case when identity_kind = 'crm_lead' then 0 else 1 end, case when first_seen_at is null then 1 else 0 end, first_seen_at, identity_key",
        "identity_kind in ('crm_lead', 'crm_contact') and crm_lead_source is not null") }}
),

surviving_primary_ids as (
    select
        person_id,
        max(case when identity_kind = 'marketing_contact' then source_id end) as marketing_contact_id,
        max(case when identity_kind = 'crm_lead' then source_id end) as crm_lead_id,
        max(case when identity_kind = 'crm_contact' then source_id end) as crm_contact_id
    from (
        select
            person_id,
            identity_kind,
            source_id,
            row_number() over (
                partition by person_id, identity_kind
                order by case when first_seen_at is null then 1 else 0 end, first_seen_at, source_id
            ) as pick
        from identities
        where is_surviving and identity_kind <> 'web_client'
    ) as ordered
    where pick = 1
    group by person_id
),

person_identities as (
    select
        person_id,
        count(*) as identity_count,
        sum(case when identity_kind = 'web_client' then 1 else 0 end) as web_client_count,
        sum(case when identity_kind = 'marketing_contact' then 1 else 0 end) as marketing_contact_count,
        sum(case when identity_kind = 'crm_lead' then 1 else 0 end) as crm_lead_count,
        sum(case when identity_kind = 'crm_contact' then 1 else 0 end) as crm_contact_count,
        sum(case when identity_kind = 'marketing_contact' and is_surviving then 1 else 0 end)
            as surviving_marketing_contact_count,
        max(case when identity_kind = 'web_client' then 1 else 0 end)
        + max(case when identity_kind = 'marketing_contact' then 1 else 0 end)
        + max(case when identity_kind in ('crm_lead', 'crm_contact') then 1 else 0 end) as source_system_count,
        {{ dbt.listagg("case when identity_kind = 'marketing_contact' and is_surviving then source_id end", "';'", "order by source_id") }}
            as marketing_contact_ids,
        {{ dbt.listagg("case when identity_kind = 'crm_lead' and is_surviving then source_id end", "';'", "order by source_id") }}
            as crm_lead_ids,
        {{ dbt.listagg("case when identity_kind = 'crm_contact' and is_surviving then source_id end", "';'", "order by source_id") }}
            as crm_contact_ids,
        min(first_seen_at) as first_seen_at,
        min(case when identity_kind = 'marketing_contact' then first_seen_at end) as first_marketing_contact_at,
        min(case when identity_kind = 'crm_lead' then first_seen_at end) as first_crm_lead_at
    from identities
    group by person_id
)

select
    person_identities.person_id,
    profiles.email as primary_email,
    {{ dbt.split_part('profiles.email', "'@'", 2) }} as email_domain,
    profiles.first_name,
    profiles.last_name,
    surviving_primary_ids.marketing_contact_id,
    person_identities.marketing_contact_ids,
    surviving_primary_ids.crm_lead_id,
    person_identities.crm_lead_ids,
    surviving_primary_ids.crm_contact_id,
    person_identities.crm_contact_ids,
    person_accounts.account_id,
    coalesce(accounts.account_name, companies.company_name) as company_name,
    coalesce(accounts.industry, companies.company_industry) as company_industry,
    coalesce(accounts.employees, companies.company_employees) as company_employees,
    coalesce(accounts.country, companies.company_country) as company_country,
    person_identities.identity_count,
    person_identities.web_client_count,
    person_identities.marketing_contact_count,
    person_identities.crm_lead_count,
    person_identities.crm_contact_count,
    person_identities.surviving_marketing_contact_count,
    person_identities.source_system_count,
    person_identities.first_seen_at,
    coalesce(marketing_sources.original_source, crm_sources.crm_lead_source) as original_source,
    marketing_sources.original_source_drill_down_1,
    case
        when marketing_sources.original_source is not null then 'marketing_automation'
        when crm_sources.crm_lead_source is not null then 'crm'
    end as original_source_system,
    crm_sources.crm_lead_source,
    -- Sales found the person first: the first CRM lead came from outbound prospecting and
    -- marketing had no contact before it (the contact HubSpot creates by syncing that lead
    -- comes after it).
    coalesce(
        {{ identity_is('crm_sources', 'crm_lead') }}
        and crm_sources.crm_lead_source in (
            select lead_source from {{ source('definitions', 'lead_source_lists') }}
            where list_name = 'sales_sourced'
        )
        and (person_identities.first_marketing_contact_at is null or person_identities.first_marketing_contact_at >= person_identities.first_crm_lead_at),
        false
    ) as is_sales_sourced
from person_identities
left join profiles on profiles.person_id = person_identities.person_id
left join companies on companies.person_id = person_identities.person_id
left join person_accounts on person_accounts.person_id = person_identities.person_id
left join accounts on accounts.account_id = person_accounts.account_id
left join marketing_sources on marketing_sources.person_id = person_identities.person_id
left join crm_sources on crm_sources.person_id = person_identities.person_id
left join surviving_primary_ids on surviving_primary_ids.person_id = person_identities.person_id
