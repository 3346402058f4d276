-- Every contact HubSpot marked an MQL, with what the MQL rule in force judges.
select contact_id, email, email_domain, mql_rule_version, lead_score,
       coalesce(submitted_high_intent_form, false) as submitted_high_intent_form,
       company_employees, company_industry, company_country, became_mql_at
from {{ ref('int_contacts_mql_rule_checked') }}
where is_mql
