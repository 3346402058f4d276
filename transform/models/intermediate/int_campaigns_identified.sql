{#-
  One campaign identity across systems: every way a source names a campaign, and the one
  campaign (campaign_key, campaign_name) it means. One row per reference: a CRM Campaign
  Id, a HubSpot campaign id, or a UTM campaign value as a source wrote it (a GA4 session's
  campaign, a form's utm_campaign; GA4's placeholders such as (direct) are no campaign).

  The campaigns: every CRM campaign not deleted; a HubSpot campaign is the CRM campaign it
  syncs to (its Salesforce campaign id, else the CRM campaign of the same name by the
  campaign match key), else a campaign of its own. A campaign's name is the CRM's, else
  HubSpot's.

  A UTM value means, the first that applies (matched_by):
    alias                 the campaign the definitions' campaign_aliases list for it (an
                          alias naming no known campaign is a campaign of that name)
    marketing_utm         the campaign whose HubSpot UTM value (hs_utm) it is
    crm_name              the CRM campaign of that name
    marketing_name        the HubSpot campaign of that name
    unmatched             nothing: a campaign of its own, under its own spelling
  every comparison by the campaign match key (macro campaign_match_key), so the spellings
  of one value are one campaign. Where several campaigns share a key, the lowest id wins.
  Two campaigns with the same name are told apart by their id in campaign_name, so a
  report grouped by the name never merges two campaigns.
-#}
with

crm_campaigns as (
    select
        campaign_id,
        campaign_name,
        {{ campaign_match_key('campaign_name') }} as name_key
    from {{ ref('stg_crm__campaigns') }}
    where not is_deleted
),

marketing_campaigns as (
    select
        campaign_id,
        campaign_name,
        crm_campaign_id,
        {{ campaign_match_key('campaign_name') }} as name_key,
        {{ campaign_match_key('utm_campaign') }} as utm_key
    from {{ ref('stg_marketing_automation__campaigns') }}
),

crm_by_name as (
    select name_key, min(campaign_id) as campaign_id
    from crm_campaigns
    where name_key is not null
    group by name_key
),

-- Each HubSpot campaign's campaign: the CRM campaign it syncs to, else its own.
marketing_resolved as (
    select
        marketing.campaign_id,
        marketing.name_key,
        marketing.utm_key,
        coalesce(
            'crm:' || coalesce(by_id.campaign_id, by_name.campaign_id),
            'marketing_automation:' || marketing.campaign_id
        ) as campaign_key,
        case
            when by_id.campaign_id is not null then 'crm_campaign_id'
            when by_name.campaign_id is not null then 'crm_name'
            else 'own'
        end as matched_by
    from marketing_campaigns as marketing
    left join crm_campaigns as by_id
        on by_id.campaign_id = marketing.crm_campaign_id
    left join crm_by_name as by_name
        on by_name.name_key = marketing.name_key
),

campaigns as (
    select
        'crm:' || campaign_id as campaign_key,
        campaign_name,
        campaign_id as source_id
    from crm_campaigns
    union all
    select
        marketing_resolved.campaign_key,
        marketing_campaigns.campaign_name,
        marketing_campaigns.campaign_id as source_id
    from marketing_resolved
    inner join marketing_campaigns
        on marketing_campaigns.campaign_id = marketing_resolved.campaign_id
    where marketing_resolved.matched_by = 'own'
),

-- The UTM values as the sources wrote them.
utm_values as (
    select distinct utm_campaign as reference_value
    from {{ ref('stg_marketing_automation__form_submissions') }}
    where {{ is_campaign_value('utm_campaign') }}
    union
    select distinct campaign as reference_value
    from {{ ref('int_web_sessions_sessionized') }}
    where {{ is_campaign_value('campaign') }}
),

-- Every known campaign a key can name, by id or by name, in order of precedence.
campaigns_by_key as (
    select campaign_id as match_value, campaign_key, 1 as precedence
    from marketing_resolved
    union all
    select campaign_id, 'crm:' || campaign_id, 1
    from crm_campaigns
    union all
    select utm_key, campaign_key, 2
    from marketing_resolved
    where utm_key is not null
    union all
    select name_key, 'crm:' || campaign_id, 3
    from crm_by_name
    union all
    select name_key, campaign_key, 4
    from marketing_resolved
    where name_key is not null
),

-- The campaign each alias means: a known campaign by id, UTM value or name, else a
-- campaign of the alias's own naming.
aliases as (
    select
        {{ campaign_match_key('alias') }} as alias_key,
        campaign as alias_campaign,
        {{ campaign_match_key('campaign') }} as campaign_name_key,
        (
            select known.campaign_key
            from campaigns_by_key as known
            where known.match_value = aliased.campaign
                or known.match_value = {{ campaign_match_key('aliased.campaign') }}
            order by known.precedence, known.campaign_key
            limit 1
        ) as known_campaign_key
    from {{ source('definitions', 'campaign_aliases') }} as aliased
),

utm_candidates as (
    select
        utm_values.reference_value,
        {{ campaign_match_key('utm_values.reference_value') }} as reference_match_key
    from utm_values
),

utm_matches as (
    select
        utm.reference_value,
        utm.reference_match_key,
        coalesce(aliases.known_campaign_key, 'utm:' || aliases.campaign_name_key) as campaign_key,
        aliases.alias_campaign as unknown_campaign_name,
        'alias' as matched_by,
        1 as precedence
    from utm_candidates as utm
    inner join aliases
        on aliases.alias_key = utm.reference_match_key
    union all
    select
        utm.reference_value,
        utm.reference_match_key,
        marketing.campaign_key,
        null,
        'marketing_utm',
        2
    from utm_candidates as utm
    inner join marketing_resolved as marketing
        on marketing.utm_key = utm.reference_match_key
    union all
    select
        utm.reference_value,
        utm.reference_match_key,
        'crm:' || crm.campaign_id,
        null,
        'crm_name',
        3
    from utm_candidates as utm
    inner join crm_by_name as crm
        on crm.name_key = utm.reference_match_key
    union all
    select
        utm.reference_value,
        utm.reference_match_key,
        marketing.campaign_key,
        null,
        'marketing_name',
        4
    from utm_candidates as utm
    inner join marketing_resolved as marketing
        on marketing.name_key = utm.reference_match_key
    union all
    select
        reference_value,
        reference_match_key,
        'utm:' || reference_match_key,
        null,
        'unmatched',
        5
    from utm_candidates
),

utm_resolved as (
    {{ first_row_per('utm_matches', 'reference_value', 'precedence, campaign_key') }}
),

-- The campaigns only a UTM value (or an alias) names, under the value's own spelling
-- (of several spellings of one key, the first in text order) or the alias's.
utm_campaigns as (
    select
        campaign_key,
        coalesce(min(unknown_campaign_name), min(reference_value)) as campaign_name,
        min(reference_match_key) as source_id
    from utm_resolved
    where campaign_key like 'utm:%'
    group by campaign_key
),

all_campaigns as (
    select * from campaigns
    union all
    select * from utm_campaigns
),

named as (
    select
        campaign_key,
        case
            when count(*) over (partition by campaign_name) > 1
                then campaign_name || ' (' || source_id || ')'
            else campaign_name
        end as campaign_name
    from all_campaigns
),

references_resolved as (
    select
        'crm_campaign_id' as reference_kind,
        campaign_id as reference_value,
        'crm:' || campaign_id as campaign_key,
        'crm_campaign_id' as matched_by
    from crm_campaigns
    union all
    select
        'marketing_campaign_id',
        campaign_id,
        campaign_key,
        case matched_by when 'own' then 'marketing_campaign_id' else matched_by end
    from marketing_resolved
    union all
    select
        'utm_campaign',
        reference_value,
        campaign_key,
        matched_by
    from utm_resolved
)

select
    {{ surrogate_key(['references_resolved.reference_kind', 'references_resolved.reference_value']) }}
        as campaign_reference_id,
    cast(references_resolved.reference_kind as {{ dbt.type_string() }}) as reference_kind,
    cast(references_resolved.reference_value as {{ dbt.type_string() }}) as reference_value,
    cast(references_resolved.campaign_key as {{ dbt.type_string() }}) as campaign_key,
    cast(named.campaign_name as {{ dbt.type_string() }}) as campaign_name,
    cast(references_resolved.matched_by as {{ dbt.type_string() }}) as matched_by
from references_resolved
inner join named
    on named.campaign_key = references_resolved.campaign_key
