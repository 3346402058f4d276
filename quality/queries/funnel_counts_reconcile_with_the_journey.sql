-- At every reporting grain, period and stage: the persons the funnel counts entering the
-- stage (summed over its slices) against the distinct persons with that stage_entered
-- touchpoint in customer_journey. The funnel's stages and the column counting each are the
-- project var funnel_stages; the grains are the project var reporting_grains.
with funnel as (
    {%- for stage in var('funnel_stages') %}
    select period_grain, period_start, '{{ stage.stage_key }}' as stage_key,
           sum({{ stage.persons_column }}) as funnel_count
    from {{ ref('funnel_conversion_by_period') }}
    group by period_grain, period_start
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),
journey as (
    select grains.period_grain,
           cast(date_trunc(grains.period_grain, journey.occurred_at) as date) as period_start,
           journey.stage_key,
           count(distinct journey.person_id) as journey_count
    from {{ ref('customer_journey') }} as journey
    cross join (values
        {%- for grain in var('reporting_grains') %} ('{{ grain }}'){{ "," if not loop.last }}
        {%- endfor %}) as grains(period_grain)
    where journey.touchpoint_type = 'stage_entered'
        and journey.stage_key in (
            {%- for stage in var('funnel_stages') %}'{{ stage.stage_key }}'{{ ", " if not loop.last }}{% endfor %})
    group by 1, 2, 3
)
select coalesce(funnel.period_grain, journey.period_grain) as period_grain,
       coalesce(funnel.period_start, journey.period_start) as period_start,
       coalesce(funnel.stage_key, journey.stage_key) as stage_key,
       coalesce(funnel.funnel_count, 0) as funnel_count,
       coalesce(journey.journey_count, 0) as journey_count,
       coalesce(funnel.funnel_count, 0) - coalesce(journey.journey_count, 0) as difference
from funnel
full outer join journey
    on journey.period_grain = funnel.period_grain
    and journey.period_start = funnel.period_start
    and journey.stage_key = funnel.stage_key
