{#- The first row of each group in an explicit order (ties broken by the caller's order),
    so a person with duplicates always gets the same answer. Portable SQL: row_number()
    in a subquery, where DuckDB alone would allow QUALIFY. -#}
{% macro first_row_per(relation, partition_by, order_by, where='1 = 1') -%}
    select *
    from (
        select
            {{ relation }}.*,
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as pick
        from {{ relation }}
        where {{ where }}
    ) as ordered
    where pick = 1
{%- endmacro %}
