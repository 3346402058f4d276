-- Each stage a person entered, beside the latest stage of the agreed order before it.
select person_id, stage_key, stage_order, evidence, evidence_record_id,
       date_trunc('second', entered_at) as entered_at,
       date_trunc('second', max(entered_at) over (
           partition by person_id order by stage_order
           rows between unbounded preceding and 1 preceding))
           as latest_earlier_stage_at
from {{ ref('int_lifecycle_stages_entered') }}
