-- Revenue per CRM account: one row per account (not deleted) with at least one
-- opportunity (not deleted), with its opportunities, won revenue, open pipeline, when it
-- became a customer and any evidence that it stopped being one, and the acquisition the
-- account is credited to.
--
-- An account is credited to one person's acquisition (int_persons_acquired), so that its
-- customers, revenue and lifetime value are counted once and in one place: the person of
-- the account's first opportunity (by creation) with a known person, that is the
-- opportunity's primary contact (Opportunity.ContactId), else the lead converted into it;
-- an account without such an opportunity falls back to its earliest-seen person
-- (int_persons_identified.account_id). An account with no person at all is 'unknown'.
--
-- Churn, as far as the exports can show it: a Renewal opportunity of the customer closed
-- lost, or the account's type no longer Customer (Account.Type) although it won a deal.
-- The second is undated in the export, so the account's last change (LastModifiedDate)
-- stands in for it.

-- When each opportunity closed and whether it was won: int_opportunities_closed, the one
-- definition (its last entry into its closing stage, else its close date).
with opportunity_results as (
    select
        opportunity_id,
        account_id,
        contact_id,
        opportunity_type,
        amount,
        is_closed,
        is_won,
        created_at,
        updated_at,
        case when is_closed then closed_at end as closed_at
    from {{ ref('int_opportunities_closed') }}
),

accounts as (
    select
        account_id,
        account_name,
        account_type,
        created_at,
        updated_at
    from {{ ref('stg_crm__accounts') }}
    where not is_deleted
),

-- The end of the data: the latest change to an opportunity or account in the CRM export.
data_as_of as (
    select max(changed_at) as data_as_of
    from (
        select updated_at as changed_at from opportunity_results
        union all
        select updated_at from accounts
        union all
        select changed_at from {{ ref('stg_crm__opportunity_history') }}
    ) as changes
),

crm_identities as (
    select identity_kind, source_id, person_id
    from {{ ref('int_identities_linked') }}
    where identity_kind in ('crm_contact', 'crm_lead')
),

converted_leads as (
    select lead_id, converted_opportunity_id, converted_date
    from {{ ref('stg_crm__leads') }}
    where converted_opportunity_id is not null
),

first_converted_leads as (
    {{ first_row_per('converted_leads', 'converted_opportunity_id', 'converted_date, lead_id') }}
),

opportunity_persons as (
    select
        opportunity_results.opportunity_id,
        opportunity_results.account_id,
        opportunity_results.created_at,
        coalesce(contact_persons.person_id, lead_persons.person_id) as person_id,
        case
            when contact_persons.person_id is not null then 'opportunity_contact'
            when lead_persons.person_id is not null then 'converted_lead'
        end as attributed_by
    from opportunity_results
    left join crm_identities as contact_persons
        on {{ identity_of('contact_persons', 'crm_contact', 'opportunity_results.contact_id') }}
    left join first_converted_leads
        on first_converted_leads.converted_opportunity_id = opportunity_results.opportunity_id
    left join crm_identities as lead_persons
        on {{ identity_of('lead_persons', 'crm_lead', 'first_converted_leads.lead_id') }}
),

first_opportunity_persons as (
    {{ first_row_per('opportunity_persons', 'account_id', 'created_at, opportunity_id', 'person_id is not null') }}
),

account_persons as (
    select person_id, account_id, first_seen_at
    from {{ ref('int_persons_identified') }}
    where account_id is not null
),

first_account_persons as (
    {{ first_row_per('account_persons', 'account_id', 'first_seen_at, person_id') }}
),

acquisitions as (
    select
        person_id,
        acquired_at,
        acquisition_channel_key,
        acquisition_channel_name,
        acquisition_campaign
    from {{ ref('int_persons_acquired') }}
),

won_deals as (
    select
        account_id,
        closed_at,
        row_number() over (partition by account_id order by closed_at, opportunity_id) as won_seq
    from opportunity_results
    where is_won
),

account_totals as (
    select
        account_id,
        count(*) as opportunity_count,
        sum(case when is_won then 1 else 0 end) as won_opportunity_count,
        sum(case when is_closed and not is_won then 1 else 0 end) as lost_opportunity_count,
        sum(case when not is_closed then 1 else 0 end) as open_opportunity_count,
        sum(case when is_won then coalesce(amount, 0) else 0 end) as won_revenue,
        sum(case when not is_closed then coalesce(amount, 0) else 0 end) as open_pipeline,
        avg(case when is_won then {{ dbt.datediff('created_at', 'closed_at', 'day') }} end)
            as avg_sales_cycle_days,
        max(case when is_won then closed_at end) as last_won_at,
        min(case when opportunity_type = 'Renewal' and is_closed and not is_won then closed_at end)
            as lost_renewal_at
    from opportunity_results
    group by account_id
),

won_dates as (
    select
        account_id,
        min(case when won_seq = 1 then closed_at end) as first_won_at,
        min(case when won_seq = 2 then closed_at end) as second_won_at
    from won_deals
    group by account_id
),

credited as (
    select
        account_totals.*,
        accounts.account_name,
        accounts.account_type,
        won_dates.first_won_at,
        won_dates.second_won_at,
        coalesce(first_opportunity_persons.person_id, first_account_persons.person_id)
            as acquiring_person_id,
        case
            when first_opportunity_persons.person_id is not null then first_opportunity_persons.attributed_by
            when first_account_persons.person_id is not null then 'account_first_person'
            else 'unattributed'
        end as attributed_by,
        -- Churn evidence after the account became a customer.
        case
            when won_dates.first_won_at is null then null
            when account_totals.lost_renewal_at >= won_dates.first_won_at then account_totals.lost_renewal_at
            when accounts.account_type <> 'Customer' then accounts.updated_at
        end as churned_at,
        case
            when won_dates.first_won_at is null then null
            when account_totals.lost_renewal_at >= won_dates.first_won_at then 'lost_renewal'
            when accounts.account_type <> 'Customer' then 'no_longer_customer_type'
        end as churn_evidence,
        accounts.created_at as account_created_at
    from account_totals
    inner join accounts
        on accounts.account_id = account_totals.account_id
    left join won_dates
        on won_dates.account_id = account_totals.account_id
    left join first_opportunity_persons
        on first_opportunity_persons.account_id = account_totals.account_id
    left join first_account_persons
        on first_account_persons.account_id = account_totals.account_id
)

select
    credited.account_id,
    credited.account_name,
    credited.account_type,
    credited.acquiring_person_id,
    cast(credited.attributed_by as {{ dbt.type_string() }}) as attributed_by,
    coalesce(acquisitions.acquisition_channel_key, 'unknown') as acquisition_channel_key,
    coalesce(acquisitions.acquisition_channel_name, {{ channel_outside_the_list_name("'unknown'") }})
        as acquisition_channel_name,
    acquisitions.acquisition_campaign,
    coalesce(acquisitions.acquired_at, credited.account_created_at) as acquired_at,
    cast({{ dbt.date_trunc('month', 'coalesce(acquisitions.acquired_at, credited.account_created_at)') }} as date)
        as acquisition_cohort_month,
    cast(credited.opportunity_count as {{ dbt.type_bigint() }}) as opportunity_count,
    cast(credited.won_opportunity_count as {{ dbt.type_bigint() }}) as won_opportunity_count,
    cast(credited.lost_opportunity_count as {{ dbt.type_bigint() }}) as lost_opportunity_count,
    cast(credited.open_opportunity_count as {{ dbt.type_bigint() }}) as open_opportunity_count,
    cast(credited.won_revenue as double) as won_revenue,
    cast(credited.open_pipeline as double) as open_pipeline,
    cast(credited.avg_sales_cycle_days as double) as avg_sales_cycle_days,
    credited.won_opportunity_count > 0 as is_customer,
    credited.first_won_at,
    credited.second_won_at,
    credited.last_won_at,
    credited.churned_at,
    cast(credited.churn_evidence as {{ dbt.type_string() }}) as churn_evidence,
    data_as_of.data_as_of
from credited
cross join data_as_of
left join acquisitions
    on acquisitions.person_id = credited.acquiring_person_id
