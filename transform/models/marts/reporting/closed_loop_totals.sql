-- What became of every MQL, in one row: outcomes, won revenue and open pipeline summed over
-- every slice; the win rate is won over won and lost.
select
    {{ closed_loop_sums() }}
from {{ ref('closed_loop_by_source') }}
