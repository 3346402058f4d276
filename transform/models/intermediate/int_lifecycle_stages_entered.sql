{#-
  Every lifecycle stage each person entered, one row per (person_id, stage_key), with the
  evidence that says so. The stages and their order come from the agreed definitions
  (source('definitions', 'lifecycle_stages')); only the stage keys the definitions name
  in their rules (mql, sal, sql) appear in this model, never an order.

  Evidence, from live records only (int_identities_linked.is_surviving: not deleted, not
  merged away), mapped to persons through int_identities_linked:
    subscriber, lead  HubSpot became_subscriber_at / became_lead_at
    mql               HubSpot became_mql_at and CRM Lead.MQL_Date__c
    sal               CRM accepted time (int_crm_leads_stage_timed: Lead.Accepted_Date__c,
                      else the first LeadHistory Status change into an accepted status,
                      else the current Status at LastModifiedDate)
    sql               CRM qualified time (the same three sources) and HubSpot became_sql_at
    opportunity       Opportunity.CreatedDate of the person's opportunities (the one its
                      converted lead points to, or whose ContactId is the person's contact)
    customer          when a won opportunity of the person was won
                      (int_opportunities_closed.won_at: its last entry into its closing
                      stage in OpportunityHistory, else Opportunity.CloseDate)
  A person with no HubSpot lifecycle date at all (known only to the CRM, or a HubSpot
  contact exported without its lifecycle date properties) enters the funnel with its first
  record:
    lead              CRM Lead.CreatedDate; Contact.CreatedDate when the person has no
                      live lead
    subscriber, lead  else HubSpot createdate, at the contact's current lifecycle stage
                      when that means subscriber, as a lead otherwise
  so every person with a live marketing or CRM record has a current stage.
  A stage is entered at the earliest evidence of any record of the person; the earliest
  time each system holds is kept beside it.

  Inferred stages: a stage without evidence that the person demonstrably passed through
  (a stage before and a stage after it have evidence) is inferred, entered at the time of
  the next stage with evidence, and flagged. Never inferred:
    - mql: an MQL is a judgement under the MQL rule in force; inventing one would credit
      marketing and fail the rule check for a lead nobody qualified;
    - any stage before the SQL of a sales-sourced person (an SQL without a recorded MQL
      at or before it): the SDR created the prospect, it skipped the marketing stages and
      the acceptance of an MQL by design;
    - stages before the first one with evidence: that is where the person entered the
      funnel (most leads were never subscribers).
-#}

with

stages as (
    select
        stage_order,
        stage_key
    from {{ source('definitions', 'lifecycle_stages') }}
),

live_identities as (
    select
        identity_kind,
        source_id,
        person_id,
        first_seen_at
    from {{ ref('int_identities_linked') }}
    where is_surviving
        and identity_kind in ('marketing_contact', 'crm_lead', 'crm_contact')
),

marketing_contacts as (
    select
        live_identities.person_id,
        contacts.contact_id,
        contacts.became_subscriber_at,
        contacts.became_lead_at,
        contacts.became_mql_at,
        contacts.became_sql_at,
        contacts.lifecycle_stage_key,
        contacts.created_at
    from {{ ref('stg_marketing_automation__contacts') }} as contacts
    inner join live_identities
        on {{ identity_of('live_identities', 'marketing_contact', 'contacts.contact_id') }}
),

crm_leads as (
    select
        live_identities.person_id,
        leads.lead_id,
        leads.mql_at,
        leads.mql_at_source,
        leads.accepted_at,
        leads.accepted_at_source,
        leads.qualified_at,
        leads.qualified_at_source,
        leads.converted_opportunity_id,
        leads.created_at
    from {{ ref('int_crm_leads_stage_timed') }} as leads
    inner join live_identities
        on {{ identity_of('live_identities', 'crm_lead', 'leads.lead_id') }}
    where not leads.is_deleted
        and leads.master_record_id is null
),

-- When each deal was won: int_opportunities_closed, the one definition.
opportunities as (
    select * from {{ ref('int_opportunities_closed') }}
),

-- A person's opportunities: the one their converted lead created, and those naming one
-- of their contacts as the opportunity's contact.
person_opportunities as (
    select distinct
        person_id,
        opportunity_id
    from (
        select
            crm_leads.person_id,
            crm_leads.converted_opportunity_id as opportunity_id
        from crm_leads
        where crm_leads.converted_opportunity_id is not null
        union all
        select
            live_identities.person_id,
            opportunities.opportunity_id
        from opportunities
        inner join live_identities
            on {{ identity_of('live_identities', 'crm_contact', 'opportunities.contact_id') }}
    ) as candidates
),

person_opportunity_records as (
    select
        person_opportunities.person_id,
        opportunities.opportunity_id,
        opportunities.created_at,
        opportunities.is_won,
        opportunities.won_at,
        opportunities.closed_at_source as won_at_source
    from person_opportunities
    inner join opportunities
        on opportunities.opportunity_id = person_opportunities.opportunity_id
),

crm_contacts as (
    select
        person_id,
        source_id as contact_id,
        first_seen_at as created_at
    from live_identities
    where {{ identity_is('live_identities', 'crm_contact') }}
),

recorded_evidence as (
    select person_id, 'subscriber' as stage_key, became_subscriber_at as recorded_at,
        'marketing_automation' as evidence_system, 'marketing_automation: became_subscriber_at' as evidence,
        contact_id as evidence_record_id
    from marketing_contacts where became_subscriber_at is not null
    union all
    select person_id, 'lead', became_lead_at,
        'marketing_automation', 'marketing_automation: became_lead_at', contact_id
    from marketing_contacts where became_lead_at is not null
    union all
    select person_id, 'mql', became_mql_at,
        'marketing_automation', 'marketing_automation: became_mql_at', contact_id
    from marketing_contacts where became_mql_at is not null
    union all
    select person_id, 'sql', became_sql_at,
        'marketing_automation', 'marketing_automation: became_sql_at', contact_id
    from marketing_contacts where became_sql_at is not null
    union all
    select person_id, 'mql', mql_at,
        'crm', 'crm: Lead.MQL_Date__c', lead_id
    from crm_leads where mql_at is not null and mql_at_source = 'custom_field'
    union all
    select person_id, 'sal', accepted_at,
        'crm', {{ crm_lead_stage_evidence('accepted_at_source', 'Lead.Accepted_Date__c') }}, lead_id
    from crm_leads where accepted_at is not null
    union all
    select person_id, 'sql', qualified_at,
        'crm', {{ crm_lead_stage_evidence('qualified_at_source', 'Lead.Qualified_Date__c') }}, lead_id
    from crm_leads where qualified_at is not null
    union all
    select person_id, 'opportunity', created_at,
        'crm', 'crm: Opportunity.CreatedDate', opportunity_id
    from person_opportunity_records where created_at is not null
    union all
    select person_id, 'customer', won_at,
        'crm',
        case
            when won_at_source = 'opportunity_history' then 'crm: OpportunityHistory Closed Won'
            else 'crm: Opportunity.CloseDate (IsWon)'
        end,
        opportunity_id
    from person_opportunity_records
    where is_won and won_at is not null
),

-- Where a person without any HubSpot lifecycle date entered the funnel: its first records.
persons_without_marketing_evidence as (
    select distinct live_identities.person_id
    from live_identities
    left join (
        select distinct person_id from recorded_evidence
        where evidence_system = 'marketing_automation'
    ) as with_marketing_evidence
        on with_marketing_evidence.person_id = live_identities.person_id
    where with_marketing_evidence.person_id is null
),

entry_evidence as (
    select crm_leads.person_id, 'lead' as stage_key, crm_leads.created_at as recorded_at,
        'crm' as evidence_system, 'crm: Lead.CreatedDate' as evidence,
        crm_leads.lead_id as evidence_record_id
    from crm_leads
    inner join persons_without_marketing_evidence as entering
        on entering.person_id = crm_leads.person_id
    where crm_leads.created_at is not null
    union all
    select crm_contacts.person_id, 'lead', crm_contacts.created_at,
        'crm', 'crm: Contact.CreatedDate', crm_contacts.contact_id
    from crm_contacts
    inner join persons_without_marketing_evidence as entering
        on entering.person_id = crm_contacts.person_id
    where crm_contacts.created_at is not null
        and crm_contacts.person_id not in (select person_id from crm_leads)
    union all
    select marketing_contacts.person_id,
        case when marketing_contacts.lifecycle_stage_key = 'subscriber' then 'subscriber' else 'lead' end,
        marketing_contacts.created_at,
        'marketing_automation', 'marketing_automation: createdate', marketing_contacts.contact_id
    from marketing_contacts
    inner join persons_without_marketing_evidence as entering
        on entering.person_id = marketing_contacts.person_id
    where marketing_contacts.created_at is not null
        and marketing_contacts.person_id not in (select person_id from crm_leads)
        and marketing_contacts.person_id not in (select person_id from crm_contacts)
),

evidence as (
    select * from recorded_evidence
    union all
    select * from entry_evidence
),

-- The earliest time each system holds for a stage, side by side.
evidence_by_system as (
    select
        person_id,
        stage_key,
        min(case when evidence_system = 'marketing_automation' then recorded_at end)
            as marketing_automation_entered_at,
        min(case when evidence_system = 'crm' then recorded_at end) as crm_entered_at
    from evidence
    group by person_id, stage_key
),

-- The earliest evidence of each stage; ties go to the evidence name, then the record id.
earliest_evidence as (
    {{ first_row_per('evidence', 'person_id, stage_key', 'recorded_at, evidence, evidence_record_id') }}
),

recorded as (
    select
        earliest_evidence.person_id,
        stages.stage_order,
        stages.stage_key,
        earliest_evidence.recorded_at,
        earliest_evidence.evidence_system,
        earliest_evidence.evidence,
        earliest_evidence.evidence_record_id,
        evidence_by_system.marketing_automation_entered_at,
        evidence_by_system.crm_entered_at
    from earliest_evidence
    inner join stages
        on stages.stage_key = earliest_evidence.stage_key
    inner join evidence_by_system
        on evidence_by_system.person_id = earliest_evidence.person_id
        and evidence_by_system.stage_key = earliest_evidence.stage_key
),

-- Every stage of every person with evidence, recorded or not, and where it sits between
-- the stages with evidence.
person_stage_grid as (
    select
        persons.person_id,
        stages.stage_order,
        stages.stage_key,
        recorded.recorded_at,
        max(recorded.stage_order) over (
            partition by persons.person_id order by stages.stage_order
            rows between unbounded preceding and 1 preceding
        ) as previous_recorded_stage_order,
        min(recorded.stage_order) over (
            partition by persons.person_id order by stages.stage_order
            rows between 1 following and unbounded following
        ) as next_recorded_stage_order
    from (select distinct person_id from recorded) as persons
    cross join stages
    left join recorded
        on recorded.person_id = persons.person_id
        and recorded.stage_key = stages.stage_key
),

gaps as (
    select
        person_stage_grid.person_id,
        person_stage_grid.stage_order,
        person_stage_grid.stage_key,
        next_recorded.recorded_at,
        next_recorded.stage_key as inferred_from_stage_key,
        next_recorded.evidence_system,
        next_recorded.evidence,
        next_recorded.evidence_record_id
    from person_stage_grid
    inner join recorded as next_recorded
        on next_recorded.person_id = person_stage_grid.person_id
        and next_recorded.stage_order = person_stage_grid.next_recorded_stage_order
    where person_stage_grid.recorded_at is null
        and person_stage_grid.previous_recorded_stage_order is not null
),

-- The person's SQL (recorded, or a gap that would be inferred) and whether a recorded MQL
-- came at or before it. An SQL without one is sales-sourced.
person_sql as (
    select
        sql_stage.person_id,
        sql_stage.stage_order as sql_stage_order,
        not coalesce(mql.recorded_at <= sql_stage.entered_at, false) as is_sales_sourced
    from (
        select person_id, stage_order, recorded_at as entered_at
        from recorded where stage_key = 'sql'
        union all
        select person_id, stage_order, recorded_at
        from gaps where stage_key = 'sql'
    ) as sql_stage
    left join recorded as mql
        on mql.person_id = sql_stage.person_id
        and mql.stage_key = 'mql'
),

inferred as (
    select
        gaps.person_id,
        gaps.stage_order,
        gaps.stage_key,
        gaps.recorded_at as entered_at,
        gaps.evidence_system,
        {{ dbt.concat(["'inferred from '", "gaps.inferred_from_stage_key", "' ('", "gaps.evidence", "')'"]) }} as evidence,
        gaps.evidence_record_id,
        cast(null as {{ dbt.type_timestamp() }}) as marketing_automation_entered_at,
        cast(null as {{ dbt.type_timestamp() }}) as crm_entered_at,
        true as is_inferred
    from gaps
    left join person_sql
        on person_sql.person_id = gaps.person_id
    where gaps.stage_key <> 'mql'
        and not (
            coalesce(person_sql.is_sales_sourced, false)
            and gaps.stage_order < person_sql.sql_stage_order
        )
),

entered as (
    select
        person_id,
        stage_order,
        stage_key,
        recorded_at as entered_at,
        evidence_system,
        evidence,
        evidence_record_id,
        marketing_automation_entered_at,
        crm_entered_at,
        false as is_inferred
    from recorded
    union all
    select * from inferred
),

flagged as (
    select
        entered.*,
        max(entered.entered_at) over (
            partition by entered.person_id order by entered.stage_order
            rows between unbounded preceding and 1 preceding
        ) as latest_earlier_stage_entered_at,
        max(entered.stage_order) over (partition by entered.person_id) as current_stage_order
    from entered
)

select
    flagged.person_id,
    flagged.stage_order,
    flagged.stage_key,
    flagged.entered_at,
    flagged.evidence_system,
    flagged.evidence,
    flagged.evidence_record_id,
    flagged.marketing_automation_entered_at,
    flagged.crm_entered_at,
    flagged.is_inferred,
    -- Compared to the second: Salesforce exports whole seconds (.000), HubSpot milliseconds,
    -- so a CRM time is up to 999 ms early against the HubSpot time of the same moment (an
    -- MQL by a demo form is a lead and an MQL at once); that is not going backwards.
    coalesce(
        {{ dbt.date_trunc('second', 'flagged.entered_at') }}
        < {{ dbt.date_trunc('second', 'flagged.latest_earlier_stage_entered_at') }},
        false
    ) as is_retroactive,
    flagged.stage_order = flagged.current_stage_order as is_current_stage,
    case when flagged.stage_key = 'sql' then person_sql.is_sales_sourced end as is_sales_sourced_sql
from flagged
left join person_sql
    on person_sql.person_id = flagged.person_id
