{#- The detail columns every journey touchpoint carries, in one order and type. Each kind
    of touchpoint passes the ones it has (name -> SQL expression); the rest are typed
    nulls, which the union of all kinds needs. -#}
{% macro touchpoint_detail_columns(values) -%}
    {%- set columns = [
        'source', 'medium', 'campaign', 'page_url', 'form_name', 'form_type',
        'email_event_type', 'email_campaign_id', 'marketing_campaign_id', 'sales_touch_type',
        'owner_id', 'subject', 'stage_key', 'opportunity_id', 'opportunity_stage_name',
    ] -%}
    {%- for name in columns %}
        {{ values.get(name, 'cast(null as ' ~ dbt.type_string() ~ ')') }} as {{ name }},
    {%- endfor %}
        {{ values.get('amount', 'cast(null as double)') }} as amount,
{%- endmacro %}
