-- A mart's bounded rates (every *_rate column but meta.unbounded_rates), by its grain.
select {{ (grain + rates) | join(', ') }}
from {{ ref(model) }}
