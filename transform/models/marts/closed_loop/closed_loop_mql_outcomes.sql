-- The closed loop per MQL: what became of every MQL handed to sales, one row per MQL
-- (int_mqls_sla_measured.lead_id), with the person's acquisition slices and the
-- opportunity the MQL led to.
--
-- The MQL's opportunity is the one its lead was converted into (Lead.ConvertedOpportunityId).
-- An MQL without one falls back to the first opportunity of the person's account created at
-- or after the MQL that no lead was converted into: an opportunity a lead was converted
-- into is that lead's outcome, not a colleague's. When several such MQLs of one account
-- precede the same opportunity, it goes to the latest of them. So no opportunity, and no
-- revenue, is counted for two MQLs.
--
-- The outcome is the first of these that applies (the precedence is deliberate):
--   1. won / lost: the opportunity is closed; its result beats whatever the lead says.
--   2. open: the opportunity is still being worked.
--   3. disqualified: the lead's current status means disqualified (definitions vocabulary
--      crm_lead_status: sales qualified it out after accepting it), with
--      Lead.Disqualified_Reason__c when the org has that field.
--   4. recycled_to_nurture: sales' latest decision on this MQL was to reject it back to
--      nurture: rejected at or after the MQL and not accepted after the rejection (a
--      rejection before the MQL belongs to an earlier cycle of a recycled lead).
--   5. open: nothing decided yet, or accepted, qualified or converted without an
--      opportunity of its own.

with mqls as (
    select
        lead_id,
        owner_id,
        mql_at,
        accepted_at,
        rejected_at,
        rejection_reason,
        data_as_of
    from {{ ref('int_mqls_sla_measured') }}
),

leads as (
    select
        lead_id,
        lead_status,
        lead_status_meaning,
        is_converted,
        converted_opportunity_id,
        disqualified_at,
        disqualified_reason,
        updated_at
    from {{ ref('int_crm_leads_stage_timed') }}
),

lead_persons as (
    select
        identities.source_id as lead_id,
        identities.person_id
    from {{ ref('int_identities_linked') }} as identities
    where {{ identity_is('identities', 'crm_lead') }}
),

person_accounts as (
    select person_id, account_id
    from {{ ref('int_persons_identified') }}
),

acquisitions as (
    select
        person_id,
        acquisition_channel_key,
        acquisition_channel_name,
        acquisition_campaign,
        first_form_name,
        segment_key,
        segment_name
    from {{ ref('int_persons_acquired') }}
),

agreed_reasons as (
    select reason_kind, reason
    from {{ source('definitions', 'reasons') }}
),

-- When each opportunity closed and whether it was won: int_opportunities_closed, the one
-- definition (its last entry into its closing stage, else its close date).
opportunity_results as (
    select
        opportunity_id,
        account_id,
        stage_name,
        amount,
        is_closed,
        is_won,
        loss_reason,
        created_at,
        case when is_closed then closed_at end as closed_at
    from {{ ref('int_opportunities_closed') }}
),

mql_leads as (
    select
        mqls.*,
        leads.lead_status,
        leads.lead_status_meaning,
        leads.is_converted,
        leads.disqualified_at,
        leads.disqualified_reason,
        leads.updated_at as lead_updated_at,
        converted.opportunity_id as converted_opportunity_id,
        lead_persons.person_id,
        person_accounts.account_id
    from mqls
    left join leads
        on leads.lead_id = mqls.lead_id
    left join opportunity_results as converted
        on converted.opportunity_id = leads.converted_opportunity_id
    left join lead_persons
        on lead_persons.lead_id = mqls.lead_id
    left join person_accounts
        on person_accounts.person_id = lead_persons.person_id
),

claimed_opportunities as (
    select distinct converted_opportunity_id as opportunity_id
    from leads
    where converted_opportunity_id is not null
),

account_candidates as (
    select
        mql_leads.lead_id,
        mql_leads.mql_at,
        opportunity_results.opportunity_id,
        opportunity_results.created_at
    from mql_leads
    inner join opportunity_results
        on opportunity_results.account_id = mql_leads.account_id
        and opportunity_results.created_at >= mql_leads.mql_at
    left join claimed_opportunities
        on claimed_opportunities.opportunity_id = opportunity_results.opportunity_id
    where mql_leads.converted_opportunity_id is null
        and claimed_opportunities.opportunity_id is null
),

first_candidate_per_mql as (
    {{ first_row_per('account_candidates', 'lead_id', 'created_at, opportunity_id') }}
),

first_candidates as (
    select lead_id, mql_at, opportunity_id
    from first_candidate_per_mql
),

account_opportunities as (
    {{ first_row_per('first_candidates', 'opportunity_id', 'mql_at desc, lead_id') }}
),

linked as (
    select
        mql_leads.*,
        coalesce(mql_leads.converted_opportunity_id, account_opportunities.opportunity_id)
            as opportunity_id,
        case
            when mql_leads.converted_opportunity_id is not null then 'lead_conversion'
            when account_opportunities.opportunity_id is not null then 'account_after_mql'
        end as opportunity_linked_by
    from mql_leads
    left join account_opportunities
        on account_opportunities.lead_id = mql_leads.lead_id
),

judged as (
    select
        linked.*,
        opportunity_results.stage_name as opportunity_stage_name,
        opportunity_results.created_at as opportunity_created_at,
        opportunity_results.amount,
        opportunity_results.is_closed as is_opportunity_closed,
        opportunity_results.is_won as is_opportunity_won,
        opportunity_results.loss_reason,
        opportunity_results.closed_at,
        case
            when opportunity_results.is_closed and opportunity_results.is_won then 'won'
            when opportunity_results.is_closed then 'lost'
            when opportunity_results.opportunity_id is not null then 'open'
            when linked.lead_status_meaning = 'disqualified' then 'disqualified'
            when linked.rejected_at >= linked.mql_at
                and (
                    linked.accepted_at is null
                    or linked.accepted_at < linked.mql_at
                    or linked.accepted_at <= linked.rejected_at
                )
                then 'recycled_to_nurture'
            else 'open'
        end as outcome
    from linked
    left join opportunity_results
        on opportunity_results.opportunity_id = linked.opportunity_id
),

reasoned as (
    select
        judged.*,
        case outcome
            when 'lost' then 'loss'
            when 'disqualified' then 'disqualification'
            when 'recycled_to_nurture' then 'rejection'
        end as outcome_reason_kind,
        case outcome
            when 'lost' then loss_reason
            when 'disqualified' then disqualified_reason
            when 'recycled_to_nurture' then rejection_reason
        end as outcome_reason,
        case outcome
            when 'won' then closed_at
            when 'lost' then closed_at
            when 'disqualified' then coalesce(disqualified_at, lead_updated_at)
            when 'recycled_to_nurture' then rejected_at
        end as outcome_at
    from judged
)

select
    reasoned.lead_id,
    reasoned.person_id,
    reasoned.owner_id,
    reasoned.mql_at,
    cast({{ dbt.date_trunc('month', 'reasoned.mql_at') }} as date) as mql_month,
    acquisitions.acquisition_channel_key,
    acquisitions.acquisition_channel_name,
    acquisitions.acquisition_campaign,
    acquisitions.first_form_name as acquisition_content,
    acquisitions.segment_key,
    acquisitions.segment_name,
    reasoned.lead_status,
    reasoned.outcome,
    reasoned.outcome_reason_kind,
    reasoned.outcome_reason,
    case
        when reasoned.outcome_reason is null or reasoned.outcome_reason_kind = 'loss' then null
        else agreed_reasons.reason is not null
    end as is_agreed_reason,
    reasoned.outcome_at,
    cast({{ dbt.datediff('reasoned.mql_at', 'reasoned.outcome_at', 'day') }} as {{ dbt.type_bigint() }})
        as days_mql_to_outcome,
    reasoned.account_id,
    reasoned.opportunity_id,
    reasoned.opportunity_linked_by,
    reasoned.opportunity_stage_name,
    reasoned.opportunity_created_at,
    cast(reasoned.amount as double) as amount,
    coalesce(reasoned.is_opportunity_won, false) as is_won,
    cast(case when reasoned.outcome = 'won' then coalesce(reasoned.amount, 0) else 0 end as double)
        as won_amount,
    reasoned.data_as_of
from reasoned
left join acquisitions
    on acquisitions.person_id = reasoned.person_id
left join agreed_reasons
    on agreed_reasons.reason_kind = reasoned.outcome_reason_kind
    and agreed_reasons.reason = reasoned.outcome_reason
