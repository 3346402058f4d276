{#-
  The campaign dimension: one row per campaign, whichever systems name it and however
  (int_campaigns_identified decides which references mean which campaign). Every mart
  that reports by campaign shows campaign_name, which is unique, so its rows join here by
  it. A UTM value that matches no CRM or HubSpot campaign is a campaign of its own
  (identified_by utm_value), kept and counted, never dropped.
-#}
with

references_resolved as (
    select * from {{ ref('int_campaigns_identified') }}
),

-- The UTM spellings of each campaign with the touches that carry them.
form_touches as (
    select utm_campaign as reference_value, count(*) as form_submissions
    from {{ ref('stg_marketing_automation__form_submissions') }}
    group by utm_campaign
),

session_touches as (
    select campaign as reference_value, count(*) as web_sessions
    from {{ ref('int_web_sessions_sessionized') }}
    group by campaign
),

campaign_totals as (
    select
        references_resolved.campaign_key,
        min(references_resolved.campaign_name) as campaign_name,
        max(case when references_resolved.reference_kind = 'crm_campaign_id'
            then references_resolved.reference_value end) as crm_campaign_id,
        count(case when references_resolved.reference_kind = 'marketing_campaign_id'
            then 1 end) as marketing_campaigns,
        min(case when references_resolved.reference_kind = 'marketing_campaign_id'
            then references_resolved.reference_value end) as marketing_campaign_id,
        count(case when references_resolved.reference_kind = 'utm_campaign'
            then 1 end) as utm_values,
        sum(coalesce(form_touches.form_submissions, 0)) as form_submissions,
        sum(coalesce(session_touches.web_sessions, 0)) as web_sessions
    from references_resolved
    left join form_touches
        on references_resolved.reference_kind = 'utm_campaign'
        and form_touches.reference_value = references_resolved.reference_value
    left join session_touches
        on references_resolved.reference_kind = 'utm_campaign'
        and session_touches.reference_value = references_resolved.reference_value
    group by references_resolved.campaign_key
),

spellings as (
    select
        campaign_key,
        {{ dbt.listagg('reference_value', "' | '", 'order by reference_value') }} as utm_spellings
    from references_resolved
    where reference_kind = 'utm_campaign'
    group by campaign_key
)

select
    cast(campaign_totals.campaign_key as {{ dbt.type_string() }}) as campaign_key,
    cast(campaign_totals.campaign_name as {{ dbt.type_string() }}) as campaign_name,
    cast(case
        when campaign_totals.crm_campaign_id is not null then 'crm_campaign'
        when campaign_totals.marketing_campaigns > 0 then 'marketing_campaign'
        else 'utm_value'
    end as {{ dbt.type_string() }}) as identified_by,
    cast(campaign_totals.crm_campaign_id as {{ dbt.type_string() }}) as crm_campaign_id,
    cast(campaign_totals.marketing_campaign_id as {{ dbt.type_string() }}) as marketing_campaign_id,
    cast(campaign_totals.marketing_campaigns as bigint) as marketing_campaigns,
    cast(campaign_totals.utm_values as bigint) as utm_values,
    cast(spellings.utm_spellings as {{ dbt.type_string() }}) as utm_spellings,
    cast(campaign_totals.form_submissions as bigint) as form_submissions,
    cast(campaign_totals.web_sessions as bigint) as web_sessions
from campaign_totals
left join spellings
    on spellings.campaign_key = campaign_totals.campaign_key
