{#-
  The identity spine: every identity a person has in any system (a GA4 browser, a HubSpot
  contact, a Salesforce lead or contact), the evidence that links identities, and the
  person each belongs to. A person is a connected component of the link graph, found by
  label propagation: every identity starts with its own rank as label, and each pass
  lowers every label to the smallest label among the identity and the identities it is
  linked to. After enough passes every component carries one label, the rank of its
  anchor. The last step checks that: unresolved_links counts the other labels an identity
  still touches, and a data test requires 0, so too few passes fail the build instead of
  splitting a person.

  Each pass reads only the previous pass, so the query stays linear in the number of
  passes on engines that inline CTEs.
-#}
{%- set passes = var('identity_resolution_passes') | int -%}
{%- set max_merged_contact_ids = var('identity_max_merged_contact_ids') | int -%}
{%- set max_contacts_per_web_client = var('identity_max_contacts_per_web_client') | int -%}

with

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

-- The anchor of a person is its member that ranks first: a marketing or CRM record before a
-- browser, then the earliest seen, then the identity key. Arriving identities rank after
-- the ones already there, so a person's anchor (and person_id) only changes when two
-- known persons turn out to be one.
ranked_identities as (
    select
        *,
        row_number() over (
            order by
                case when identity_kind = 'web_client' then 1 else 0 end,
                case when first_seen_at is null then 1 else 0 end,
                first_seen_at,
                identity_key
        ) as identity_rank
    from (
        select
            {{ dbt.concat(['identity_kind', "':'", 'source_id']) }} as identity_key,
            *
        from identities
    ) as keyed
),

-- Identities sharing a normalised e-mail address: each links to the first-ranked holder
-- (a star, so the number of links grows with the holders, not with their pairs). A browser
-- holds the addresses typed into forms on it.
email_holders as (
    select identity_rank, email
    from ranked_identities
    where identity_kind <> 'web_client' and email is not null
    union
    select ranked_identities.identity_rank, form_submissions.email
    from form_submissions
    inner join ranked_identities
        on ranked_identities.identity_kind = 'web_client'
        and ranked_identities.source_id = form_submissions.ga_client_id
    left join shared_web_clients on shared_web_clients.client_id = form_submissions.ga_client_id
    where form_submissions.email is not null and shared_web_clients.client_id is null
),

email_anchors as (
    select email, min(identity_rank) as anchor_rank
    from email_holders
    group by email
),

ranked_links as (
    select
        from_identity.identity_rank as from_rank,
        to_identity.identity_rank as to_rank,
        links.link_type
    from links
    inner join ranked_identities as from_identity
        on from_identity.identity_kind = links.from_kind
        and from_identity.source_id = links.from_id
    inner join ranked_identities as to_identity
        on to_identity.identity_kind = links.to_kind
        and to_identity.source_id = links.to_id
    union all
    select email_holders.identity_rank, email_anchors.anchor_rank, 'same_email'
    from email_holders
    inner join email_anchors on email_anchors.email = email_holders.email
    where email_holders.identity_rank <> email_anchors.anchor_rank
),

-- Both directions, and every identity linked to itself so that it keeps its own label.
propagation_links as (
    select distinct from_rank, to_rank
    from (
        select from_rank, to_rank from ranked_links
        union all
        select to_rank, from_rank from ranked_links
        union all
        select identity_rank, identity_rank from ranked_identities
    ) as both_directions
),

labels_0 as (
    select identity_rank, identity_rank as person_rank
    from ranked_identities
),

{%- for pass in range(1, passes + 1) %}

labels_{{ pass }} as (
    select
        propagation_links.from_rank as identity_rank,
        min(neighbour.person_rank) as person_rank
    from propagation_links
    inner join labels_{{ pass - 1 }} as neighbour on neighbour.identity_rank = propagation_links.to_rank
    group by propagation_links.from_rank
),
{%- endfor %}

-- One more look at the neighbours: an identity whose linked identities still carry another
-- label than its own was not reached by the passes (unresolved_links > 0).
components as (
    select
        propagation_links.from_rank as identity_rank,
        min(case when propagation_links.to_rank = propagation_links.from_rank then neighbour.person_rank end)
            as person_rank,
        count(distinct neighbour.person_rank) - 1 as unresolved_links
    from propagation_links
    inner join labels_{{ passes }} as neighbour on neighbour.identity_rank = propagation_links.to_rank
    group by propagation_links.from_rank
),

link_evidence as (
    select
        identity_rank,
        count(*) as link_count,
        max(case when link_type = 'same_email' then 1 else 0 end) as has_email_link,
        max(case when link_type = 'marketing_merge' then 1 else 0 end) as has_marketing_merge_link,
        max(case when link_type = 'crm_merge' then 1 else 0 end) as has_crm_merge_link,
        max(case when link_type = 'lead_conversion' then 1 else 0 end) as has_lead_conversion_link,
        max(case when link_type = 'form_submission' then 1 else 0 end) as has_form_submission_link,
        max(case when link_type = 'web_user_id' then 1 else 0 end) as has_web_user_id_link
    from (
        select from_rank as identity_rank, link_type from ranked_links
        union all
        select to_rank, link_type from ranked_links
    ) as link_ends
    group by identity_rank
),

merged_into as (
    select
        {{ dbt.concat(["'marketing_contact:'", 'merged_contact_id']) }} as identity_key,
        min({{ dbt.concat(["'marketing_contact:'", 'survivor_contact_id']) }}) as merged_into_identity_key
    from marketing_merges
    where merged_contact_id is not null
    group by merged_contact_id
    union all
    select {{ dbt.concat(["'crm_lead:'", 'lead_id']) }}, {{ dbt.concat(["'crm_lead:'", 'master_record_id']) }}
    from crm_leads
    where master_record_id is not null
    union all
    select {{ dbt.concat(["'crm_contact:'", 'contact_id']) }}, {{ dbt.concat(["'crm_contact:'", 'master_record_id']) }}
    from crm_contacts
    where master_record_id is not null
),

unread_merge_lists as (
    select
        survivor_contact_id,
        listed_id_count - {{ max_merged_contact_ids }} as unread_merged_contact_ids
    from merge_lists
    where listed_id_count > {{ max_merged_contact_ids }}
),

-- A known person has a live marketing or CRM record: exported, not deleted, not merged
-- away. Browsers alone, and records that are all deleted or merged into nobody exported,
-- are no one the funnel can place.
persons as (
    select
        components.person_rank,
        count(*) as person_identity_count,
        max(case
            when ranked_identities.identity_kind <> 'web_client'
                and ranked_identities.has_source_record
                and not ranked_identities.is_deleted
                and merged_into.identity_key is null
                then 1 else 0
        end) as has_known_identity
    from components
    inner join ranked_identities on ranked_identities.identity_rank = components.identity_rank
    left join merged_into on merged_into.identity_key = ranked_identities.identity_key
    group by components.person_rank
)

select
    ranked_identities.identity_key,
    ranked_identities.identity_kind,
    ranked_identities.source_id,
    ranked_identities.email,
    ranked_identities.first_seen_at,
    ranked_identities.has_source_record,
    ranked_identities.is_deleted,
    merged_into.identity_key is not null as is_merged_away,
    merged_into.merged_into_identity_key,
    ranked_identities.has_source_record
        and not ranked_identities.is_deleted
        and merged_into.identity_key is null as is_surviving,
    shared_web_clients.client_id is not null as is_shared_web_client,
    coalesce(link_evidence.link_count, 0) as link_count,
    coalesce(link_evidence.has_email_link, 0) = 1 as is_linked_by_email,
    coalesce(link_evidence.has_marketing_merge_link, 0) = 1 as is_linked_by_marketing_merge,
    coalesce(link_evidence.has_crm_merge_link, 0) = 1 as is_linked_by_crm_merge,
    coalesce(link_evidence.has_lead_conversion_link, 0) = 1 as is_linked_by_lead_conversion,
    coalesce(link_evidence.has_form_submission_link, 0) = 1 as is_linked_by_form_submission,
    coalesce(link_evidence.has_web_user_id_link, 0) = 1 as is_linked_by_web_user_id,
    {{ surrogate_key(['anchor.identity_key']) }} as person_id,
    anchor.identity_key as person_anchor_identity_key,
    persons.person_identity_count,
    persons.has_known_identity = 1 as is_identified_person,
    components.unresolved_links,
    coalesce(unread_merge_lists.unread_merged_contact_ids, 0) as unread_merged_contact_ids
from ranked_identities
inner join components on components.identity_rank = ranked_identities.identity_rank
inner join ranked_identities as anchor on anchor.identity_rank = components.person_rank
inner join persons on persons.person_rank = components.person_rank
left join link_evidence on link_evidence.identity_rank = ranked_identities.identity_rank
left join merged_into on merged_into.identity_key = ranked_identities.identity_key
left join shared_web_clients
    on ranked_identities.identity_kind = 'web_client'
    and shared_web_clients.client_id = ranked_identities.source_id
left join unread_merge_lists
    on ranked_identities.identity_kind = 'marketing_contact'
    and unread_merge_lists.survivor_contact_id = ranked_identities.source_id
