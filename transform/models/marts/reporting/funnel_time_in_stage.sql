-- Average calendar days in each stage of the persons who left it for a later one, over all
-- periods (the velocity mart at month grain): total days over the persons timed.
select
    velocity.stage_key,
    any_value(stages.stage_name) as stage_name,
    min(velocity.stage_order) as stage_order,
    cast(sum(velocity.persons_left) as bigint) as persons_left,
    cast(sum(velocity.total_days_in_stage) / nullif(sum(velocity.persons_left_timed), 0) as double)
        as avg_days_in_stage
from {{ ref('funnel_stage_velocity') }} as velocity
left join {{ source('definitions', 'lifecycle_stages') }} as stages
    on stages.stage_key = velocity.stage_key
where velocity.period_grain = 'month'
group by velocity.stage_key
