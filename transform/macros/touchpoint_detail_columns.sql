{#- The detail columns every journey touchpoint carries, in one order. -#}
{% macro touchpoint_detail_column_names() -%}
    {{ return([
        'source', 'medium', 'campaign', 'page_url', 'form_name', 'form_type',
        'email_event_type', 'email_campaign_id', 'marketing_campaign_id', 'sales_touch_type',
        'owner_id', 'subject', 'stage_key', 'opportunity_id', 'opportunity_stage_name', 'amount',
    ]) }}
{%- endmacro %}

{#- Each kind of touchpoint passes the detail columns it has (name -> SQL expression); the
    rest are typed nulls (text, and double for the amount), which the union of all kinds
    needs. -#}
{% macro touchpoint_detail_columns(values) -%}
    {%- for name in touchpoint_detail_column_names() %}
        {%- set null_type = 'double' if name == 'amount' else dbt.type_string() %}
        {{ values.get(name, 'cast(null as ' ~ null_type ~ ')') }} as {{ name }},
    {%- endfor %}
{%- endmacro %}

{#- A fingerprint of one person's timeline (an aggregate over their touchpoint rows): every
    column a journey row is made of, but not those derived from the others (touchpoint_id,
    touchpoint_seq, days_since_first_touch). Equal fingerprints: an equal timeline. -#}
{% macro timeline_fingerprint() -%}
    sum(hash(
        person_id, account_id, cast(occurred_at as {{ dbt.type_timestamp() }}),
        touchpoint_type, system, source_record_id,
        {%- for name in touchpoint_detail_column_names() %} {{ name }},{% endfor %}
        is_inferred
    ))
{%- endmacro %}

{#- The order that breaks ties between touchpoints at the same instant, in a person's and in
    an account's timeline: a form fill comes after the session it was made in, a stage
    after the touch that caused it. -#}
{% macro touchpoint_type_order(touchpoint_type) -%}
    case {{ touchpoint_type }}
        when 'web_session' then 1
        when 'form_submission' then 2
        when 'email_engagement' then 3
        when 'sales_touch' then 4
        when 'opportunity_stage_change' then 5
        when 'stage_entered' then 6
    end
{%- endmacro %}
