-- The failing records of the definition rules (registered as failing_records) with the
-- person's source ids: every live identity of theirs in int_identities_linked.
with failing as (
    select * from failing_records
),
located as (
    select failing.*,
           case when failing.person_kind = 'person' then failing.person_ref
                else identities.person_id end as person_id
    from failing
    left join {{ ref('int_identities_linked') }} as identities
        on identities.identity_key = failing.person_kind || ':' || failing.person_ref
),
ids as (
    select person_id,
           string_agg(source_id, ';' order by source_id)
               filter (where identity_kind = 'marketing_contact') as hubspot_contact_ids,
           string_agg(source_id, ';' order by source_id)
               filter (where identity_kind = 'crm_lead') as salesforce_lead_ids,
           string_agg(source_id, ';' order by source_id)
               filter (where identity_kind = 'crm_contact') as salesforce_contact_ids
    from {{ ref('int_identities_linked') }}
    where is_surviving and person_id in (select person_id from located)
    group by person_id
)
insert into {{ exceptions }} by name
select located.rule_name, located.model, located.record_kind, located.record_id,
       located.person_id, ids.hubspot_contact_ids, ids.salesforce_lead_ids,
       ids.salesforce_contact_ids,
       case when located.record_kind = 'salesforce_opportunity'
            then located.record_id end as salesforce_opportunity_id,
       coalesce(located.email, persons.primary_email) as email,
       located.problem, located.detail, located.position,
       $checked_at as checked_at, $run_id as dagster_run_id,
       $version as definitions_version
from located
left join ids on ids.person_id = located.person_id
left join {{ ref('int_persons_identified') }} as persons
    on persons.person_id = located.person_id
