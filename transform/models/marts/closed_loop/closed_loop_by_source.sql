-- The closed loop rolled up by where the MQLs came from: per calendar month of the MQL date
-- and acquisition channel, campaign, content (first form) and company-size segment, how
-- many MQLs were won, lost, disqualified, recycled to nurture or are still open, the share
-- of each, and the revenue won. Built on closed_loop_mql_outcomes; counts add up across
-- rows, rates do not (sum the counts and divide).

with outcomes as (
    select * from {{ ref('closed_loop_mql_outcomes') }}
),

aggregated as (
    select
        mql_month,
        acquisition_channel_key,
        max(acquisition_channel_name) as acquisition_channel_name,
        acquisition_campaign,
        acquisition_content,
        segment_key,
        max(segment_name) as segment_name,
        count(*) as mql_count,
        sum(case when outcome = 'won' then 1 else 0 end) as won_count,
        sum(case when outcome = 'lost' then 1 else 0 end) as lost_count,
        sum(case when outcome = 'disqualified' then 1 else 0 end) as disqualified_count,
        sum(case when outcome = 'recycled_to_nurture' then 1 else 0 end) as recycled_to_nurture_count,
        sum(case when outcome = 'open' then 1 else 0 end) as open_count,
        sum(case when opportunity_id is not null then 1 else 0 end) as opportunity_count,
        sum(won_amount) as won_revenue,
        sum(case when outcome = 'open' and opportunity_id is not null then coalesce(amount, 0) else 0 end)
            as open_pipeline,
        max(data_as_of) as data_as_of
    from outcomes
    group by mql_month, acquisition_channel_key, acquisition_campaign, acquisition_content, segment_key
)

select
    mql_month,
    cast(acquisition_channel_key as {{ dbt.type_string() }}) as acquisition_channel_key,
    cast(acquisition_channel_name as {{ dbt.type_string() }}) as acquisition_channel_name,
    cast(acquisition_campaign as {{ dbt.type_string() }}) as acquisition_campaign,
    cast(acquisition_content as {{ dbt.type_string() }}) as acquisition_content,
    cast(segment_key as {{ dbt.type_string() }}) as segment_key,
    cast(segment_name as {{ dbt.type_string() }}) as segment_name,
    cast(mql_count as {{ dbt.type_bigint() }}) as mql_count,
    cast(won_count as {{ dbt.type_bigint() }}) as won_count,
    cast(lost_count as {{ dbt.type_bigint() }}) as lost_count,
    cast(disqualified_count as {{ dbt.type_bigint() }}) as disqualified_count,
    cast(recycled_to_nurture_count as {{ dbt.type_bigint() }}) as recycled_to_nurture_count,
    cast(open_count as {{ dbt.type_bigint() }}) as open_count,
    cast(won_count as double) / mql_count as won_rate,
    cast(lost_count as double) / mql_count as lost_rate,
    cast(disqualified_count as double) / mql_count as disqualified_rate,
    cast(recycled_to_nurture_count as double) / mql_count as recycled_to_nurture_rate,
    cast(open_count as double) / mql_count as open_rate,
    cast(won_count as double) / nullif(won_count + lost_count, 0) as win_rate,
    cast(opportunity_count as {{ dbt.type_bigint() }}) as opportunity_count,
    cast(won_revenue as double) as won_revenue,
    cast(open_pipeline as double) as open_pipeline,
    {{ dbt.dateadd('month', 1, 'mql_month') }} <= data_as_of as is_complete_month,
    data_as_of
from aggregated
