-- Every opportunity (not deleted; an export without IsDeleted deletes nothing) with when it closed and when it was won: the one
-- definition the lifecycle stages (customer), the closed loop, account revenue,
-- attribution and the MQL targets read.
--
-- closed_at: when the opportunity last entered the stage it is closed in (its current
-- StageName, in OpportunityHistory): a deal reopened and closed again closed when it last
-- closed, as the earlier close was undone. Without a history row of that stage, its
-- CloseDate (a date the rep sets, at midnight UTC). Null while it is open (neither IsClosed
-- nor IsWon).
-- won_at: closed_at of a won opportunity (IsWon), null otherwise.

with opportunities as (
    select *
    from {{ ref('stg_crm__opportunities') }}
    where not coalesce(is_deleted, false)
),

stage_entries as (
    select
        opportunity_id,
        stage_name,
        max(changed_at) as last_entered_at
    from {{ ref('stg_crm__opportunity_history') }}
    group by opportunity_id, stage_name
),

closed as (
    select
        opportunities.opportunity_id,
        opportunities.account_id,
        opportunities.contact_id,
        opportunities.opportunity_type,
        opportunities.stage_name,
        opportunities.amount,
        opportunities.is_closed,
        coalesce(opportunities.is_won, false) as is_won,
        opportunities.loss_reason,
        opportunities.created_at,
        opportunities.updated_at,
        opportunities.close_date,
        case
            when opportunities.is_closed or opportunities.is_won
                then coalesce(
                    stage_entries.last_entered_at,
                    cast(opportunities.close_date as {{ dbt.type_timestamp() }})
                )
        end as closed_at,
        case
            when not (opportunities.is_closed or opportunities.is_won) then null
            when stage_entries.last_entered_at is not null then 'opportunity_history'
            when opportunities.close_date is not null then 'close_date'
        end as closed_at_source
    from opportunities
    left join stage_entries
        on stage_entries.opportunity_id = opportunities.opportunity_id
        and stage_entries.stage_name = opportunities.stage_name
)

select
    *,
    case when is_won then closed_at end as won_at
from closed
