-- The three MQL numbers side by side per calendar month, and what explains the gaps: one row
-- per month in which any system counts someone (mql_reconciliation). marketing_mqls,
-- crm_mqls and web_conversions count the rows of mql_reconciliation whose marketing, CRM
-- or web month is the month. Each row of mql_reconciliation is also counted once, under
-- its difference_reason, in its reconciliation_month (the earliest month any system counts
-- it in), so every count here sums over the months to the per-person mart's.

{%- set reasons = [
    'in_all_systems',
    'not_yet_synced_to_crm',
    'sales_sourced',
    'crm_duplicate_merged',
    'marketing_mql_breaks_rule',
    'web_conversion_not_identified',
    'web_conversion_not_qualified',
    'web_conversion_not_tracked',
    'different_month',
    'qualified_without_web_conversion',
    'unexplained',
] %}

with reconciliation as (
    select * from {{ ref('mql_reconciliation') }}
),

marketing as (
    select marketing_mql_month as month_start, count(*) as marketing_mqls
    from reconciliation
    where is_marketing_mql
    group by marketing_mql_month
),

crm as (
    select crm_mql_month as month_start, count(*) as crm_mqls
    from reconciliation
    where is_crm_mql
    group by crm_mql_month
),

web as (
    select web_conversion_month as month_start, count(*) as web_conversions
    from reconciliation
    where is_web_conversion
    group by web_conversion_month
),

reasons as (
    select
        reconciliation_month as month_start,
        count(*) as reconciled_count,
        {%- for reason in reasons %}
        sum(case when difference_reason = '{{ reason }}' then 1 else 0 end) as {{ reason }}_count
        {{- "," if not loop.last }}
        {%- endfor %}
    from reconciliation
    group by reconciliation_month
),

months as (
    select month_start from marketing
    union
    select month_start from crm
    union
    select month_start from web
    union
    select month_start from reasons
)

select
    months.month_start,
    cast(coalesce(marketing.marketing_mqls, 0) as {{ dbt.type_bigint() }}) as marketing_mqls,
    cast(coalesce(crm.crm_mqls, 0) as {{ dbt.type_bigint() }}) as crm_mqls,
    cast(coalesce(web.web_conversions, 0) as {{ dbt.type_bigint() }}) as web_conversions,
    cast(coalesce(reasons.reconciled_count, 0) as {{ dbt.type_bigint() }}) as reconciled_count,
    {%- for reason in reasons %}
    cast(coalesce(reasons.{{ reason }}_count, 0) as {{ dbt.type_bigint() }}) as {{ reason }}_count
    {{- "," if not loop.last }}
    {%- endfor %}
from months
left join marketing on marketing.month_start = months.month_start
left join crm on crm.month_start = months.month_start
left join web on web.month_start = months.month_start
left join reasons on reasons.month_start = months.month_start
