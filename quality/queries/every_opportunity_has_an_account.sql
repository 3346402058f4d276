-- Every live opportunity, and whether its account is a live CRM account.
select opportunities.opportunity_id, opportunities.opportunity_name,
       opportunities.account_id, opportunities.contact_id,
       accounts.account_id is not null as has_live_account
from {{ ref('stg_crm__opportunities') }} as opportunities
left join {{ ref('stg_crm__accounts') }} as accounts
    on accounts.account_id = opportunities.account_id and not accounts.is_deleted
where not opportunities.is_deleted
