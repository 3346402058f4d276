-- Why MQLs did not turn into revenue, by source: per calendar month of the MQL date,
-- acquisition channel, campaign, content (first form), segment, outcome and reason, how
-- many MQLs ended that way, and for lost deals the amount lost. Only the outcomes that
-- carry a reason are here: lost (Opportunity.Loss_Reason__c), disqualified
-- (Lead.Disqualified_Reason__c) and recycled to nurture (Lead.Rejection_Reason__c). Built
-- on closed_loop_mql_outcomes, so the counts add up to the lost, disqualified and
-- recycled counts of closed_loop_by_source.

with outcomes as (
    select * from {{ ref('closed_loop_mql_outcomes') }}
    where outcome_reason_kind is not null
)

select
    mql_month,
    cast(acquisition_channel_key as {{ dbt.type_string() }}) as acquisition_channel_key,
    cast(max(acquisition_channel_name) as {{ dbt.type_string() }}) as acquisition_channel_name,
    cast(acquisition_campaign as {{ dbt.type_string() }}) as acquisition_campaign,
    cast(acquisition_content as {{ dbt.type_string() }}) as acquisition_content,
    cast(segment_key as {{ dbt.type_string() }}) as segment_key,
    cast(max(segment_name) as {{ dbt.type_string() }}) as segment_name,
    cast(outcome as {{ dbt.type_string() }}) as outcome,
    cast(outcome_reason_kind as {{ dbt.type_string() }}) as outcome_reason_kind,
    cast(outcome_reason as {{ dbt.type_string() }}) as outcome_reason,
    is_agreed_reason,
    cast(count(*) as {{ dbt.type_bigint() }}) as mql_count,
    cast(sum(case when outcome = 'lost' then amount end) as double) as lost_amount
from outcomes
group by
    mql_month,
    acquisition_channel_key,
    acquisition_campaign,
    acquisition_content,
    segment_key,
    outcome,
    outcome_reason_kind,
    outcome_reason,
    is_agreed_reason
