-- Every person in the customer stage, and whether their account has a won opportunity.
select customers.person_id, customers.entered_at as became_customer_at,
       persons.account_id,
       exists (
           select 1 from {{ ref('stg_crm__opportunities') }} as opportunities
           where opportunities.account_id = persons.account_id
               and opportunities.is_won and not opportunities.is_deleted
       ) as has_won_opportunity
from {{ ref('int_lifecycle_stages_entered') }} as customers
inner join {{ ref('int_persons_identified') }} as persons
    on persons.person_id = customers.person_id
where customers.stage_key = 'customer'
