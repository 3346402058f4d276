-- The unified journey per CRM account: every touchpoint of the account's persons (their
-- buying group, int_persons_identified.account_id) in one timeline, with the person kept
-- so that who in the buying group did what shows. Built on customer_journey, so the
-- person mapping and the touchpoint rules are the same.

with touchpoints as (
    select * from {{ ref('customer_journey') }}
    where account_id is not null
),

sequenced as (
    select
        touchpoints.*,
        row_number() over (
            partition by account_id
            order by
                occurred_at,
                {{ touchpoint_type_order('touchpoint_type') }},
                touchpoint_id
        ) as account_touchpoint_seq,
        min(occurred_at) over (partition by account_id) as first_account_touch_at,
        dense_rank() over (partition by account_id order by person_first_touch_at, person_id)
            as person_rank_in_account
    from (
        select
            touchpoints.*,
            min(occurred_at) over (partition by person_id) as person_first_touch_at
        from touchpoints
    ) as touchpoints
)

select
    touchpoint_id,
    account_id,
    cast(account_touchpoint_seq as bigint) as touchpoint_seq,
    person_id,
    cast(person_rank_in_account as bigint) as person_rank_in_account,
    touchpoint_seq as person_touchpoint_seq,
    occurred_at,
    cast({{ dbt.datediff('first_account_touch_at', 'occurred_at', 'day') }} as bigint)
        as days_since_first_account_touch,
    touchpoint_type,
    system,
    source_record_id,
    {%- for column in touchpoint_detail_column_names() %}
    {{ column }},
    {%- endfor %}
    is_inferred
from sequenced
