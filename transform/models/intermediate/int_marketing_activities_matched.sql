-- The one rule of whose a form submission or an e-mail event is: the marketing contact
-- it names (its contact id), else, exported without one, every marketing or CRM record
-- holding the address typed into the form or the recipient address (HubSpot's e-mail
-- events carry no contact id at all). One row per (activity, record it belongs to), with
-- the record's person (int_identities_linked), read by:
--   int_contacts_mql_rule_checked  a contact's forms (records of kind marketing_contact)
--   int_persons_acquired           a known person's forms (distinct persons)
--   int_journey_touchpoints        a known person's forms and e-mail events
-- A browser is no record to match an address to (it holds what was typed on it, which
-- may be anyone's). Two equi-joins, not one join on an or.

with identities as (
    select identity_kind, source_id, email, person_id, is_identified_person
    from {{ ref('int_identities_linked') }}
),

activities as (
    select
        'form_submission' as activity_kind,
        form_submission_id as activity_id,
        contact_id,
        email
    from {{ ref('stg_marketing_automation__form_submissions') }}

    union all

    select
        'email_event',
        email_event_id,
        contact_id,
        email
    from {{ ref('stg_marketing_automation__email_events') }}
),

by_contact_id as (
    select
        activities.activity_kind,
        activities.activity_id,
        'contact_id' as matched_by,
        identities.identity_kind,
        identities.source_id,
        identities.person_id,
        identities.is_identified_person
    from activities
    inner join identities
        on {{ identity_of('identities', 'marketing_contact', 'activities.contact_id') }}
),

by_email as (
    select
        activities.activity_kind,
        activities.activity_id,
        'email' as matched_by,
        identities.identity_kind,
        identities.source_id,
        identities.person_id,
        identities.is_identified_person
    from activities
    inner join identities
        on identities.email = activities.email
        and identities.identity_kind <> 'web_client'
    where activities.contact_id is null
)

select * from by_contact_id
union all
select * from by_email
