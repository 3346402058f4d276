-- Every marketing contact judged by the MQL rule that was in force when it qualified
-- (or, for contacts that never qualified, by the rule in force at their last update).
-- The thresholds and lists come from the agreed definitions, never from this file.
-- The score is the contact's current HubSpot score: exports carry no score history.

with contacts as (
    select * from {{ ref('stg_marketing_automation__contacts') }}
),

rules as (
    select * from {{ source('definitions', 'mql_rules') }}
),

rule_lists as (
    select * from {{ source('definitions', 'mql_rule_lists') }}
),

forms as (
    select * from {{ ref('stg_marketing_automation__form_submissions') }}
),

judged as (
    select
        contacts.*,
        coalesce(contacts.became_mql_at, contacts.updated_at) as judged_at,
        lower({{ dbt.split_part('contacts.email', "'@'", 2) }}) as email_domain,
        rules.mql_rule_version,
        rules.score_threshold,
        rules.min_employees
    from contacts
    inner join rules
        on {{ mql_rule_in_force_at('rules', 'coalesce(contacts.became_mql_at, contacts.updated_at)') }}
),

-- A submission is the contact's by its contact id, or, exported without one, by the
-- address typed into the form: the rule of int_marketing_activities_matched.
contact_forms as (
    select matched.source_id as contact_id, forms.form_type, forms.submitted_at
    from {{ ref('int_marketing_activities_matched') }} as matched
    inner join forms
        on forms.form_submission_id = matched.activity_id
    where matched.activity_kind = 'form_submission'
        and {{ identity_is('matched', 'marketing_contact') }}
),

high_intent_forms as (
    select
        judged.contact_id,
        min(forms.submitted_at) as first_high_intent_form_at
    from judged
    inner join contact_forms as forms
        on forms.contact_id = judged.contact_id
        and forms.submitted_at <= judged.judged_at
    inner join rule_lists
        on rule_lists.mql_rule_version = judged.mql_rule_version
        and rule_lists.list_name = 'high_intent_form_type'
        and rule_lists.list_value = forms.form_type
    group by judged.contact_id
),

checked as (
    select
        judged.contact_id,
        judged.email,
        judged.email_domain,
        judged.lifecycle_stage,
        judged.became_mql_at,
        judged.judged_at,
        judged.mql_rule_version,
        judged.score_threshold,
        judged.lead_score,
        judged.company_employees,
        judged.company_industry,
        judged.company_country,
        coalesce(judged.lead_score >= judged.score_threshold, false) as meets_score_threshold,
        high_intent_forms.first_high_intent_form_at,
        high_intent_forms.first_high_intent_form_at is not null as submitted_high_intent_form,
        coalesce(judged.company_employees >= judged.min_employees, false) as meets_company_size,
        {%- for list_name, column, flag in [
            ('industry', 'company_industry', 'is_target_industry'),
            ('country', 'company_country', 'is_target_country'),
            ('excluded_email_domain', 'email_domain', 'has_excluded_email_domain'),
        ] %}
        exists (
            select 1 from rule_lists
            where rule_lists.mql_rule_version = judged.mql_rule_version
                and rule_lists.list_name = '{{ list_name }}'
                and rule_lists.list_value = judged.{{ column }}
        ) as {{ flag }}{{ "," if not loop.last }}
        {%- endfor %}
    from judged
    left join high_intent_forms
        on high_intent_forms.contact_id = judged.contact_id
),

fitted as (
    select
        *,
        meets_company_size and is_target_industry and is_target_country
            and not has_excluded_email_domain as fits_ideal_customer_profile
    from checked
),

ruled as (
    select
        *,
        (meets_score_threshold or submitted_high_intent_form)
            and fits_ideal_customer_profile as meets_mql_rule
    from fitted
)

select
    *,
    became_mql_at is not null as is_mql,
    became_mql_at is not null and not meets_mql_rule as is_mql_without_meeting_rule
from ruled
