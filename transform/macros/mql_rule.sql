{#- The MQL rule in force at a moment: the version of definitions.mql_rules whose
    [in_force_from, in_force_until) holds the moment's date (in_force_until null: still in
    force). The one rule of which version judges what, read by int_contacts_mql_rule_checked
    (a contact at its qualification) and mql_reconciliation (a web form on its day). A join
    condition on the rules relation:
        inner join {{ source('definitions', 'mql_rules') }} as rules
            on {{ mql_rule_in_force_at('rules', 'forms.submitted_at') }}
-#}
{% macro mql_rule_in_force_at(rules, moment) -%}
    cast({{ moment }} as date) >= {{ rules }}.in_force_from
    and ({{ rules }}.in_force_until is null or cast({{ moment }} as date) < {{ rules }}.in_force_until)
{%- endmacro %}
