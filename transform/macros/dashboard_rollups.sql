{#- Roll-ups of the SLA and closed-loop marts over their slices, for the reporting marts
    the dashboards select from: counts are summed, and every rate is a sum of numerators
    over a sum of denominators, never an average of the slices' rates. -#}

{% macro sla_compliance_sums() -%}
    cast(sum(mql_count) as bigint) as mqls,
    cast(sum(first_touch_measured_count) as bigint) as first_touch_measured,
    cast(sum(first_touch_met_count) as bigint) as first_touch_met,
    cast(sum(first_touch_met_count) / nullif(sum(first_touch_measured_count), 0) as double)
        as first_touch_met_rate,
    cast(sum(follow_up_measured_count) as bigint) as follow_up_measured,
    cast(sum(follow_up_met_count) as bigint) as follow_up_met,
    cast(sum(follow_up_met_count) / nullif(sum(follow_up_measured_count), 0) as double)
        as follow_up_met_rate,
    cast(sum(response_measured_count) as bigint) as response_measured,
    cast(sum(response_met_count) as bigint) as response_met,
    cast(sum(response_met_count) / nullif(sum(response_measured_count), 0) as double)
        as response_met_rate,
    cast(sum(never_touched_count) as bigint) as never_touched,
    cast(sum(sla_breached_count) as bigint) as sla_breached
{%- endmacro %}

{% macro closed_loop_sums() -%}
    cast(sum(mql_count) as bigint) as mqls,
    cast(sum(won_count) as bigint) as won,
    cast(sum(lost_count) as bigint) as lost,
    cast(sum(disqualified_count) as bigint) as disqualified,
    cast(sum(recycled_to_nurture_count) as bigint) as recycled_to_nurture,
    cast(sum(open_count) as bigint) as open,
    cast(sum(won_count) / nullif(sum(won_count) + sum(lost_count), 0) as double) as win_rate,
    cast(sum(opportunity_count) as bigint) as opportunities,
    cast(sum(won_revenue) as double) as won_revenue,
    cast(sum(open_pipeline) as double) as open_pipeline
{%- endmacro %}
