-- One row per record of a raw export table: its dates outside the plausible window (the
-- definitions file's plausible_values, as definitions.terms holds them) and its negative
-- amounts, each as '<column> <value>'; both null for a plausible record. Values are read
-- as ingestion loaded them (ISO text); one that no format reads is the preflight's.
with window_ as (
    select
        earliest_plausible_date as earliest,
        current_date + cast(plausible_days_after_run as integer) as latest,
        current_date + cast(scheduled_days_after_run as integer) as latest_scheduled
    from {{ terms }}
)
select
    raw."{{ key }}" as record_id,
    cast(null as varchar) as person_id,
    raw._source_file as source_file,
    nullif(concat_ws(', ', cast(null as varchar)
        {%- for column, role, scheduled in dates %},
        case when not try_cast(left(raw."{{ column }}", 10) as date)
                between window_.earliest and window_.{{ 'latest_scheduled' if scheduled else 'latest' }}
            then '{{ role }} ' || raw."{{ column }}" end
        {%- endfor %}), '') as dates_outside_the_window,
    nullif(concat_ws(', ', cast(null as varchar)
        {%- for column, role in amounts %},
        case when try_cast(raw."{{ column }}" as decimal(18, 2)) < 0
            then '{{ role }} ' || raw."{{ column }}" end
        {%- endfor %}), '') as negative_amounts
from {{ relation }} as raw
cross join window_
