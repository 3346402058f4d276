-- Sales' SLA per reporting grain and period, over every owner.
select
    period_grain,
    period_start,
    {{ sla_compliance_sums() }}
from {{ ref('sla_compliance_by_owner') }}
group by period_grain, period_start
