-- A table, not a view like the other staging models: parsing the GA4 JSON of every event
-- is the costly part, and sessions, the journey and the marts all read it.
{{ config(materialized='table') }}

with source as (
    select
        *,
        {{ parse_ga4_params('event_params') }} as params
    from {{ source('web_analytics', 'events') }}
),

renamed as (
    select
        {{ surrogate_key(['user_pseudo_id', 'event_timestamp', 'event_name',
                          ga4_param('params', 'ga_session_id', 'int_value'),
                          ga4_param('params', 'page_location')]) }} as web_event_id,
        {{ to_date('event_date', '%Y%m%d') }} as event_date,
        {{ micros_to_timestamp('event_timestamp') }} as occurred_at,
        event_name,
        user_pseudo_id as client_id,
        nullif(user_id, '') as user_id,
        try_cast({{ ga4_param('params', 'ga_session_id', 'int_value') }} as bigint) as ga_session_id,
        try_cast({{ ga4_param('params', 'ga_session_number', 'int_value') }} as integer) as ga_session_number,
        {{ ga4_param('params', 'page_location') }} as page_url,
        {{ ga4_param('params', 'page_title') }} as page_title,
        {{ ga4_param('params', 'page_referrer') }} as page_referrer,
        try_cast({{ ga4_param('params', 'engagement_time_msec', 'int_value') }} as bigint) as engagement_time_msec,
        {{ ga4_param('params', 'form_id') }} as form_id,
        {{ json_text('device', 'category') }} as device_category,
        {{ json_text('device', 'operating_system') }} as operating_system,
        {{ json_text('device', 'web_info.browser') }} as browser,
        {{ json_text('geo', 'country') }} as country,
        {{ json_text('geo', 'region') }} as region,
        {{ json_text('geo', 'city') }} as city,
        {{ json_text('traffic_source', 'source') }} as first_touch_source,
        {{ json_text('traffic_source', 'medium') }} as first_touch_medium,
        {{ json_text('traffic_source', 'name') }} as first_touch_campaign,
        coalesce({{ json_text('collected_traffic_source', 'manual_source') }},
                 {{ ga4_param('params', 'source') }}) as session_source,
        coalesce({{ json_text('collected_traffic_source', 'manual_medium') }},
                 {{ ga4_param('params', 'medium') }}) as session_medium,
        coalesce({{ json_text('collected_traffic_source', 'manual_campaign_name') }},
                 {{ ga4_param('params', 'campaign') }}) as session_campaign,
        {{ json_text('collected_traffic_source', 'gclid') }} as gclid,
        _source_file as source_file
    from source
)

-- GA4 exports can carry the same hit twice (a late re-delivery): keep one.
select * from renamed
qualify row_number() over (partition by web_event_id order by source_file) = 1
