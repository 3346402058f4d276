-- Revenue, customers and realised customer lifetime value per acquisition channel, campaign
-- and cohort month (the month the persons were acquired). Persons are counted by their own
-- acquisition (int_persons_acquired); accounts, their opportunities and their revenue by
-- the acquisition account_revenue credits the account to, so that a customer and all its
-- revenue sit in one row. Lifetime value is realised only: won revenue per customer to
-- date. Nothing is projected, as the agreed definitions give no churn rate, margin or
-- contract term to project with.

with persons as (
    select
        acquisition_channel_key,
        max(acquisition_channel_name) as acquisition_channel_name,
        acquisition_campaign,
        cast({{ dbt.date_trunc('month', 'acquired_at') }} as date) as acquisition_cohort_month,
        count(*) as persons_acquired
    from {{ ref('int_persons_acquired') }}
    group by 1, 3, 4
),

accounts as (
    select * from {{ ref('account_revenue') }}
),

data_as_of as (
    select max(data_as_of) as data_as_of from accounts
),

slices as (
    select
        acquisition_channel_key,
        acquisition_channel_name,
        acquisition_campaign,
        acquisition_cohort_month,
        persons_acquired,
        0 as accounts_with_opportunity,
        0 as customers,
        0 as opportunity_count,
        0 as won_opportunity_count,
        0 as lost_opportunity_count,
        0 as open_opportunity_count,
        0 as won_revenue,
        0 as open_pipeline,
        0 as sales_cycle_days_of_won
    from persons
    union all
    select
        acquisition_channel_key,
        acquisition_channel_name,
        acquisition_campaign,
        acquisition_cohort_month,
        0,
        1,
        case when is_customer then 1 else 0 end,
        opportunity_count,
        won_opportunity_count,
        lost_opportunity_count,
        open_opportunity_count,
        won_revenue,
        open_pipeline,
        coalesce(avg_sales_cycle_days * won_opportunity_count, 0)
    from accounts
),

aggregated as (
    select
        acquisition_channel_key,
        max(acquisition_channel_name) as acquisition_channel_name,
        acquisition_campaign,
        acquisition_cohort_month,
        sum(persons_acquired) as persons_acquired,
        sum(accounts_with_opportunity) as accounts_with_opportunity,
        sum(customers) as customers,
        sum(opportunity_count) as opportunity_count,
        sum(won_opportunity_count) as won_opportunity_count,
        sum(lost_opportunity_count) as lost_opportunity_count,
        sum(open_opportunity_count) as open_opportunity_count,
        sum(won_revenue) as won_revenue,
        sum(open_pipeline) as open_pipeline,
        sum(sales_cycle_days_of_won) as sales_cycle_days_of_won
    from slices
    group by acquisition_channel_key, acquisition_campaign, acquisition_cohort_month
)

select
    cast(aggregated.acquisition_channel_key as {{ dbt.type_string() }}) as acquisition_channel_key,
    cast(aggregated.acquisition_channel_name as {{ dbt.type_string() }}) as acquisition_channel_name,
    cast(aggregated.acquisition_campaign as {{ dbt.type_string() }}) as acquisition_campaign,
    aggregated.acquisition_cohort_month,
    cast(aggregated.persons_acquired as {{ dbt.type_bigint() }}) as persons_acquired,
    cast(aggregated.accounts_with_opportunity as {{ dbt.type_bigint() }}) as accounts_with_opportunity,
    cast(aggregated.customers as {{ dbt.type_bigint() }}) as customers,
    cast(aggregated.opportunity_count as {{ dbt.type_bigint() }}) as opportunity_count,
    cast(aggregated.won_opportunity_count as {{ dbt.type_bigint() }}) as won_opportunity_count,
    cast(aggregated.lost_opportunity_count as {{ dbt.type_bigint() }}) as lost_opportunity_count,
    cast(aggregated.open_opportunity_count as {{ dbt.type_bigint() }}) as open_opportunity_count,
    cast(aggregated.won_opportunity_count as double)
        / nullif(aggregated.won_opportunity_count + aggregated.lost_opportunity_count, 0) as win_rate,
    cast(aggregated.won_revenue as double) as won_revenue,
    cast(aggregated.won_revenue as double) / nullif(aggregated.won_opportunity_count, 0)
        as average_deal_size,
    cast(aggregated.sales_cycle_days_of_won as double) / nullif(aggregated.won_opportunity_count, 0)
        as avg_sales_cycle_days,
    cast(aggregated.open_pipeline as double) as open_pipeline,
    cast(aggregated.won_revenue as double) / nullif(aggregated.customers, 0)
        as realised_customer_lifetime_value,
    cast(aggregated.won_revenue as double) / nullif(aggregated.persons_acquired, 0)
        as won_revenue_per_person_acquired,
    data_as_of.data_as_of
from aggregated
cross join data_as_of
