{#- int_identities_linked, job 2 of 4: the evidence that two records are one person (merges,
    lead conversions, forms filled on a browser, a browser's user_id), without the links
    of shared browsers, as CTEs ending in links (one row per link) and identities (every
    record, and every id only a link mentions). Reads the CTEs of identity_records_ctes. -#}
{% macro identity_links_ctes(max_contacts_per_web_client) -%}
-- What a browser's user_id can name: only records that exist (a user_id of another kind,
-- or of a record not exported, names nobody and creates no person).
web_user_id_targets as (
    select 'marketing_contact' as user_id_kind, contact_id as match_key,
        'marketing_contact' as identity_kind, contact_id as source_id
    from marketing_contacts
    union all
    select 'marketing_contact', merged_contact_id, 'marketing_contact', merged_contact_id
    from marketing_merges
    where merged_contact_id is not null
    union all
    select 'crm_lead_or_contact', substring(lead_id, 1, 15), 'crm_lead', lead_id from crm_leads
    union all
    select 'crm_lead_or_contact', substring(contact_id, 1, 15), 'crm_contact', contact_id from crm_contacts
    union all
    select 'email_sha256', {{ sha256_hex('email') }}, 'marketing_contact', contact_id
    from marketing_contacts where email is not null
    union all
    select 'email_sha256', {{ sha256_hex('email') }}, 'crm_lead', lead_id
    from crm_leads where email is not null
    union all
    select 'email_sha256', {{ sha256_hex('email') }}, 'crm_contact', contact_id
    from crm_contacts where email is not null
),

web_user_ids as (
    select distinct
        web_visitors.client_id,
        web_user_id_targets.identity_kind,
        web_user_id_targets.source_id
    from web_visitors
    inner join web_user_id_targets
        on web_user_id_targets.user_id_kind = web_visitors.user_id_kind
        and web_user_id_targets.match_key = web_visitors.user_id_match_key
),

-- A browser that claims more contacts than one person plausibly has (a shared or kiosk
-- device) would weld strangers together: its links are not used.
web_client_claims as (
    select ga_client_id as client_id, contact_id from form_submissions where contact_id is not null
    union
    select client_id, user_id from web_visitors where user_id_match_key is not null
),

shared_web_clients as (
    select client_id
    from web_client_claims
    group by client_id
    having count(*) > {{ max_contacts_per_web_client }}
),

-- Every piece of evidence that two identities are the same person, one row per link.
links as (
    select
        'marketing_contact' as from_kind,
        merged_contact_id as from_id,
        'marketing_contact' as to_kind,
        survivor_contact_id as to_id,
        'marketing_merge' as link_type
    from marketing_merges
    where merged_contact_id is not null
    union all
    select 'crm_lead', lead_id, 'crm_lead', master_record_id, 'crm_merge'
    from crm_leads
    where master_record_id is not null
    union all
    select 'crm_contact', contact_id, 'crm_contact', master_record_id, 'crm_merge'
    from crm_contacts
    where master_record_id is not null
    union all
    select 'crm_lead', lead_id, 'crm_contact', converted_contact_id, 'lead_conversion'
    from crm_leads
    where converted_contact_id is not null
    union all
    select 'web_client', form_submissions.ga_client_id, 'marketing_contact', form_submissions.contact_id, 'form_submission'
    from form_submissions
    left join shared_web_clients on shared_web_clients.client_id = form_submissions.ga_client_id
    where form_submissions.contact_id is not null and shared_web_clients.client_id is null
    union all
    select 'web_client', web_user_ids.client_id, web_user_ids.identity_kind, web_user_ids.source_id, 'web_user_id'
    from web_user_ids
    left join shared_web_clients on shared_web_clients.client_id = web_user_ids.client_id
    where shared_web_clients.client_id is null
),

-- Ids that only a link mentions (e.g. a merged contact no longer exported) are identities
-- too, so that what links to them still meets.
referenced_identities as (
    select from_kind as identity_kind, from_id as source_id from links
    union
    select to_kind, to_id from links
),

identities as (
    select
        identity_kind,
        source_id,
        email,
        first_seen_at,
        is_deleted,
        true as has_source_record
    from source_records
    union all
    select
        referenced_identities.identity_kind,
        referenced_identities.source_id,
        cast(null as {{ dbt.type_string() }}),
        cast(null as {{ dbt.type_timestamp() }}),
        false,
        false
    from referenced_identities
    left join source_records
        on source_records.identity_kind = referenced_identities.identity_kind
        and source_records.source_id = referenced_identities.source_id
    where source_records.source_id is null
),
{%- endmacro %}
