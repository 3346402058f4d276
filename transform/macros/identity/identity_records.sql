{#- int_identities_linked, job 1 of 4: the records every system holds of a person (HubSpot
    contacts and their merge lists, Salesforce leads and contacts, browsers with what their
    forms and user_id say), as CTEs ending in source_records (one row per record: kind,
    id, e-mail, first seen, deleted). -#}
{% macro identity_records_ctes(max_merged_contact_ids) -%}
marketing_contacts as (
    select
        contact_id,
        {{ normalized_email('email') }} as email,
        merged_contact_ids,
        created_at
    from {{ ref('stg_marketing_automation__contacts') }}
),

crm_leads as (
    select
        lead_id,
        {{ normalized_email('email') }} as email,
        is_deleted,
        master_record_id,
        converted_contact_id,
        created_at
    from {{ ref('stg_crm__leads') }}
),

crm_contacts as (
    select
        contact_id,
        {{ normalized_email('email') }} as email,
        is_deleted,
        master_record_id,
        created_at
    from {{ ref('stg_crm__contacts') }}
),

form_submissions as (
    select
        ga_client_id,
        contact_id,
        {{ normalized_email('email') }} as email,
        submitted_at
    from {{ ref('stg_marketing_automation__form_submissions') }}
    where ga_client_id is not null
),

-- Browsers, and the user_id the site sent, read by what the export's source mapping says
-- it is (user_id_kind): a HubSpot contact id, a Salesforce Lead or Contact Id (matched on
-- its 15-character case-sensitive form, which the 18-character one extends), the hex
-- SHA-256 of the normalised e-mail address, or nothing to link by. Consent-mode pings have
-- no browser and are left out.
web_visitors as (
    select
        client_id,
        user_id,
        user_id_kind,
        case
            when user_id is null or user_id_kind = 'none' then null
            when user_id_kind = 'crm_lead_or_contact' then substring(trim(user_id), 1, 15)
            when user_id_kind = 'email_sha256' then lower(trim(user_id))
            else user_id
        end as user_id_match_key,
        min(occurred_at) as first_seen_at
    from (
        select
            client_id,
            user_id,
            coalesce(user_id_kind, 'marketing_contact') as user_id_kind,
            occurred_at
        from {{ ref('stg_web_analytics__events') }}
        where client_id is not null
    ) as events
    group by client_id, user_id, user_id_kind
),

-- HubSpot lists the contacts merged into a survivor in one text field, separated by
-- semicolons: read it position by position.
merged_id_positions as (
    select generated_number as list_position
    from ({{ dbt.generate_series(max_merged_contact_ids) }}) as series
),

merge_lists as (
    select
        contact_id as survivor_contact_id,
        merged_contact_ids,
        {{ dbt.length('merged_contact_ids') }}
        - {{ dbt.length(dbt.replace('merged_contact_ids', "';'", "''")) }} + 1 as listed_id_count
    from marketing_contacts
    where merged_contact_ids is not null
),

marketing_merges as (
    select
        merge_lists.survivor_contact_id,
        nullif(trim({{ dbt.split_part('merge_lists.merged_contact_ids', "';'", 'merged_id_positions.list_position') }}), '')
            as merged_contact_id
    from merge_lists
    inner join merged_id_positions
        on merged_id_positions.list_position <= merge_lists.listed_id_count
),

web_clients as (
    select
        client_id,
        min(first_seen_at) as first_seen_at
    from (
        select client_id, first_seen_at from web_visitors
        union all
        select ga_client_id, submitted_at from form_submissions
    ) as sightings
    group by client_id
),

web_client_latest_emails as (
    select client_id, email
    from (
        select
            ga_client_id as client_id,
            email,
            row_number() over (partition by ga_client_id order by submitted_at desc, email) as recency
        from form_submissions
        where email is not null
    ) as ordered
    where recency = 1
),

source_records as (
    select
        'marketing_contact' as identity_kind,
        contact_id as source_id,
        email,
        created_at as first_seen_at,
        false as is_deleted
    from marketing_contacts
    union all
    select 'crm_lead', lead_id, email, created_at, coalesce(is_deleted, false) from crm_leads
    union all
    select 'crm_contact', contact_id, email, created_at, coalesce(is_deleted, false) from crm_contacts
    union all
    select
        'web_client',
        web_clients.client_id,
        web_client_latest_emails.email,
        web_clients.first_seen_at,
        false
    from web_clients
    left join web_client_latest_emails on web_client_latest_emails.client_id = web_clients.client_id
),
{%- endmacro %}
