{#- int_identities_linked, job 3 of 4: the persons, as connected components of the link
    graph (same e-mail address included) found by label propagation over `passes` passes,
    as CTEs ending in components (identity_rank -> person_rank, unresolved_links). Reads
    the CTEs of identity_links_ctes. -#}
{% macro identity_resolution_ctes(passes) -%}
-- The anchor of a person is its member that ranks first: a marketing or CRM record before a
-- browser, then the earliest seen, then the identity key. Arriving identities rank after
-- the ones already there, so a person's anchor (and person_id) only changes when two
-- known persons turn out to be one.
ranked_identities as (
    select
        *,
        row_number() over (
            order by
                case when identity_kind = 'web_client' then 1 else 0 end,
                case when first_seen_at is null then 1 else 0 end,
                first_seen_at,
                identity_key
        ) as identity_rank
    from (
        select
            {{ dbt.concat(['identity_kind', "':'", 'source_id']) }} as identity_key,
            *
        from identities
    ) as keyed
),

-- Identities sharing a normalised e-mail address: each links to the first-ranked holder
-- (a star, so the number of links grows with the holders, not with their pairs). A browser
-- holds the addresses typed into forms on it.
email_holders as (
    select identity_rank, email
    from ranked_identities
    where identity_kind <> 'web_client' and email is not null
    union
    select ranked_identities.identity_rank, form_submissions.email
    from form_submissions
    inner join ranked_identities
        on ranked_identities.identity_kind = 'web_client'
        and ranked_identities.source_id = form_submissions.ga_client_id
    left join shared_web_clients on shared_web_clients.client_id = form_submissions.ga_client_id
    where form_submissions.email is not null and shared_web_clients.client_id is null
),

email_anchors as (
    select email, min(identity_rank) as anchor_rank
    from email_holders
    group by email
),

ranked_links as (
    select
        from_identity.identity_rank as from_rank,
        to_identity.identity_rank as to_rank,
        links.link_type
    from links
    inner join ranked_identities as from_identity
        on from_identity.identity_kind = links.from_kind
        and from_identity.source_id = links.from_id
    inner join ranked_identities as to_identity
        on to_identity.identity_kind = links.to_kind
        and to_identity.source_id = links.to_id
    union all
    select email_holders.identity_rank, email_anchors.anchor_rank, 'same_email'
    from email_holders
    inner join email_anchors on email_anchors.email = email_holders.email
    where email_holders.identity_rank <> email_anchors.anchor_rank
),

-- Both directions, and every identity linked to itself so that it keeps its own label.
propagation_links as (
    select distinct from_rank, to_rank
    from (
        select from_rank, to_rank from ranked_links
        union all
        select to_rank, from_rank from ranked_links
        union all
        select identity_rank, identity_rank from ranked_identities
    ) as both_directions
),

labels_0 as (
    select identity_rank, identity_rank as person_rank
    from ranked_identities
),

{%- for pass in range(1, passes + 1) %}

labels_{{ pass }} as (
    select
        propagation_links.from_rank as identity_rank,
        min(neighbour.person_rank) as person_rank
    from propagation_links
    inner join labels_{{ pass - 1 }} as neighbour on neighbour.identity_rank = propagation_links.to_rank
    group by propagation_links.from_rank
),
{%- endfor %}

-- One more look at the neighbours: an identity whose linked identities still carry another
-- label than its own was not reached by the passes (unresolved_links > 0).
components as (
    select
        propagation_links.from_rank as identity_rank,
        min(case when propagation_links.to_rank = propagation_links.from_rank then neighbour.person_rank end)
            as person_rank,
        count(distinct neighbour.person_rank) - 1 as unresolved_links
    from propagation_links
    inner join labels_{{ passes }} as neighbour on neighbour.identity_rank = propagation_links.to_rank
    group by propagation_links.from_rank
),
{%- endmacro %}
