-- Why the pages' money differs, opportunity by opportunity, over all the published data:
-- every opportunity by its status (open, won, lost) and by whether it is traced to an MQL
-- (closed_loop_mql_outcomes: the Closed loop page counts only those) and had a marketing
-- touch in the attribution lookback (attribution_touchpoint_credits: the Attribution page
-- counts every opportunity, crediting 'no marketing touch' when none). The Attribution
-- page's revenue is the sum of every won row; the Closed loop page's, of the rows traced to
-- an MQL; the difference is what no MQL earned.
with opportunities as (
    select
        opportunity_id,
        max(opportunity_amount) as amount,
        bool_or(is_won) as is_won,
        bool_and(channel_key = 'no_marketing_touch') as has_no_marketing_touch
    from {{ ref('attribution_touchpoint_credits') }}
    group by opportunity_id
),

closed as (
    select opportunity_id, is_closed
    from {{ ref('int_opportunities_closed') }}
),

traced as (
    select distinct opportunity_id
    from {{ ref('closed_loop_mql_outcomes') }}
    where opportunity_id is not null
)

select
    cast(case
        when opportunities.is_won then 'won'
        when coalesce(closed.is_closed, false) then 'lost'
        else 'open'
    end as varchar) as opportunity_status,
    traced.opportunity_id is not null as is_traced_to_mql,
    opportunities.has_no_marketing_touch,
    cast(count(*) as bigint) as opportunity_count,
    cast(sum(opportunities.amount) as double) as amount
from opportunities
left join closed
    on closed.opportunity_id = opportunities.opportunity_id
left join traced
    on traced.opportunity_id = opportunities.opportunity_id
group by 1, 2, 3
