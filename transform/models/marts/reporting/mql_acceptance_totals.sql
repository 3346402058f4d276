-- Sales' first decision on every MQL delivered, in one row: accepted over decided.
select
    cast(sum(mqls_accepted) as bigint) as mqls_accepted,
    cast(sum(mqls_rejected) as bigint) as mqls_rejected,
    cast(sum(mqls_accepted) / nullif(sum(mqls_accepted) + sum(mqls_rejected), 0) as double)
        as acceptance_rate
from {{ ref('mql_volume_vs_target') }}
