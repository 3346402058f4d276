{#-
  Web sessions by our definition, not GA4's: a browser's (client_id's) events in time order,
  split where the gap to the browser's previous event exceeds the agreed session timeout
  (definitions.terms.session_timeout_minutes). Events are ordered by when they happened
  (occurred_at), never by the export file, so an event delivered late in the next day's
  file lands in the session it belongs to. Set-based: lag finds the gaps, a running sum
  numbers the sessions, a group by builds them. GA4's ga_session_id is kept only for
  comparison, and events without one (server-side hits) sessionize like any other.
  Consent-mode pings (no client_id) are left out: they belong to no browser.

  Incremental: a run rebuilds, from their whole history, the sessions of the browsers
  with events in dlt loads newer than the newest one sessionized (a late event can join or
  split an old session), and every browser when the agreed session timeout changed.
-#}
{{ config(materialized='incremental', unique_key='client_id',
          incremental_strategy='delete+insert') }}

with events as (
    select
        web_event_id,
        client_id,
        user_id,
        occurred_at,
        event_name,
        ga_session_id,
        page_url,
        session_source,
        session_medium,
        session_campaign,
        first_touch_source,
        first_touch_medium,
        first_touch_campaign,
        case when event_name = 'page_view' then 1 else 0 end as is_page_view,
        case when event_name = 'form_submit' then 1 else 0 end as is_form_submit,
        -- GA4's key events ("conversions") of this site: a form submitted, a lead generated.
        case when event_name in ('form_submit', 'generate_lead') then 1 else 0 end as is_key_event,
        case
            when coalesce(session_source, session_medium, session_campaign) is not null then 1
            else 0
        end as carries_traffic_source,
        case when user_id is not null then 1 else 0 end as carries_user_id,
        dlt_load_id
    from {{ ref('stg_web_analytics__events') }}
    -- Consent-mode pings have no browser: they belong to no session.
    where client_id is not null
    {%- if is_incremental() %}
    and (
        client_id in (
            select client_id from {{ ref('stg_web_analytics__events') }}
            where dlt_load_id > (select max(last_dlt_load_id) from {{ this }})
        )
        or (select max(session_timeout_minutes) from {{ this }})
            <> (select session_timeout_minutes from {{ source('definitions', 'terms') }})
    )
    {%- endif %}
),

terms as (
    select session_timeout_minutes
    from {{ source('definitions', 'terms') }}
),

-- The traffic source of each GA4 session (from its session_start), for a session of ours
-- that continues a GA4 session split by the timeout and so carries no source of its own.
ga_session_traffic_source_events as (
    select
        client_id,
        ga_session_id,
        session_source,
        session_medium,
        session_campaign,
        row_number() over (
            partition by client_id, ga_session_id
            order by occurred_at, web_event_id
        ) as traffic_source_rank
    from events
    where carries_traffic_source = 1 and ga_session_id is not null
),

ga_session_traffic_sources as (
    select
        client_id,
        ga_session_id,
        session_source,
        session_medium,
        session_campaign
    from ga_session_traffic_source_events
    where traffic_source_rank = 1
),

-- web_event_id breaks ties between events of the same microsecond, so reruns agree.
with_previous_event as (
    select
        events.*,
        terms.session_timeout_minutes,
        lag(events.occurred_at) over (
            partition by events.client_id
            order by events.occurred_at, events.web_event_id
        ) as previous_event_at
    from events
    cross join terms
),

-- A gap of exactly the timeout stays in the session; only a longer one starts a new one.
flagged as (
    select
        with_previous_event.*,
        case
            when previous_event_at is null then 1
            when {{ is_past_session_timeout('occurred_at', 'previous_event_at', 'session_timeout_minutes') }}
                then 1
            else 0
        end as is_session_start
    from with_previous_event
),

numbered as (
    select
        flagged.*,
        sum(is_session_start) over (
            partition by client_id
            order by occurred_at, web_event_id
            rows between unbounded preceding and current row
        ) as session_number
    from flagged
),

-- Running counts within the session mark the first (or last) event of a kind, for the
-- attributes GA4 takes from one event: landing and exit page, traffic source, user id. One
-- window specification, so one sort, serves them all.
counted_in_session as (
    select
        numbered.*,
        sum(is_page_view) over session_so_far as page_views_so_far,
        sum(is_page_view) over whole_session as page_views_in_session,
        sum(carries_traffic_source) over session_so_far as traffic_sources_so_far,
        sum(carries_user_id) over session_so_far as user_ids_so_far
    from numbered
    window
        session_so_far as (
            partition by client_id, session_number
            order by occurred_at, web_event_id
            rows between unbounded preceding and current row
        ),
        whole_session as (
            partition by client_id, session_number
            order by occurred_at, web_event_id
            rows between unbounded preceding and unbounded following
        )
),

marked as (
    select
        counted_in_session.*,
        is_page_view = 1 and page_views_so_far = 1 as is_landing_page_view,
        is_page_view = 1 and page_views_so_far = page_views_in_session as is_exit_page_view,
        carries_traffic_source = 1 and traffic_sources_so_far = 1 as is_first_traffic_source,
        carries_user_id = 1 and user_ids_so_far = 1 as is_first_user_id
    from counted_in_session
),

sessions as (
    select
        client_id,
        session_number,
        max(session_timeout_minutes) as session_timeout_minutes,
        min(occurred_at) as started_at,
        max(occurred_at) as ended_at,
        count(*) as event_count,
        sum(is_page_view) as page_view_count,
        sum(is_form_submit) as form_submit_count,
        sum(is_key_event) as key_event_count,
        min(case when is_form_submit = 1 then occurred_at end) as first_form_submit_at,
        max(case when is_first_user_id then user_id end) as user_id,
        max(case when is_landing_page_view then page_url end) as landing_page_url,
        max(case when is_exit_page_view then page_url end) as exit_page_url,
        max(carries_traffic_source) as has_session_traffic_source,
        max(case when is_first_traffic_source then session_source end) as session_source,
        max(case when is_first_traffic_source then session_medium end) as session_medium,
        max(case when is_first_traffic_source then session_campaign end) as session_campaign,
        max(case when is_session_start = 1 then first_touch_source end) as first_touch_source,
        max(case when is_session_start = 1 then first_touch_medium end) as first_touch_medium,
        max(case when is_session_start = 1 then first_touch_campaign end) as first_touch_campaign,
        max(case when is_session_start = 1 then ga_session_id end) as first_ga_session_id,
        count(distinct ga_session_id) as ga_session_count,
        max(dlt_load_id) as last_dlt_load_id
    from marked
    group by client_id, session_number
),

-- The latest end among the browser's earlier sessions: a running max rather than lag, so
-- the non-overlap test also catches a session hidden inside a longer earlier one.
with_previous_session as (
    select
        sessions.*,
        max(ended_at) over (
            partition by client_id
            order by started_at
            rows between unbounded preceding and 1 preceding
        ) as previous_session_ended_at
    from sessions
)

select
    {{ surrogate_key(['with_previous_session.client_id', 'started_at']) }} as web_session_id,
    with_previous_session.client_id,
    user_id,
    cast(session_number as {{ dbt.type_bigint() }}) as session_number,
    started_at,
    ended_at,
    {{ dbt.datediff('started_at', 'ended_at', 'millisecond') }} / 1000.0 as duration_seconds,
    event_count,
    cast(page_view_count as {{ dbt.type_bigint() }}) as page_view_count,
    landing_page_url,
    exit_page_url,
    -- All three from the same event, so a source is never paired with another visit's medium.
    {%- for field in ['source', 'medium', 'campaign'] %}
    case
        when has_session_traffic_source = 1 then with_previous_session.session_{{ field }}
        when ga_session.ga_session_id is not null then ga_session.session_{{ field }}
        else first_touch_{{ field }}
    end as {{ field }},
    {%- endfor %}
    case
        when has_session_traffic_source = 1 then 'session'
        when ga_session.ga_session_id is not null then 'ga_session'
        else 'first_touch'
    end as traffic_source_from,
    form_submit_count > 0 as has_form_submit,
    cast(form_submit_count as {{ dbt.type_bigint() }}) as form_submit_count,
    first_form_submit_at,
    (
        ended_at > {{ dbt.dateadd('second', 10, 'started_at') }}
        or page_view_count >= 2
        or key_event_count > 0
    ) as is_engaged,
    first_ga_session_id,
    ga_session_count,
    previous_session_ended_at,
    -- to the microsecond, as GA4 times events: a gap of the timeout plus 1 µs is a new
    -- session and must read as more than the timeout
    {{ dbt.datediff('previous_session_ended_at', 'started_at', 'microsecond') }} / 1000000.0
        as seconds_since_previous_session,
    session_timeout_minutes,
    last_dlt_load_id
from with_previous_session
left join ga_session_traffic_sources as ga_session
    on
        with_previous_session.client_id = ga_session.client_id
        and with_previous_session.first_ga_session_id = ga_session.ga_session_id
