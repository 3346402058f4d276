{#-
  Multi-touch attribution: which marketing touches of the buying group get the credit for
  each opportunity's pipeline and, once won, its revenue, under six attribution models.
  One row per opportunity x credited touch x model; the credits of one opportunity under
  one model add up to exactly 1, so every model distributes all pipeline and all won
  revenue (an opportunity without a touch in the lookback window gets a "no touch" row).

  Touches: the marketing touches of the opportunity's account (the buying group in
  account_journey): web sessions, form submissions and e-mail clicks (opens are not
  counted), at or before the opportunity's creation and no more than
  terms.attribution_lookback_days before it. Sales touches, stage entries and opportunity
  changes are the CRM's own record, not marketing touches.

  Order: by occurred_at, then touchpoint_id (md5, arbitrary but stable), so touches at the
  same instant always fall in the same order from run to run.

  Roles (each touch's touch_position):
    first                 the first touch in the window
    opportunity_creation  the last touch in the window (last touch before the opportunity)
    lead_creation         the first form submission in the window; without one, the first
                          touch stands in for it (the earliest touch that brought the
                          buying group in), so the W-shaped model still hands out all
                          three shares
    only                  the single touch of a one-touch opportunity (all three roles)
  and the combinations first_and_lead_creation and lead_creation_and_opportunity_creation
  when one touch holds two roles; every other touch is middle.

  Weights, n = touches in the window:
    first_touch   1 to the first touch
    last_touch    1 to the last touch
    linear        1/n each
    u_shaped      u = terms.u_shaped_first_last_share to the first and to the last each,
                  1 - 2u evenly over the middle touches; with no middle touch (n <= 2) the
                  roles share alike: n = 1 gets 1, n = 2 gets 1/2 each
    w_shaped      w = terms.w_shaped_first_lead_opportunity_share for each of the three
                  roles (first, lead creation, opportunity creation) to the touch holding
                  it, so a touch holding two roles gets 2w; 1 - 3w evenly over the other
                  touches. With no other touch, the roles share alike: each role is 1/3
                  (one touch: 1; first = lead creation and a last touch: 2/3 and 1/3)
    time_decay    2^(-d / terms.time_decay_half_life_days), d = days (fractional) from
                  the touch to the opportunity's creation, normalised to sum 1
  Touches a model gives no credit (all but one under first_touch and last_touch, the
  middle under u_shaped when u = 0.5) are not rows.
-#}

with

terms as (
    select
        definitions_version,
        attribution_lookback_days as lookback_days,
        cast(u_shaped_first_last_share as double) as u_share,
        cast(w_shaped_first_lead_opportunity_share as double) as w_share,
        cast(time_decay_half_life_days as double) as half_life_days
    from {{ source('definitions', 'terms') }}
),

opportunities as (
    select
        opportunity_id,
        account_id,
        created_at as opportunity_created_at,
        amount as opportunity_amount,
        is_won,
        -- when the deal was won: the one definition (int_opportunities_closed), as a date
        cast(won_at as date) as won_at
    from {{ ref('int_opportunities_closed') }}
),

web_channels as (
    select source_value, channel_key
    from {{ source('definitions', 'channel_source_values') }}
    where source_system = 'web_analytics'
),

campaigns as (
    select reference_kind, reference_value, campaign_name
    from {{ ref('int_campaigns_identified') }}
),

-- Web sessions and forms map their (utm) medium through the web analytics values; an
-- e-mail click is the e-mail channel. The campaign is the one identity
-- (int_campaigns_identified) of the utm campaign, GA4's own placeholders such as
-- (direct) and (organic) no campaign, or for an e-mail click of its HubSpot campaign.
touches as (
    select
        journey.touchpoint_id,
        journey.account_id,
        journey.person_id,
        journey.occurred_at,
        journey.touchpoint_type,
        case
            when journey.touchpoint_type = 'email_engagement' then 'email'
            else coalesce(web_channels.channel_key, 'unmapped')
        end as channel_key,
        journey.source,
        journey.medium,
        campaigns.campaign_name as campaign
    from {{ ref('account_journey') }} as journey
    left join web_channels
        on web_channels.source_value = journey.medium
    left join campaigns
        on campaigns.reference_kind = case
            when journey.touchpoint_type = 'email_engagement' then 'marketing_campaign_id'
            else 'utm_campaign'
        end
        and campaigns.reference_value = case
            when journey.touchpoint_type = 'email_engagement' then journey.marketing_campaign_id
            else journey.campaign
        end
    where journey.touchpoint_type in ('web_session', 'form_submission')
        -- an e-mail click (definitions vocabulary marketing_email_event_type: meaning click)
        or (
            journey.touchpoint_type = 'email_engagement'
            and {{ vocabulary_match_key('journey.email_event_type') }} in (
                select match_value
                from {{ source('definitions', 'vocabulary_values') }}
                where vocabulary = 'marketing_email_event_type'
                    and not is_pattern
                    and meaning = 'click'
            )
        )
),

in_lookback as (
    select
        opportunities.opportunity_id,
        touches.*,
        cast({{ dbt.datediff('touches.occurred_at', 'opportunities.opportunity_created_at', 'second') }} as double)
            / 86400 as days_before_opportunity_created
    from opportunities
    cross join terms
    inner join touches
        on touches.account_id = opportunities.account_id
        and touches.occurred_at <= opportunities.opportunity_created_at
        and touches.occurred_at >= {{ dbt.dateadd('day', '-1 * terms.lookback_days', 'opportunities.opportunity_created_at') }}
),

sequenced as (
    select
        in_lookback.*,
        row_number() over (
            partition by opportunity_id order by occurred_at, touchpoint_id
        ) as touch_seq,
        count(*) over (partition by opportunity_id) as touch_count
    from in_lookback
),

-- the first form submission in the window; without one, the first touch
lead_creation as (
    select
        opportunity_id,
        coalesce(min(case when touchpoint_type = 'form_submission' then touch_seq end), 1)
            as lead_creation_seq
    from sequenced
    group by opportunity_id
),

roles as (
    select
        sequenced.*,
        case when touch_seq = 1 then 1 else 0 end as is_first,
        case when touch_seq = lead_creation.lead_creation_seq then 1 else 0 end
            as is_lead_creation,
        case when touch_seq = touch_count then 1 else 0 end as is_opportunity_creation,
        -- touches holding at least one role (first, last; and lead creation for W)
        case when touch_count = 1 then 1 else 2 end as u_role_touches,
        case when touch_count = 1 then 1 else 2 end
            + case when lead_creation.lead_creation_seq not in (1, touch_count) then 1 else 0 end
            as w_role_touches
    from sequenced
    inner join lead_creation
        on lead_creation.opportunity_id = sequenced.opportunity_id
),

weighted as (
    select
        roles.*,
        is_first + is_opportunity_creation as u_roles,
        is_first + is_lead_creation + is_opportunity_creation as w_roles,
        power(cast(2 as double), -days_before_opportunity_created / terms.half_life_days)
            as decay_weight,
        terms.u_share,
        terms.w_share
    from roles
    cross join terms
),

touch_credits as (
    select
        weighted.*,
        case
            when touch_count = u_role_touches then cast(u_roles as double) / 2
            when u_roles > 0 then u_share * u_roles
            else greatest(1 - 2 * u_share, 0) / (touch_count - u_role_touches)
        end as u_shaped_credit,
        case
            when touch_count = w_role_touches then cast(w_roles as double) / 3
            when w_roles > 0 then w_share * w_roles
            else greatest(1 - 3 * w_share, 0) / (touch_count - w_role_touches)
        end as w_shaped_credit,
        decay_weight / sum(decay_weight) over (partition by opportunity_id) as time_decay_credit,
        case
            when touch_count = 1 then 'only'
            when is_first = 1 and is_lead_creation = 1 then 'first_and_lead_creation'
            when is_lead_creation = 1 and is_opportunity_creation = 1
                then 'lead_creation_and_opportunity_creation'
            when is_first = 1 then 'first'
            when is_lead_creation = 1 then 'lead_creation'
            when is_opportunity_creation = 1 then 'opportunity_creation'
            else 'middle'
        end as touch_position
    from weighted
),

{%- set credit_expressions = {
    'first_touch': 'cast(is_first as double)',
    'last_touch': 'cast(is_opportunity_creation as double)',
    'linear': 'cast(1 as double) / touch_count',
    'u_shaped': 'u_shaped_credit',
    'w_shaped': 'w_shaped_credit',
    'time_decay': 'time_decay_credit',
} %}

credited as (
    {%- for model_name in attribution_model_names() %}
    select
        opportunity_id,
        '{{ model_name }}' as attribution_model,
        touchpoint_id,
        touch_seq,
        touch_count,
        person_id,
        occurred_at,
        days_before_opportunity_created,
        touchpoint_type,
        channel_key,
        source,
        medium,
        campaign,
        touch_position,
        {{ credit_expressions[model_name] }} as credit
    from touch_credits
    where {{ credit_expressions[model_name] }} > 0
    union all
    {%- endfor %}

    -- an opportunity without a marketing touch in the window: all credit to "no touch"
    {%- for model_name in attribution_model_names() %}
    select
        opportunities.opportunity_id,
        '{{ model_name }}' as attribution_model,
        cast(null as {{ dbt.type_string() }}) as touchpoint_id,
        cast(null as {{ dbt.type_bigint() }}) as touch_seq,
        0 as touch_count,
        cast(null as {{ dbt.type_string() }}) as person_id,
        cast(null as {{ dbt.type_timestamp() }}) as occurred_at,
        cast(null as double) as days_before_opportunity_created,
        'no_touch_in_lookback' as touchpoint_type,
        'no_marketing_touch' as channel_key,
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as medium,
        cast(null as {{ dbt.type_string() }}) as campaign,
        'no_touch' as touch_position,
        cast(1 as double) as credit
    from opportunities
    where not exists (
        select 1 from in_lookback where in_lookback.opportunity_id = opportunities.opportunity_id
    )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    cast({{ surrogate_key(['credited.opportunity_id', 'credited.attribution_model', 'credited.touchpoint_id']) }}
        as {{ dbt.type_string() }}) as attribution_credit_id,
    cast(credited.opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
    cast(opportunities.account_id as {{ dbt.type_string() }}) as account_id,
    cast(credited.attribution_model as {{ dbt.type_string() }}) as attribution_model,
    cast(credited.touchpoint_id as {{ dbt.type_string() }}) as touchpoint_id,
    cast(credited.touch_seq as {{ dbt.type_bigint() }}) as touch_seq,
    cast(credited.touch_count as {{ dbt.type_bigint() }}) as touches_in_lookback,
    cast(credited.person_id as {{ dbt.type_string() }}) as person_id,
    cast(credited.occurred_at as {{ dbt.type_timestamp() }}) as occurred_at,
    cast(credited.days_before_opportunity_created as double) as days_before_opportunity_created,
    cast(credited.touchpoint_type as {{ dbt.type_string() }}) as touchpoint_type,
    cast(credited.channel_key as {{ dbt.type_string() }}) as channel_key,
    cast(credited.source as {{ dbt.type_string() }}) as source,
    cast(credited.medium as {{ dbt.type_string() }}) as medium,
    cast(credited.campaign as {{ dbt.type_string() }}) as campaign,
    cast(credited.touch_position as {{ dbt.type_string() }}) as touch_position,
    cast(credited.credit as double) as credit,
    cast(opportunities.opportunity_amount as decimal(18, 2)) as opportunity_amount,
    cast(credited.credit * coalesce(cast(opportunities.opportunity_amount as double), 0) as double)
        as attributed_pipeline,
    cast(opportunities.is_won as boolean) as is_won,
    cast(
        case
            when opportunities.is_won
                then credited.credit * coalesce(cast(opportunities.opportunity_amount as double), 0)
            else 0
        end as double
    ) as attributed_revenue,
    cast(opportunities.opportunity_created_at as {{ dbt.type_timestamp() }}) as opportunity_created_at,
    cast(opportunities.won_at as date) as won_at,
    cast(terms.definitions_version as {{ dbt.type_string() }}) as definitions_version
from credited
inner join opportunities
    on opportunities.opportunity_id = credited.opportunity_id
cross join terms
