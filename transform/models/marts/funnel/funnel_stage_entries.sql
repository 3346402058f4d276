-- The shared base of the funnel marts: one row per person and funnel stage entered. The
-- funnel is the agreed lifecycle from the lead stage on (lead, mql, sal, sql, opportunity,
-- customer, in the order of definitions.lifecycle_stages); earlier stages (subscriber) are
-- an audience, not a step, and are left out. Each row carries the person's slices (their
-- acquisition channel, campaign and company-size segment), their cohort (when they entered
-- the funnel: the lead stage, or the first stage they entered when they never were a lead,
-- such as a sales-sourced prospect entering at the SQL), the time spent in the stage until
-- the next stage they entered, and the time since they became a lead.

with

stages as (
    select
        stage_order,
        stage_key,
        stage_name
    from {{ source('definitions', 'lifecycle_stages') }}
),

-- The funnel's stages: the lead stage and every later one.
funnel_stages as (
    select
        stages.stage_order,
        stages.stage_key,
        stages.stage_name
    from stages
    cross join (
        select stage_order as first_step_order
        from stages
        where stage_key = 'lead'
    ) as first_step
    where stages.stage_order >= first_step.first_step_order
),

persons as (
    select
        person_id,
        acquisition_channel_key,
        acquisition_channel_name,
        acquisition_campaign,
        segment_key,
        segment_name
    from {{ ref('int_persons_acquired') }}
),

stages_entered as (
    select
        entered.person_id,
        funnel_stages.stage_order,
        funnel_stages.stage_key,
        funnel_stages.stage_name,
        entered.entered_at,
        entered.is_inferred,
        entered.is_retroactive,
        entered.is_current_stage,
        entered.is_sales_sourced_sql
    from {{ ref('int_lifecycle_stages_entered') }} as entered
    inner join funnel_stages
        on funnel_stages.stage_key = entered.stage_key
),

-- The next stage each person entered (in the agreed order, skipped stages skipped), where
-- the person entered the funnel, and when they became a lead.
sequenced as (
    select
        stages_entered.*,
        lead(stage_key) over (
            partition by person_id order by stage_order
        ) as next_stage_key,
        lead(entered_at) over (
            partition by person_id order by stage_order
        ) as next_stage_entered_at,
        min(stage_order) over (partition by person_id) as funnel_entry_stage_order,
        max(case when stage_key = 'lead' then entered_at end) over (
            partition by person_id
        ) as lead_entered_at
    from stages_entered
),

funnel_entries as (
    select
        person_id,
        stage_key as funnel_entry_stage_key,
        entered_at as funnel_entered_at
    from sequenced
    where stage_order = funnel_entry_stage_order
),

timed as (
    select
        sequenced.*,
        funnel_entries.funnel_entry_stage_key,
        funnel_entries.funnel_entered_at,
        {{ funnel_hours_between('sequenced.lead_entered_at', 'sequenced.entered_at') }}
            as hours_from_lead,
        {{ funnel_hours_between('sequenced.entered_at', 'sequenced.next_stage_entered_at') }}
            as hours_in_stage
    from sequenced
    inner join funnel_entries
        on funnel_entries.person_id = sequenced.person_id
)

select
    {{ surrogate_key(['timed.person_id', 'timed.stage_key']) }} as funnel_stage_entry_id,
    timed.person_id,
    cast(timed.stage_order as {{ dbt.type_bigint() }}) as stage_order,
    cast(timed.stage_key as {{ dbt.type_string() }}) as stage_key,
    cast(timed.stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(timed.entered_at as {{ dbt.type_timestamp() }}) as entered_at,
    timed.is_inferred,
    timed.is_retroactive,
    timed.is_current_stage,
    timed.is_sales_sourced_sql,
    cast(coalesce(persons.acquisition_channel_key, 'unknown') as {{ dbt.type_string() }}) as channel_key,
    cast(coalesce(persons.acquisition_channel_name, {{ channel_outside_the_list_name("'unknown'") }}) as {{ dbt.type_string() }}) as channel_name,
    cast(coalesce(persons.acquisition_campaign, '(none)') as {{ dbt.type_string() }}) as campaign,
    cast(coalesce(persons.segment_key, 'unknown') as {{ dbt.type_string() }}) as segment_key,
    cast(coalesce(persons.segment_name, 'Unknown size') as {{ dbt.type_string() }}) as segment_name,
    cast(timed.funnel_entry_stage_key as {{ dbt.type_string() }}) as funnel_entry_stage_key,
    cast(timed.funnel_entered_at as {{ dbt.type_timestamp() }}) as funnel_entered_at,
    {{ reporting_period_start('day', 'timed.funnel_entered_at') }} as cohort_day_start,
    {{ reporting_period_start('week', 'timed.funnel_entered_at') }} as cohort_week_start,
    {{ reporting_period_start('month', 'timed.funnel_entered_at') }} as cohort_month_start,
    {{ reporting_period_start('quarter', 'timed.funnel_entered_at') }} as cohort_quarter_start,
    cast(timed.hours_from_lead as double) as hours_from_lead,
    cast(timed.hours_from_lead / 24.0 as double) as days_from_lead,
    cast(timed.next_stage_key as {{ dbt.type_string() }}) as next_stage_key,
    cast(timed.next_stage_entered_at as {{ dbt.type_timestamp() }}) as next_stage_entered_at,
    cast(timed.hours_in_stage as double) as hours_in_stage,
    cast(timed.hours_in_stage / 24.0 as double) as days_in_stage
from timed
left join persons
    on persons.person_id = timed.person_id
