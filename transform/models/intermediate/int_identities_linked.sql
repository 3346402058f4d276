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

  Four jobs, each in its own file: the records (macros/identity/identity_records.sql), the
  links between them (identity_links.sql), the resolution into persons
  (identity_resolution.sql), and, here, what each identity and person is (surviving,
  merged away, known) with its evidence. One model, so that the unit tests prove the whole
  resolution from the staged records.
-#}
{%- set passes = var('identity_resolution_passes') | int -%}
{%- set max_merged_contact_ids = var('identity_max_merged_contact_ids') | int -%}
{%- set max_contacts_per_web_client = var('identity_max_contacts_per_web_client') | int -%}

with

{{ identity_records_ctes(max_merged_contact_ids) }}

{{ identity_links_ctes(max_contacts_per_web_client) }}

{{ identity_resolution_ctes(passes) }}

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
