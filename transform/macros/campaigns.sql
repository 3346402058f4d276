{#- The campaign match key: how two spellings of one campaign compare (the definitions
    file's campaign_aliases describes it): lower case, every run of characters other than
    a-z and 0-9 one '-', none at either end. "Spring Webinar 2026", "spring_webinar_2026"
    and "Spring-Webinar-2026!" have the key spring-webinar-2026. Null for a null or a value
    without a letter or digit. -#}
{% macro campaign_match_key(expression) -%}
    {{ return(adapter.dispatch('campaign_match_key', 'shared_funnel')(expression)) }}
{%- endmacro %}

{% macro default__campaign_match_key(expression) -%}
    nullif(trim(both '-' from regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '-', 'g')), '')
{%- endmacro %}

{% macro duckdb__campaign_match_key(expression) -%}
    nullif(trim(regexp_replace(lower({{ expression }}), '[^a-z0-9]+', '-', 'g'), '-'), '')
{%- endmacro %}

{#- Whether a UTM campaign value names a campaign: GA4's own placeholders such as
    (direct), (organic), (referral) and (not set) do not. -#}
{% macro is_campaign_value(expression) -%}
    ({{ expression }} is not null and {{ dbt.position("'('", expression) }} <> 1)
{%- endmacro %}
