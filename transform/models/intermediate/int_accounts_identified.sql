{#-
  One row per CRM account (not deleted) with the persons known at it. The buying group is
  the persons the CRM itself puts there (a contact of the account, or a lead converted
  into it). Colleagues marketing knows but sales has not converted yet are counted
  separately, by their e-mail domain matching the account's website; a domain that
  several accounts share matches none of them rather than being counted twice. Persons
  at companies without a CRM account are not rows here: they keep their company fields
  in int_persons_identified.
-#}

with

accounts as (
    select *
    from {{ ref('stg_crm__accounts') }}
    where not is_deleted
),

persons as (
    select person_id, account_id, email_domain, first_seen_at
    from {{ ref('int_persons_identified') }}
),

-- www.example.com, https://www.example.com/about -> example.com
website_hosts as (
    select
        account_id,
        {{ dbt.split_part(
            dbt.replace(dbt.replace('lower(trim(website))', "'https://'", "''"), "'http://'", "''"),
            "'/'", 1) }} as website_host
    from accounts
    where website is not null
),

website_domains as (
    select
        account_id,
        case
            when website_host like 'www.%' then {{ dbt.right('website_host', dbt.length('website_host') ~ ' - 4') }}
            else website_host
        end as website_domain
    from website_hosts
),

unambiguous_domains as (
    select website_domain
    from website_domains
    where website_domain <> ''
    group by website_domain
    having count(*) = 1
),

buying_groups as (
    select
        account_id,
        count(*) as persons_count,
        min(first_seen_at) as first_person_seen_at
    from persons
    where account_id is not null
    group by account_id
),

domain_matches as (
    select
        website_domains.account_id,
        count(*) as unconverted_persons_count
    from persons
    inner join website_domains on website_domains.website_domain = persons.email_domain
    inner join unambiguous_domains on unambiguous_domains.website_domain = website_domains.website_domain
    where persons.account_id is null
    group by website_domains.account_id
)

select
    accounts.account_id,
    accounts.account_name,
    accounts.website,
    website_domains.website_domain,
    accounts.industry,
    accounts.employees,
    accounts.country,
    accounts.account_type,
    accounts.owner_id,
    accounts.created_at,
    coalesce(buying_groups.persons_count, 0) as persons_count,
    coalesce(domain_matches.unconverted_persons_count, 0) as unconverted_persons_count,
    coalesce(buying_groups.persons_count, 0) + coalesce(domain_matches.unconverted_persons_count, 0)
        as known_persons_count,
    buying_groups.first_person_seen_at
from accounts
left join website_domains on website_domains.account_id = accounts.account_id
left join buying_groups on buying_groups.account_id = accounts.account_id
left join domain_matches on domain_matches.account_id = accounts.account_id
