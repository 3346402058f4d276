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
