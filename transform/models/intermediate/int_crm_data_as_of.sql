-- The end of the CRM data: the latest change in the export (Lead, Task, Event
-- LastModifiedDate). Nothing later can be known yet: a window that ends after it is still
-- open, and a touch dated after it (a meeting booked ahead) has not happened. One row.

select max(changed_at) as data_as_of
from (
    select updated_at as changed_at from {{ ref('stg_crm__leads') }}
    union all
    select updated_at from {{ ref('stg_crm__tasks') }}
    union all
    select updated_at from {{ ref('stg_crm__events') }}
) as changes
