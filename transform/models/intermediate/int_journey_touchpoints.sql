-- Every touchpoint of a known person across web analytics, marketing automation and the
-- CRM, not yet sequenced: customer_journey orders them into one timeline per person and
-- rebuilds only the timelines that changed. Every source row is mapped to its person
-- through int_identities_linked (the identity spine); rows of unknown persons (anonymous
-- browsers, ids no identity knows) are left out by inner joins.
--
-- E-mail: only what the person did counts as a touch: every e-mail event whose agreed
-- meaning (definitions vocabulary marketing_email_event_type) is not delivery (opens,
-- clicks, and the negative signals bounce, spam report, unsubscribe...); the delivery
-- events (SENT, DELIVERED, PROCESSED, DEFERRED, DROPPED...) are what marketing did and
-- would swamp the timeline, and an event type of unknown meaning is no touch. HubSpot's
-- e-mail events carry no contact id: an event without one is the person's whose record
-- holds the recipient address; likewise a form submission exported without its contact.

with identities as (
    select identity_kind, source_id, person_id
    from {{ ref('int_identities_linked') }}
),

-- The persons of form submissions and e-mail events: by the contact id, else by the
-- address (int_marketing_activities_matched); known persons only, as below.
activity_persons as (
    select distinct activity_kind, activity_id, person_id
    from {{ ref('int_marketing_activities_matched') }}
    where is_identified_person
),

persons as (
    select person_id, account_id
    from {{ ref('int_persons_identified') }}
),

web_sessions as (
    select
        identities.person_id,
        sessions.started_at as occurred_at,
        'web_session' as touchpoint_type,
        'web_analytics' as system,
        sessions.web_session_id as source_record_id,
        {{ touchpoint_detail_columns({
            'source': 'sessions.source',
            'medium': 'sessions.medium',
            'campaign': 'sessions.campaign',
            'page_url': 'sessions.landing_page_url',
        }) }}
        false as is_inferred
    from {{ ref('int_web_sessions_sessionized') }} as sessions
    inner join identities
        on {{ identity_of('identities', 'web_client', 'sessions.client_id') }}
),

form_submissions as (
    select
        activity_persons.person_id,
        forms.submitted_at as occurred_at,
        'form_submission' as touchpoint_type,
        'marketing_automation' as system,
        forms.form_submission_id as source_record_id,
        {{ touchpoint_detail_columns({
            'source': 'forms.utm_source',
            'medium': 'forms.utm_medium',
            'campaign': 'forms.utm_campaign',
            'page_url': 'forms.page_url',
            'form_name': 'forms.form_name',
            'form_type': 'forms.form_type',
        }) }}
        false as is_inferred
    from {{ ref('stg_marketing_automation__form_submissions') }} as forms
    inner join activity_persons
        on activity_persons.activity_kind = 'form_submission'
        and activity_persons.activity_id = forms.form_submission_id
),

email_engagements as (
    select
        activity_persons.person_id,
        emails.occurred_at,
        'email_engagement' as touchpoint_type,
        'marketing_automation' as system,
        emails.email_event_id as source_record_id,
        {{ touchpoint_detail_columns({
            'medium': "'email'",
            'page_url': 'emails.clicked_url',
            'email_event_type': 'emails.email_event_type',
            'email_campaign_id': 'cast(emails.email_campaign_id as ' ~ dbt.type_string() ~ ')',
            'marketing_campaign_id': 'emails.campaign_id',
        }) }}
        false as is_inferred
    from {{ ref('stg_marketing_automation__email_events') }} as emails
    inner join activity_persons
        on activity_persons.activity_kind = 'email_event'
        and activity_persons.activity_id = emails.email_event_id
    where emails.email_event_meaning <> 'delivery'
),

sales_touches as (
    select
        identities.person_id,
        activities.touched_at as occurred_at,
        'sales_touch' as touchpoint_type,
        'crm' as system,
        activities.sales_touch_id as source_record_id,
        {{ touchpoint_detail_columns({
            'sales_touch_type': 'activities.sales_touch_type',
            'owner_id': 'activities.owner_id',
            'subject': 'activities.subject',
        }) }}
        false as is_inferred
    -- completed tasks and meetings that have started (Task/Event.WhoId on a lead or a
    -- contact), up to the end of the CRM data: the rule of int_sales_touches_happened
    from {{ ref('int_sales_touches_happened') }} as activities
    inner join identities
        on identities.identity_kind in ('crm_lead', 'crm_contact')
        and identities.source_id = activities.who_id
),

stages_entered as (
    select
        stages.person_id,
        stages.entered_at as occurred_at,
        'stage_entered' as touchpoint_type,
        stages.evidence_system as system,
        stages.stage_key as source_record_id,
        {{ touchpoint_detail_columns({
            'stage_key': 'stages.stage_key',
        }) }}
        stages.is_inferred
    from {{ ref('int_lifecycle_stages_entered') }} as stages
),

-- An opportunity's person: its contact (Opportunity.ContactId), else the lead converted
-- into it (Lead.ConvertedOpportunityId); one person per opportunity, the contact first,
-- then a live lead before a deleted duplicate, then the lowest lead id.
opportunity_person_candidates as (
    select
        opportunities.opportunity_id,
        identities.person_id,
        0 as priority,
        opportunities.contact_id as via_id
    from {{ ref('stg_crm__opportunities') }} as opportunities
    inner join identities
        on {{ identity_of('identities', 'crm_contact', 'opportunities.contact_id') }}

    union all

    select
        leads.converted_opportunity_id as opportunity_id,
        identities.person_id,
        case when leads.is_deleted then 2 else 1 end as priority,
        leads.lead_id as via_id
    from {{ ref('stg_crm__leads') }} as leads
    inner join identities
        on {{ identity_of('identities', 'crm_lead', 'leads.lead_id') }}
    where leads.converted_opportunity_id is not null
),

opportunity_persons as (
    select opportunity_id, person_id
    from (
        select
            opportunity_id,
            person_id,
            row_number() over (
                partition by opportunity_id order by priority, via_id
            ) as candidate_rank
        from opportunity_person_candidates
    ) as ranked
    where candidate_rank = 1
),

opportunity_stage_changes as (
    select
        opportunity_persons.person_id,
        history.changed_at as occurred_at,
        'opportunity_stage_change' as touchpoint_type,
        'crm' as system,
        history.opportunity_history_id as source_record_id,
        {{ touchpoint_detail_columns({
            'owner_id': 'history.changed_by_user_id',
            'opportunity_id': 'history.opportunity_id',
            'opportunity_stage_name': 'history.stage_name',
            'amount': 'cast(history.amount as double)',
        }) }}
        false as is_inferred
    from {{ ref('stg_crm__opportunity_history') }} as history
    inner join opportunity_persons
        on opportunity_persons.opportunity_id = history.opportunity_id
),

touchpoints as (
    select * from web_sessions
    union all
    select * from form_submissions
    union all
    select * from email_engagements
    union all
    select * from sales_touches
    union all
    select * from stages_entered
    union all
    select * from opportunity_stage_changes
),

-- known persons only; the type order breaks ties at the same instant (a form fill comes
-- after the session it was made in, a stage after the touch that caused it)
known_touchpoints as (
    select
        touchpoints.*,
        persons.account_id,
        {{ surrogate_key(['touchpoints.touchpoint_type', 'touchpoints.source_record_id', 'touchpoints.person_id']) }}
            as touchpoint_id,
        {{ touchpoint_type_order('touchpoints.touchpoint_type') }} as touchpoint_type_order
    from touchpoints
    inner join persons
        on persons.person_id = touchpoints.person_id
    where touchpoints.occurred_at is not null
)

select * from known_touchpoints
