-- Every live HubSpot contact that HubSpot calls a customer (its lifecycle stage means
-- customer, or it carries a customer date), and whether the CRM makes its person a
-- customer: a won opportunity, the only evidence the funnel's customer stage takes
-- (int_lifecycle_stages_entered). A customer the CRM doesn't know never enters that stage.
select contacts.contact_id, contacts.email, contacts.lifecycle_stage,
       contacts.became_customer_at, identities.person_id,
       exists (
           select 1 from {{ ref('int_lifecycle_stages_entered') }} as stages
           where stages.person_id = identities.person_id and stages.stage_key = 'customer'
       ) as is_crm_customer
from {{ ref('stg_marketing_automation__contacts') }} as contacts
inner join {{ ref('int_identities_linked') }} as identities
    on identities.identity_key = 'marketing_contact:' || contacts.contact_id
where identities.is_surviving
    and (contacts.lifecycle_stage_key = 'customer' or contacts.became_customer_at is not null)
