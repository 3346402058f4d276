-- Every sales touch that has happened, the one rule the journey and the SLA both read: a
-- touch counts from the moment it happened, never before. A Task is a touch when it was
-- completed (CompletedDateTime), an Event (a meeting) when it started (StartDateTime);
-- both only up to the end of the CRM data (int_crm_data_as_of), so a meeting booked on
-- Friday for Monday is no touch until Monday's export. Deleted activities and open tasks
-- are no touches.

with activities as (
    select
        task_id as sales_touch_id,
        'task' as activity_object,
        who_id,
        owner_id,
        task_type as sales_touch_type,
        subject,
        completed_at as touched_at
    from {{ ref('stg_crm__tasks') }}
    where not is_deleted
        and completed_at is not null

    union all

    select
        event_id,
        'event',
        who_id,
        owner_id,
        event_type,
        subject,
        starts_at
    from {{ ref('stg_crm__events') }}
    where not is_deleted
        and starts_at is not null
)

select activities.*
from activities
cross join {{ ref('int_crm_data_as_of') }} as crm_data
where activities.touched_at <= crm_data.data_as_of
