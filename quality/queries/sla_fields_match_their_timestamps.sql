-- Every MQL's SLA clock: the timestamps, the hours and the verdicts derived from them.
select lead_id, mql_at, first_touch_at, responded_at,
       business_hours_to_first_touch, business_hours_to_response,
       first_touch_at is not null as has_first_touch,
       responded_at is not null as has_response,
       case when is_first_touch_sla_met then 'met'
            when not is_first_touch_sla_met then 'breached'
            else 'pending' end as first_touch_verdict,
       case when is_response_sla_met then 'met'
            when not is_response_sla_met then 'breached'
            else 'pending' end as response_verdict
from {{ ref('int_mqls_sla_measured') }}
