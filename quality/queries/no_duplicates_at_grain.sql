-- A mart's rows at its declared grain (meta.grain).
select {{ grain | join(', ') }}
from {{ ref(model) }}
