-- Customer retention per cohort: per month in which accounts became customers (their first
-- won opportunity, account_revenue.first_won_at), acquisition channel the account is
-- credited to, and month since (0 = the cohort's own month, up to the month of the end of
-- the data), how many of the cohort's customers are still customers at the end of that
-- month and how many have won a further deal. A customer counts as lost only on evidence
-- the exports hold (account_revenue.churned_at: a Renewal closed lost, or the account no
-- longer typed Customer); without renewals in the exports this is an upper bound on
-- retention, not a measured one.

{%- set max_months_since = 600 %}

with customers as (
    select
        account_id,
        acquisition_channel_key,
        acquisition_channel_name,
        cast({{ dbt.date_trunc('month', 'first_won_at') }} as date) as cohort_month,
        second_won_at,
        churned_at
    from {{ ref('account_revenue') }}
    where is_customer
),

data_as_of as (
    select max(data_as_of) as data_as_of from {{ ref('account_revenue') }}
),

cohorts as (
    select
        cohort_month,
        acquisition_channel_key,
        max(acquisition_channel_name) as acquisition_channel_name,
        count(*) as cohort_customers
    from customers
    group by cohort_month, acquisition_channel_key
),

-- 1, 2, 3, ... : month numbers for the spine, far more than any cohort needs.
month_numbers as (
    {{ dbt.generate_series(max_months_since) }}
),

cohort_months as (
    select
        cohorts.*,
        month_numbers.generated_number - 1 as months_since_first_won,
        cast({{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'cohorts.cohort_month') }} as date)
            as activity_month,
        data_as_of.data_as_of
    from cohorts
    cross join month_numbers
    cross join data_as_of
    where {{ dbt.dateadd('month', 'month_numbers.generated_number - 1', 'cohorts.cohort_month') }}
        <= data_as_of.data_as_of
),

counted as (
    select
        cohort_months.cohort_month,
        cohort_months.acquisition_channel_key,
        cohort_months.months_since_first_won,
        sum(
            case
                when customers.churned_at is null
                    or customers.churned_at >= {{ dbt.dateadd('month', 1, 'cohort_months.activity_month') }}
                    then 1
                else 0
            end
        ) as active_customers,
        sum(
            case
                when customers.second_won_at < {{ dbt.dateadd('month', 1, 'cohort_months.activity_month') }}
                    then 1
                else 0
            end
        ) as repeat_customers
    from cohort_months
    inner join customers
        on customers.cohort_month = cohort_months.cohort_month
        and customers.acquisition_channel_key = cohort_months.acquisition_channel_key
    group by
        cohort_months.cohort_month,
        cohort_months.acquisition_channel_key,
        cohort_months.months_since_first_won
)

select
    cohort_months.cohort_month,
    cast(cohort_months.acquisition_channel_key as {{ dbt.type_string() }}) as acquisition_channel_key,
    cast(cohort_months.acquisition_channel_name as {{ dbt.type_string() }}) as acquisition_channel_name,
    cast(cohort_months.months_since_first_won as {{ dbt.type_bigint() }}) as months_since_first_won,
    cohort_months.activity_month,
    cast(cohort_months.cohort_customers as {{ dbt.type_bigint() }}) as cohort_customers,
    cast(counted.active_customers as {{ dbt.type_bigint() }}) as active_customers,
    cast(cohort_months.cohort_customers - counted.active_customers as {{ dbt.type_bigint() }})
        as churned_customers,
    cast(counted.repeat_customers as {{ dbt.type_bigint() }}) as repeat_customers,
    cast(counted.active_customers as double) / cohort_months.cohort_customers as retention_rate,
    {{ dbt.dateadd('month', 1, 'cohort_months.activity_month') }} <= cohort_months.data_as_of
        as is_complete_month,
    cohort_months.data_as_of
from cohort_months
inner join counted
    on counted.cohort_month = cohort_months.cohort_month
    and counted.acquisition_channel_key = cohort_months.acquisition_channel_key
    and counted.months_since_first_won = cohort_months.months_since_first_won
