-- The unified customer journey: one ordered timeline per known person across web
-- analytics, marketing automation and the CRM, from int_journey_touchpoints.
--
-- Incremental: a refresh rebuilds only the timelines that changed. Each person's
-- touchpoints are compared with the rows already built by a fingerprint of everything a
-- timeline is made of (timeline_fingerprint): a new or updated source row, a merge, a
-- stage moved or a new account changes some person's fingerprint, and only those persons'
-- rows are deleted and inserted again. The post-hook deletes the timelines of persons who
-- have no touchpoint any more (merged away, or every record deleted).
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='person_id',
    on_schema_change='fail',
    post_hook="delete from {{ this }} where person_id not in
               (select person_id from {{ ref('int_journey_touchpoints') }})",
) }}

with known_touchpoints as (
    select * from {{ ref('int_journey_touchpoints') }}
),
{%- if is_incremental() %}

timelines_changed as (
    select coalesce(current_timelines.person_id, built_timelines.person_id) as person_id
    from (
        select person_id, {{ timeline_fingerprint() }} as fingerprint
        from known_touchpoints
        group by person_id
    ) as current_timelines
    full outer join (
        select person_id, {{ timeline_fingerprint() }} as fingerprint
        from {{ this }}
        group by person_id
    ) as built_timelines
        on built_timelines.person_id = current_timelines.person_id
    where current_timelines.fingerprint is distinct from built_timelines.fingerprint
),
{%- endif %}

sequenced as (
    select
        known_touchpoints.*,
        row_number() over (
            partition by person_id
            order by occurred_at, touchpoint_type_order, touchpoint_id
        ) as touchpoint_seq,
        min(occurred_at) over (partition by person_id) as first_touch_at
    from known_touchpoints
    {%- if is_incremental() %}
    where person_id in (select person_id from timelines_changed)
    {%- endif %}
)

select
    touchpoint_id,
    person_id,
    account_id,
    cast(touchpoint_seq as bigint) as touchpoint_seq,
    cast(occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
    cast({{ dbt.datediff('first_touch_at', 'occurred_at', 'day') }} as bigint) as days_since_first_touch,
    touchpoint_type,
    system,
    source_record_id,
    {%- for column in touchpoint_detail_column_names() %}
    {{ column }},
    {%- endfor %}
    is_inferred
from sequenced
