-- Every SQL, its MQL if any, and whether the model flagged it sales-sourced.
select sqls.person_id, sqls.entered_at as sql_at, mqls.entered_at as mql_at,
       coalesce(sqls.is_sales_sourced_sql, false) as is_sales_sourced_sql,
       (mqls.entered_at is null or mqls.entered_at > sqls.entered_at) as has_no_prior_mql
from {{ ref('int_lifecycle_stages_entered') }} as sqls
left join {{ ref('int_lifecycle_stages_entered') }} as mqls
    on mqls.person_id = sqls.person_id and mqls.stage_key = 'mql'
where sqls.stage_key = 'sql'
