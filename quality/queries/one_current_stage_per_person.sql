-- Per person with a stage: how many stages are current, and which is the furthest.
select person_id,
       sum(case when is_current_stage then 1 else 0 end) as current_stage_count,
       max(case when is_current_stage then stage_order end) as current_stage_order,
       max(stage_order) as furthest_stage_order
from {{ ref('int_lifecycle_stages_entered') }}
group by person_id
