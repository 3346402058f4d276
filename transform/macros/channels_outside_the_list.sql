{#- The channel keys the marts use for what no agreed channel (definitions.channels) covers:
    their names in the agreed language and what each means. The one home of these names:
    the marts label those keys with channel_outside_the_list_name(), the mart
    channels_outside_the_list publishes them for the pages and the glossary. -#}
{% macro channels_outside_the_list() -%}
    {{ return([
        {'key': 'unmapped', 'name': 'Unlisted source',
         'meaning': 'A source value no agreed channel lists (a UTM medium, HubSpot original source or '
                    'Salesforce LeadSource), or a web touch with none, as on most forms: it earns '
                    'credit that no channel can claim until the definitions file lists the source.'},
        {'key': 'unknown', 'name': 'No source recorded',
         'meaning': 'A person for whom no system recorded any source.'},
        {'key': 'no_marketing_touch', 'name': 'No marketing touch in lookback',
         'meaning': 'An opportunity whose buying group had no marketing touch in the attribution '
                    'lookback: what no channel earned.'},
    ]) }}
{%- endmacro %}

{#- The agreed name of a channel key outside the list (null for any other key). -#}
{% macro channel_outside_the_list_name(key_expression) -%}
    case {{ key_expression }}
        {%- for channel in channels_outside_the_list() %}
        when '{{ channel.key }}' then '{{ channel.name }}'
        {%- endfor %}
    end
{%- endmacro %}
