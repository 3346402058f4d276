-- How fresh each export system is: one row per system, judged when this model is built.
--
-- Fresh means one thing everywhere: the system's newest export drop ARRIVED within the
-- window its dbt source declares (warn_after, error_after in
-- models/staging/<system>/_<system>__sources.yml). Arrival is when the drop's rows were
-- loaded, the source's `loaded_at_field` (dlt's load id, the load's start time); Dagster's
-- freshness policy on landing/<system> judges the same event, the drop recorded by the
-- new_exports sensor, against the same windows. How recent the data inside is (the newest
-- vendor modified time, within the plausible window) is shown beside it but not judged:
-- a quiet weekend in the CRM is no stale export. Expressions and windows are read from
-- the sources' parsed config, so `dbt source freshness` and this model judge alike.
{%- set freshness_tables = [
    ('marketing_automation', 'contacts'),
    ('marketing_automation', 'form_submissions'),
    ('marketing_automation', 'email_events'),
    ('marketing_automation', 'campaigns'),
    ('crm', 'leads'),
    ('crm', 'contacts'),
    ('crm', 'accounts'),
    ('crm', 'opportunities'),
    ('crm', 'opportunity_history'),
    ('crm', 'lead_history'),
    ('crm', 'tasks'),
    ('crm', 'events'),
    ('crm', 'campaigns'),
    ('crm', 'campaign_members'),
    ('crm', 'users'),
    ('web_analytics', 'events'),
] %}
{%- set hours = {'minute': 1 / 60, 'hour': 1, 'day': 24} %}
{%- set windows = {} %}
{%- for system, table in freshness_tables %}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ system ~ '.' ~ table) if execute else none %}
    {%- set freshness = node.freshness if node and node.freshness else {} %}
    {%- if system not in windows and freshness.warn_after and freshness.warn_after.count %}
        {%- set error_after = freshness.error_after or {} %}
        {%- do windows.update({system: (
            freshness.warn_after.count * hours[freshness.warn_after.period],
            (error_after.count * hours[error_after.period]) if error_after.count else 'null',
        )}) %}
    {%- endif %}
{%- endfor %}

with windows as (
    -- every system with a table in the list, whether or not anything was loaded yet
    {%- for system in freshness_tables | map('first') | unique %}
    {%- set window = windows.get(system, ('null', 'null')) %}
    select
        '{{ system }}' as source_system,
        {{ loop.index }} as system_order,
        cast({{ window[0] }} as double) as warn_after_hours,
        cast({{ window[1] }} as double) as error_after_hours
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

drops as (
    {%- for system, table in freshness_tables %}
    {%- set node = graph.sources.get('source.' ~ project_name ~ '.' ~ system ~ '.' ~ table) if execute else none %}
    select
        '{{ system }}' as source_system,
        -- the drop's day folder: <landing>/<system>/<YYYY-MM-DD>/<file>
        try_cast(regexp_extract(_source_file, '/(\d{4}-\d{2}-\d{2})/[^/]*$', 1) as date) as drop_on,
        max({{ node.loaded_at_field if node else 'null' }}) as loaded_at,
        max({{ plausible(node.meta.get('newest_record_at', 'null')) if node else 'null' }}) as newest_record_at
    from {{ source(system, table) }}
    group by all
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

systems as (
    select
        windows.source_system,
        any_value(windows.system_order) as system_order,
        max(drops.drop_on) as newest_drop_on,
        max(drops.loaded_at) as newest_drop_loaded_at,
        max(drops.newest_record_at) as newest_record_at,
        any_value(windows.warn_after_hours) as warn_after_hours,
        any_value(windows.error_after_hours) as error_after_hours
    from windows
    left join drops on drops.source_system = windows.source_system
    group by windows.source_system
),

consent_pings as (
    select count(*) filter (where is_consent_ping) as consent_pings
    from {{ ref('stg_web_analytics__events') }}
)

select
    systems.source_system,
    systems.system_order,
    systems.newest_drop_on,
    cast(systems.newest_drop_loaded_at as timestamptz) as newest_drop_loaded_at,
    cast(systems.newest_record_at as timestamptz) as newest_record_at,
    systems.warn_after_hours,
    systems.error_after_hours,
    current_timestamp as checked_at,
    case
        when systems.newest_drop_loaded_at is null then 'no data'
        when systems.newest_drop_loaded_at
            < current_timestamp - to_microseconds(cast(systems.error_after_hours * 3600e6 as bigint))
            then 'overdue'
        when systems.newest_drop_loaded_at
            < current_timestamp - to_microseconds(cast(systems.warn_after_hours * 3600e6 as bigint))
            then 'stale'
        else 'fresh'
    end as freshness_status,
    case when systems.source_system = 'web_analytics' then consent_pings.consent_pings end
        as consent_pings
from systems
cross join consent_pings
