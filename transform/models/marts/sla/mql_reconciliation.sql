-- MQLs per the marketing system, per the CRM and per web conversions, side by side: one
-- row per person who is an MQL in at least one of the three views, plus one row per
-- anonymous browser with a web conversion (person_id null, keyed by the browser), each
-- with the one agreed reason the systems disagree about it (difference_reason).
--
--   marketing: the person's HubSpot contacts with an MQL date (became_mql_at), earliest.
--   CRM:       the person's live Salesforce leads with an MQL date (the MQLs handed to sales,
--              as in int_mqls_sla_measured), earliest; leads deleted by a merge that carry
--              an MQL date are counted apart as duplicates.
--   web:       the person's first GA4 form_submit of a high-intent form type per the MQL rule
--              in force on the day. GA4 carries the form's HTML id, which HubSpot's embed
--              renders as 'hsForm_' + the HubSpot form guid; its type comes from the HubSpot
--              forms (form_submissions), the only catalogue of form types there is.
-- Persons through the identity spine (int_identities_linked.person_id); a browser that
-- never identified (or is a shared device whose links are not used) stays anonymous.
--
-- difference_reason: the first of these that applies.
--   web_conversion_not_identified     anonymous browser: a high-intent form, nobody known
--   marketing_mql_breaks_rule         HubSpot's MQL does not meet the agreed rule
--   crm_duplicate_merged              a CRM MQL sits on a lead merged away as a duplicate
--   sales_sourced                     CRM MQL without a HubSpot MQL
--   not_yet_synced_to_crm             HubSpot MQL without a (live) CRM MQL
--   web_conversion_not_qualified      high-intent form, but an MQL in neither system (fit)
--   different_month                   counted in different months by the systems
--   web_conversion_not_tracked        MQL with a high-intent form in HubSpot, none in GA4
--   qualified_without_web_conversion  MQL by score, no high-intent form anywhere
--   in_all_systems                    MQL in marketing and CRM and a web conversion, one month

with identities as (
    select identity_kind, source_id, person_id, is_identified_person
    from {{ ref('int_identities_linked') }}
),

marketing_contacts as (
    select
        contact_id,
        became_mql_at,
        is_mql_without_meeting_rule,
        submitted_high_intent_form
    from {{ ref('int_contacts_mql_rule_checked') }}
    where became_mql_at is not null
),

crm_leads as (
    select lead_id, mql_at, is_deleted
    from {{ ref('stg_crm__leads') }}
    where mql_at is not null
),

form_submits as (
    select client_id, form_id, occurred_at
    from {{ ref('stg_web_analytics__events') }}
    where event_name = 'form_submit'
),

form_types as (
    select distinct form_id, form_type
    from {{ ref('stg_marketing_automation__form_submissions') }}
),

rules as (
    select * from {{ source('definitions', 'mql_rules') }}
),

rule_lists as (
    select * from {{ source('definitions', 'mql_rule_lists') }}
),

-- Marketing's view, per person. The MQL breaks the rule when none of the person's MQL
-- contacts meets it.
marketing_mqls as (
    select
        identities.person_id,
        min(marketing_contacts.became_mql_at) as marketing_mql_at,
        min(case when marketing_contacts.is_mql_without_meeting_rule then 1 else 0 end)
            as breaks_rule,
        max(case when marketing_contacts.submitted_high_intent_form then 1 else 0 end)
            as has_high_intent_form
    from marketing_contacts
    inner join identities
        on {{ identity_of('identities', 'marketing_contact', 'marketing_contacts.contact_id') }}
    group by identities.person_id
),

-- The CRM's view, per person: live MQL leads, and MQL leads deleted as duplicates.
crm_mqls as (
    select
        identities.person_id,
        min(case when not coalesce(crm_leads.is_deleted, false) then crm_leads.mql_at end)
            as crm_mql_at,
        sum(case when not coalesce(crm_leads.is_deleted, false) then 1 else 0 end)
            as crm_mql_lead_count,
        sum(case when coalesce(crm_leads.is_deleted, false) then 1 else 0 end)
            as crm_merged_duplicate_mql_count
    from crm_leads
    inner join identities
        on {{ identity_of('identities', 'crm_lead', 'crm_leads.lead_id') }}
    group by identities.person_id
),

-- The web's view: high-intent form submissions by the rule in force on the day.
web_conversions as (
    select
        form_submits.client_id,
        form_submits.occurred_at,
        case when identities.is_identified_person then identities.person_id end as person_id,
        case
            when identities.is_identified_person then identities.person_id
            else {{ dbt.concat(["'web_client:'", 'form_submits.client_id']) }}
        end as reconciliation_key
    from form_submits
    inner join form_types
        on {{ dbt.concat(["'hsForm_'", 'form_types.form_id']) }} = form_submits.form_id
    inner join rules
        on {{ mql_rule_in_force_at('rules', 'form_submits.occurred_at') }}
    inner join rule_lists
        on rule_lists.mql_rule_version = rules.mql_rule_version
        and rule_lists.list_name = 'high_intent_form_type'
        and rule_lists.list_value = form_types.form_type
    left join identities
        on {{ identity_of('identities', 'web_client', 'form_submits.client_id') }}
),

first_web_conversions as (
    {{ first_row_per('web_conversions', 'reconciliation_key', 'occurred_at, client_id') }}
),

keys as (
    select person_id as reconciliation_key from marketing_mqls
    union
    select person_id from crm_mqls
    union
    select reconciliation_key from first_web_conversions
),

joined as (
    select
        keys.reconciliation_key,
        coalesce(marketing_mqls.person_id, crm_mqls.person_id, first_web_conversions.person_id)
            as person_id,
        first_web_conversions.client_id as web_client_id,
        marketing_mqls.marketing_mql_at,
        crm_mqls.crm_mql_at,
        first_web_conversions.occurred_at as web_conversion_at,
        marketing_mqls.marketing_mql_at is not null as is_marketing_mql,
        crm_mqls.crm_mql_at is not null as is_crm_mql,
        first_web_conversions.occurred_at is not null as is_web_conversion,
        coalesce(marketing_mqls.breaks_rule, 0) = 1 as is_marketing_mql_breaking_rule,
        coalesce(marketing_mqls.has_high_intent_form, 0) = 1 as has_marketing_high_intent_form,
        coalesce(crm_mqls.crm_mql_lead_count, 0) as crm_mql_lead_count,
        coalesce(crm_mqls.crm_merged_duplicate_mql_count, 0) as crm_merged_duplicate_mql_count,
        cast({{ dbt.date_trunc('month', 'marketing_mqls.marketing_mql_at') }} as date)
            as marketing_mql_month,
        cast({{ dbt.date_trunc('month', 'crm_mqls.crm_mql_at') }} as date) as crm_mql_month,
        cast({{ dbt.date_trunc('month', 'first_web_conversions.occurred_at') }} as date)
            as web_conversion_month
    from keys
    left join marketing_mqls on marketing_mqls.person_id = keys.reconciliation_key
    left join crm_mqls on crm_mqls.person_id = keys.reconciliation_key
    left join first_web_conversions on first_web_conversions.reconciliation_key = keys.reconciliation_key
),

-- The months the person is counted in by the systems that count them: the earliest and
-- the latest (null months left out).
months as (
    select
        joined.*,
        least(
            coalesce(marketing_mql_month, crm_mql_month, web_conversion_month),
            coalesce(crm_mql_month, web_conversion_month, marketing_mql_month),
            coalesce(web_conversion_month, marketing_mql_month, crm_mql_month)
        ) as reconciliation_month,
        greatest(
            coalesce(marketing_mql_month, crm_mql_month, web_conversion_month),
            coalesce(crm_mql_month, web_conversion_month, marketing_mql_month),
            coalesce(web_conversion_month, marketing_mql_month, crm_mql_month)
        ) as latest_month
    from joined
),

explained as (
    select
        months.*,
        case
            when person_id is null then 'web_conversion_not_identified'
            when is_marketing_mql_breaking_rule then 'marketing_mql_breaks_rule'
            when crm_merged_duplicate_mql_count > 0 then 'crm_duplicate_merged'
            when is_crm_mql and not is_marketing_mql then 'sales_sourced'
            when is_marketing_mql and not is_crm_mql then 'not_yet_synced_to_crm'
            when is_web_conversion and not is_marketing_mql and not is_crm_mql
                then 'web_conversion_not_qualified'
            when reconciliation_month <> latest_month then 'different_month'
            when not is_web_conversion and has_marketing_high_intent_form
                then 'web_conversion_not_tracked'
            when not is_web_conversion then 'qualified_without_web_conversion'
            when is_marketing_mql and is_crm_mql and is_web_conversion then 'in_all_systems'
            else 'unexplained'
        end as difference_reason
    from months
)

select
    cast(reconciliation_key as {{ dbt.type_string() }}) as reconciliation_key,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(web_client_id as {{ dbt.type_string() }}) as web_client_id,
    cast(difference_reason as {{ dbt.type_string() }}) as difference_reason,
    is_marketing_mql,
    is_crm_mql,
    is_web_conversion,
    marketing_mql_at,
    crm_mql_at,
    web_conversion_at,
    marketing_mql_month,
    crm_mql_month,
    web_conversion_month,
    reconciliation_month,
    is_marketing_mql_breaking_rule,
    has_marketing_high_intent_form,
    cast(crm_mql_lead_count as {{ dbt.type_bigint() }}) as crm_mql_lead_count,
    cast(crm_merged_duplicate_mql_count as {{ dbt.type_bigint() }})
        as crm_merged_duplicate_mql_count
from explained
