{#- The one rule of our web sessions (int_web_sessions_sessionized): an event starts a new
    session when it comes more than the agreed timeout after the browser's previous event
    (a gap of exactly the timeout stays in the session). The model splits by it and the
    data test below judges the built sessions by it, on the same timestamps, so the two
    can never disagree about a gap at the edge (GA4 times events to the microsecond). -#}
{% macro is_past_session_timeout(event_at, previous_event_at, timeout_minutes) -%}
    {{ event_at }} > {{ dbt.dateadd('minute', timeout_minutes, previous_event_at) }}
{%- endmacro %}

{#- Fails on every session that starts within the timeout of the end of the browser's
    previous session. Usage (model-level):
        data_tests:
          - sessions_are_more_than_the_timeout_apart:
              arguments:
                started_at: started_at
                previous_ended_at: previous_session_ended_at
                timeout_minutes: session_timeout_minutes
-#}
{% test sessions_are_more_than_the_timeout_apart(model, started_at, previous_ended_at, timeout_minutes) %}

select *
from {{ model }}
where {{ previous_ended_at }} is not null
    and not ({{ is_past_session_timeout(started_at, previous_ended_at, timeout_minutes) }})

{% endtest %}
