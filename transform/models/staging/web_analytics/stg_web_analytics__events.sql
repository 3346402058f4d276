-- Incremental, not a view like the other staging models: parsing the GA4 JSON of every
-- event is the costly part, and the events only grow. A run parses only the dlt loads newer
-- than the newest one staged; a hit delivered again later is kept once, as first staged
-- (the same row a full rebuild keeps: the earliest export file). `dbt build --full-refresh`
-- rebuilds it from every load.
--
-- Consent-mode pings (cookieless hits: no user_pseudo_id, no ga_session_id) are kept and
-- flagged (is_consent_ping): counted, but no browser, so never in identity or sessions.
-- The event key includes GA4's batch_event_index / batch_page_id / batch_ordering_id when
-- the export carries them, so two real hits of one microsecond stay two; without them it
-- is the key it always was, so hits staged before the fields arrived keep their ids.
{{ config(materialized='incremental', incremental_strategy='append') }}

{%- set columns = [
    'web_event_id', 'event_date', 'occurred_at', 'event_name', 'client_id', 'is_consent_ping',
    'user_id', 'user_id_kind', 'batch_event_index', 'batch_page_id', 'batch_ordering_id',
    'ga_session_id', 'ga_session_number', 'page_url', 'page_title', 'page_referrer',
    'engagement_time_msec', 'form_id', 'device_category', 'operating_system', 'browser',
    'country', 'region', 'city', 'first_touch_source', 'first_touch_medium',
    'first_touch_campaign', 'session_source', 'session_medium', 'session_campaign', 'gclid',
    'source_file', 'dlt_load_id'] %}

with source as (
    select
        *,
        {{ parse_ga4_params('event_params') }} as params
    from {{ source('web_analytics', 'events') }}
    {%- if is_incremental() %}
    where _dlt_load_id > (select max(dlt_load_id) from {{ this }})
    {%- endif %}
),

renamed as (
    select
        case
            when coalesce(batch_event_index, batch_page_id, batch_ordering_id) is null
                then {{ surrogate_key(['user_pseudo_id', 'event_timestamp', 'event_name',
                                       ga4_param('params', 'ga_session_id', 'int_value'),
                                       ga4_param('params', 'page_location')]) }}
            else {{ surrogate_key(['user_pseudo_id', 'event_timestamp', 'event_name',
                                   ga4_param('params', 'ga_session_id', 'int_value'),
                                   ga4_param('params', 'page_location'),
                                   'batch_event_index', 'batch_page_id', 'batch_ordering_id']) }}
        end as web_event_id,
        {{ to_date('event_date', '%Y%m%d') }} as event_date,
        {{ micros_to_timestamp('event_timestamp') }} as occurred_at,
        event_name,
        nullif(user_pseudo_id, '') as client_id,
        nullif(user_pseudo_id, '') is null as is_consent_ping,
        nullif(user_id, '') as user_id,
        coalesce(nullif(lower(trim(user_id_kind)), ''), 'marketing_contact') as user_id_kind,
        try_cast(batch_event_index as bigint) as batch_event_index,
        try_cast(batch_page_id as bigint) as batch_page_id,
        try_cast(batch_ordering_id as bigint) as batch_ordering_id,
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
        _source_file as source_file,
        _dlt_load_id as dlt_load_id
    from source
),

-- GA4 exports can carry the same hit twice (a late re-delivery): keep one.
first_deliveries as (
    {{ first_row_per('renamed', 'web_event_id', 'source_file') }}
)

select {{ columns | join(', ') }}
from first_deliveries
{%- if is_incremental() %}
where not exists (
    select 1 from {{ this }} as staged where staged.web_event_id = first_deliveries.web_event_id
)
{%- endif %}
