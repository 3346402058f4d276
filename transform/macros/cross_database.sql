{#-
  Engine-specific SQL lives only here, dispatched per adapter, so the models stay portable
  to a distributed engine: add a `<adapter>__` implementation of each macro.
-#}

{#- A vendor timestamp string with any offset (Z, +0000, +00:00) as a UTC timestamp; null
    outside the plausible window (macros/plausibility.sql: window 'happened', 'scheduled'
    or none). -#}
{% macro to_utc_timestamp(expression, window='happened') -%}
    {{ return(plausible(adapter.dispatch('to_utc_timestamp', 'shared_funnel')(expression), window)) }}
{%- endmacro %}

{% macro default__to_utc_timestamp(expression) -%}
    cast(cast({{ expression }} as {{ dbt.type_timestamp() }} with time zone) as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro duckdb__to_utc_timestamp(expression) -%}
    timezone('UTC', try_cast({{ expression }} as timestamptz))
{%- endmacro %}

{#- A date string (YYYY-MM-DD or YYYYMMDD) as a date; unreadable values, and dates outside
    the plausible window, become null. -#}
{% macro to_date(expression, format='%Y-%m-%d', window='happened') -%}
    {{ return(plausible(adapter.dispatch('to_date', 'shared_funnel')(expression, format), window)) }}
{%- endmacro %}

{% macro default__to_date(expression, format) -%}
    cast({{ expression }} as date)
{%- endmacro %}

{% macro duckdb__to_date(expression, format) -%}
    {%- if format == '%Y-%m-%d' -%}
    {#- also reads a full ISO timestamp, of which the date part is kept -#}
    try_cast(left(nullif(trim({{ expression }}), ''), 10) as date)
    {%- else -%}
    cast(try_strptime(nullif(trim({{ expression }}), ''), '{{ format }}') as date)
    {%- endif -%}
{%- endmacro %}

{#- Microseconds since the epoch (GA4's event_timestamp) as a UTC timestamp; null outside
    the plausible window. -#}
{% macro micros_to_timestamp(expression, window='happened') -%}
    {{ return(plausible(adapter.dispatch('micros_to_timestamp', 'shared_funnel')(expression), window)) }}
{%- endmacro %}

{% macro default__micros_to_timestamp(expression) -%}
    {{ dbt.dateadd('second', 'cast(' ~ expression ~ ' as bigint) / 1000000', "cast('1970-01-01' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro duckdb__micros_to_timestamp(expression) -%}
    make_timestamp(try_cast({{ expression }} as bigint))
{%- endmacro %}

{#- A scalar field of a JSON object column, as text. -#}
{% macro json_text(expression, path) -%}
    {{ return(adapter.dispatch('json_text', 'shared_funnel')(expression, path)) }}
{%- endmacro %}

{% macro default__json_text(expression, path) -%}
    json_extract_path_text({{ expression }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_text(expression, path) -%}
    nullif(json_extract_string({{ expression }}, '$.{{ path }}'), '')
{%- endmacro %}

{#- GA4 event_params: an array of {key, value: {string_value, int_value, double_value}}.
    parse_ga4_params turns the column into something ga4_param can look keys up in. -#}
{% macro parse_ga4_params(expression) -%}
    {{ return(adapter.dispatch('parse_ga4_params', 'shared_funnel')(expression)) }}
{%- endmacro %}

{% macro duckdb__parse_ga4_params(expression) -%}
    from_json({{ expression }}, '[{"key": "VARCHAR", "value": {"string_value": "VARCHAR", "int_value": "VARCHAR", "float_value": "DOUBLE", "double_value": "DOUBLE"}}]')
{%- endmacro %}

{% macro ga4_param(params, key, value_field='string_value') -%}
    {{ return(adapter.dispatch('ga4_param', 'shared_funnel')(params, key, value_field)) }}
{%- endmacro %}

{% macro duckdb__ga4_param(params, key, value_field) -%}
    list_filter({{ params }}, lambda p: p.key = '{{ key }}')[1].value.{{ value_field }}
{%- endmacro %}

{#- One normalisation rule for e-mail addresses, used wherever identity is matched. -#}
{% macro normalized_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

{#- A stable surrogate key from several columns. -#}
{% macro surrogate_key(expressions) -%}
    md5(concat_ws('|', {% for e in expressions %}coalesce(cast({{ e }} as {{ dbt.type_string() }}), '∅'){{ ", " if not loop.last }}{% endfor %}))
{%- endmacro %}

{#- The columns every Salesforce object carries: deletion flag, audit timestamps, lineage. -#}
{% macro salesforce_record_columns(has_is_deleted=true) -%}
    {% if has_is_deleted %}cast(is_deleted as boolean) as is_deleted,
    {% endif %}{{ to_utc_timestamp('created_date') }} as created_at,
    {{ to_utc_timestamp('last_modified_date') }} as updated_at,
    _modified_at as system_modified_at,
    _source_file as source_file
{%- endmacro %}

{#- The lower-case hex SHA-256 of a text, e.g. of a normalised e-mail address (a GA4 user_id
    of kind email_sha256). -#}
{% macro sha256_hex(expression) -%}
    {{ return(adapter.dispatch('sha256_hex', 'shared_funnel')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex(expression) -%}
    lower(sha2({{ expression }}, 256))
{%- endmacro %}

{% macro duckdb__sha256_hex(expression) -%}
    sha256({{ expression }})
{%- endmacro %}
