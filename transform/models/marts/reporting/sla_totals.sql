-- Sales' SLA over all the published MQLs in one row (month grain, summed over periods and
-- owners): met counts over measured counts.
select
    {{ sla_compliance_sums() }}
from {{ ref('sla_compliance_by_owner') }}
where period_grain = 'month'
