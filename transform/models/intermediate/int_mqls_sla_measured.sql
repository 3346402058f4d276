-- Every MQL handed to sales, measured against the sales SLA of the agreed definitions:
-- first touch within N business hours, N follow-up attempts within N days, accepted or
-- rejected within N business hours. The bars come from source('definitions', 'terms') and
-- are carried on every row, so a reader sees what each flag was judged against.
--
-- An MQL is a CRM lead with an MQL date that is not deleted. Leads deleted by a merge are
-- duplicates of the surviving lead (same person, entered twice): counting them would count
-- the person twice and, as nobody works a duplicate, book a never-touched breach on the
-- rep; their activities count on the survivor instead (Salesforce moves them there on a
-- merge, and touches_on_mql below also follows master_record_id in case it did not).
--
-- A flag is null while its window is still open at the end of the data (data_as_of, the
-- latest change in the CRM export): such an MQL is pending, neither met nor breached, and
-- the marts leave it out of their rates. A touch counts from the moment it happened
-- (int_sales_touches_happened, the rule the customer journey reads too): a meeting booked
-- ahead is no touch before it starts.

with leads as (
    select * from {{ ref('int_crm_leads_stage_timed') }}
),

users as (
    select * from {{ ref('stg_crm__users') }}
),

terms as (
    select
        definitions_version,
        business_weekdays,
        business_day_start,
        business_day_end,
        first_touch_within_business_hours,
        follow_up_attempts as required_follow_up_attempts,
        follow_up_within_days,
        accept_or_reject_within_business_hours
    from {{ source('definitions', 'terms') }}
),

data_as_of as (
    select data_as_of from {{ ref('int_crm_data_as_of') }}
),

mqls as (
    select
        lead_id,
        owner_id,
        lead_source,
        mql_at,
        accepted_at,
        rejected_at,
        rejection_reason,
        converted_contact_id,
        converted_date,
        -- The first decision on this MQL: accepted (SAL) or rejected back to nurture. A
        -- decision dated before the MQL belongs to an earlier cycle of a recycled lead (the
        -- export keeps only the latest MQL date), so it is no response to this one.
        case
            when accepted_at >= mql_at
                and (rejected_at is null or rejected_at < mql_at or accepted_at <= rejected_at)
                then accepted_at
            when rejected_at >= mql_at then rejected_at
        end as responded_at
    from leads
    where mql_at is not null
        and not is_deleted
),

-- The records whose activities are touches on an MQL: the lead itself, leads merged into
-- it, and the contact it was converted into (from the day of the conversion on: a lead can
-- be converted into an existing contact, whose older activities are not about this MQL).
touch_targets as (
    select lead_id, lead_id as who_id, cast(null as date) as counts_from_date
    from mqls
    union all
    select mqls.lead_id, merged.lead_id as who_id, cast(null as date) as counts_from_date
    from mqls
    inner join leads as merged
        on merged.master_record_id = mqls.lead_id
        and merged.is_deleted
    union all
    select lead_id, converted_contact_id, converted_date
    from mqls
    where converted_contact_id is not null
),

-- A sales touch that has happened (int_sales_touches_happened: a completed task, a
-- meeting that has started, up to data_as_of).
touches as (
    select sales_touch_id as touch_id, who_id, touched_at
    from {{ ref('int_sales_touches_happened') }}
),

touches_on_mql as (
    select distinct
        mqls.lead_id,
        mqls.mql_at,
        touches.touch_id,
        touches.touched_at
    from mqls
    inner join touch_targets
        on touch_targets.lead_id = mqls.lead_id
    inner join touches
        on touches.who_id = touch_targets.who_id
    where touches.touched_at >= mqls.mql_at
        and (
            touch_targets.counts_from_date is null
            or cast(touches.touched_at as date) >= touch_targets.counts_from_date
        )
),

touch_summary as (
    select
        touches_on_mql.lead_id,
        min(touches_on_mql.touched_at) as first_touch_at,
        count(
            case
                when touches_on_mql.touched_at
                    < {{ dbt.dateadd('day', 'terms.follow_up_within_days', 'touches_on_mql.mql_at') }}
                    then touches_on_mql.touch_id
            end
        ) as follow_up_attempts_within_window
    from touches_on_mql
    cross join terms
    group by touches_on_mql.lead_id
),

timed as (
    select
        mqls.*,
        users.user_name as owner_name,
        touch_summary.first_touch_at,
        coalesce(touch_summary.follow_up_attempts_within_window, 0) as follow_up_attempts_within_window,
        {{ dbt.dateadd('day', 'terms.follow_up_within_days', 'mqls.mql_at') }} as follow_up_window_ends_at,
        {{ business_hours('mqls.mql_at', 'touch_summary.first_touch_at', 'terms.business_weekdays', 'terms.business_day_start', 'terms.business_day_end') }}
            as business_hours_to_first_touch,
        {{ business_hours('mqls.mql_at', 'mqls.responded_at', 'terms.business_weekdays', 'terms.business_day_start', 'terms.business_day_end') }}
            as business_hours_to_response,
        {{ business_hours('mqls.mql_at', 'data_as_of.data_as_of', 'terms.business_weekdays', 'terms.business_day_start', 'terms.business_day_end') }}
            as business_hours_since_mql,
        data_as_of.data_as_of,
        terms.*
    from mqls
    cross join terms
    cross join data_as_of
    left join touch_summary
        on touch_summary.lead_id = mqls.lead_id
    left join users
        on users.user_id = mqls.owner_id
),

judged as (
    select
        *,
        -- Met when the first touch came within the bar; breached when it came later or when
        -- the bar has passed untouched; null (pending) while the window is open.
        case
            when first_touch_at is not null
                then business_hours_to_first_touch <= first_touch_within_business_hours
            when business_hours_since_mql > first_touch_within_business_hours then false
        end as is_first_touch_sla_met,
        -- Met with the required attempts inside the window, or when sales decided within it
        -- having reached the lead (accepted, or rejected for a reason other than being
        -- unreachable): further attempts would be pointless. A rejection for a reason the
        -- definitions call unreached (e.g. Unresponsive) is giving up, so it needs the
        -- attempts. Breached once the window has closed.
        case
            when follow_up_attempts_within_window >= required_follow_up_attempts then true
            when responded_at < follow_up_window_ends_at
                and (
                    responded_at = accepted_at
                    or coalesce(rejection_reason, '') not in (
                        select reason from {{ source('definitions', 'reasons') }}
                        where reason_kind = 'unreached_rejection'
                    )
                )
                then true
            when data_as_of >= follow_up_window_ends_at then false
        end as is_follow_up_sla_met,
        case
            when responded_at is not null
                then business_hours_to_response <= accept_or_reject_within_business_hours
            when business_hours_since_mql > accept_or_reject_within_business_hours then false
        end as is_response_sla_met
    from timed
)

select
    lead_id,
    owner_id,
    owner_name,
    lead_source,
    mql_at,
    first_touch_at,
    business_hours_to_first_touch,
    is_first_touch_sla_met,
    is_first_touch_sla_met is null as is_first_touch_pending,
    follow_up_attempts_within_window,
    follow_up_window_ends_at,
    is_follow_up_sla_met,
    is_follow_up_sla_met is null as is_follow_up_pending,
    accepted_at,
    rejected_at,
    rejection_reason,
    responded_at,
    business_hours_to_response,
    is_response_sla_met,
    is_response_sla_met is null as is_response_pending,
    coalesce(
        not is_first_touch_sla_met or not is_follow_up_sla_met or not is_response_sla_met,
        false
    ) as is_sla_breached,
    coalesce(
        is_first_touch_sla_met and is_follow_up_sla_met and is_response_sla_met,
        false
    ) as is_sla_met,
    business_hours_since_mql,
    data_as_of,
    definitions_version,
    business_weekdays,
    business_day_start,
    business_day_end,
    first_touch_within_business_hours,
    required_follow_up_attempts,
    follow_up_within_days,
    accept_or_reject_within_business_hours
from judged
