-- Sales' SLA per owner (a rep, or a queue by its id) over all periods.
select
    owner_id,
    coalesce(owner_name, owner_id || ' (queue)') as owner,
    {{ sla_compliance_sums() }}
from {{ ref('sla_compliance_by_owner') }}
where period_grain = 'month'
group by owner_id, owner_name
