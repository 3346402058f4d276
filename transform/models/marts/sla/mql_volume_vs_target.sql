-- Marketing's side of the SLA per month: MQLs delivered to sales against the agreed
-- monthly target, and how sales judged them (accepted = SAL, or rejected back to nurture).
-- The target is definitions.terms.monthly_mql_target. While the definitions give only a
-- revenue goal (monthly_mql_target null), the target is meant to be derived from it through
-- the trailing conversion rates; that derivation is not built yet, so the target is null
-- here and the goal it will come from is shown beside it.

with mqls as (
    select * from {{ ref('int_mqls_sla_measured') }}
),

terms as (
    select
        definitions_version,
        monthly_mql_target,
        monthly_new_revenue_goal
    from {{ source('definitions', 'terms') }}
),

monthly as (
    select
        cast({{ dbt.date_trunc('month', 'mql_at') }} as date) as month_start,
        count(*) as mqls_delivered,
        sum(case when responded_at is not null and responded_at = accepted_at then 1 else 0 end)
            as mqls_accepted,
        sum(case when responded_at is not null and responded_at = rejected_at
            and (accepted_at is null or accepted_at <> responded_at) then 1 else 0 end)
            as mqls_rejected,
        max(data_as_of) as data_as_of
    from mqls
    group by 1
)

select
    monthly.month_start,
    cast(monthly.mqls_delivered as bigint) as mqls_delivered,
    cast(terms.monthly_mql_target as bigint) as monthly_mql_target,
    cast(monthly.mqls_delivered as double) / nullif(terms.monthly_mql_target, 0) as share_of_target_delivered,
    case
        when terms.monthly_mql_target is null then null
        when monthly.mqls_delivered >= terms.monthly_mql_target then true
        when {{ dbt.dateadd('month', 1, 'monthly.month_start') }} <= monthly.data_as_of then false
    end as is_target_met,
    cast(monthly.mqls_accepted as bigint) as mqls_accepted,
    cast(monthly.mqls_rejected as bigint) as mqls_rejected,
    cast(monthly.mqls_accepted as double)
        / nullif(monthly.mqls_accepted + monthly.mqls_rejected, 0) as acceptance_rate,
    {{ dbt.dateadd('month', 1, 'monthly.month_start') }} <= monthly.data_as_of as is_complete_month,
    cast(terms.monthly_new_revenue_goal as double) as monthly_new_revenue_goal,
    cast(terms.definitions_version as varchar) as definitions_version
from monthly
cross join terms
