{#- Which person a source record belongs to: the record's row in int_identities_linked,
    found by the record's kind (var identity_kinds) and its id in the source system. The
    one way every model reaches a record's person; an unknown kind fails the compilation
    instead of matching nothing. A join condition on a relation of identities (any
    selection of int_identities_linked that keeps identity_kind and source_id):
        inner join identities
            on {{ identity_of('identities', 'crm_lead', 'leads.lead_id') }}
    identity_is(identities, kind) is the kind half alone, for selecting the records of
    one kind.
-#}
{% macro identity_of(identities, record_kind, record_id) -%}
    {{ identity_is(identities, record_kind) }}
    and {{ identities }}.source_id = {{ record_id }}
{%- endmacro %}

{% macro identity_is(identities, record_kind) -%}
    {%- if record_kind not in var('identity_kinds') -%}
        {{ exceptions.raise_compiler_error(
            "identity kind '" ~ record_kind ~ "' is none of var identity_kinds: "
            ~ var('identity_kinds') | join(', ')) }}
    {%- endif -%}
    {{ identities }}.identity_kind = '{{ record_kind }}'
{%- endmacro %}
