-- The outcomes of the MQLs per acquisition channel, campaign, content (the first form) and
-- month of the MQL: one row per breakdown and label, ranked within the breakdown (months in
-- order, the others by MQLs, most first). A missing label is named, never dropped; a
-- channel key outside the agreed list by channels_outside_the_list.
{%- set breakdowns = {
    'channel': ("coalesce(acquisition_channel_name, acquisition_channel_key)", "(unknown)"),
    'campaign': ("acquisition_campaign", "(no campaign)"),
    'content': ("acquisition_content", "(no form)"),
    'month': ("strftime(mql_month, '%b %Y')", ""),
} %}

with by_label as (
    {%- for breakdown, (expression, missing) in breakdowns.items() %}
    select
        '{{ breakdown }}' as breakdown,
        coalesce({{ expression }}, '{{ missing }}') as label,
        min(mql_month) as first_mql_month,
        {{ closed_loop_sums() }}
    from {{ ref('closed_loop_by_source') }}
    left join {{ ref('channels_outside_the_list') }} as outside
        on outside.channel_key = acquisition_channel_key
    group by label
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
)

select
    breakdown,
    label,
    cast(row_number() over (
        partition by breakdown
        order by
            case when breakdown = 'month' then first_mql_month end asc,
            mqls desc,
            label asc
    ) as bigint) as rank_in_breakdown,
    mqls, won, lost, disqualified, recycled_to_nurture, open, win_rate,
    opportunities, won_revenue, open_pipeline
from by_label
