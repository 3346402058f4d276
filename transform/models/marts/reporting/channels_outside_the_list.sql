-- The names, in the agreed language, of the channel keys the marts use for what no agreed
-- channel (definitions.channels) covers, and what each means: the one home of these names;
-- the pages label those keys with them and the glossary prints them.
select
    cast(channel_key as varchar) as channel_key,
    cast(channel_name as varchar) as channel_name,
    cast(meaning as varchar) as meaning
from (values
    (
        'unmapped',
        'Unlisted source',
        'A source value no agreed channel lists (a UTM medium, HubSpot original source or '
        || 'Salesforce LeadSource), or a web touch with none, as on most forms: it earns '
        || 'credit that no channel can claim until the definitions file lists the source.'
    ),
    (
        'unknown',
        'No source recorded',
        'A person for whom no system recorded any source.'
    ),
    (
        'no_marketing_touch',
        'No marketing touch in lookback',
        'An opportunity whose buying group had no marketing touch in the attribution '
        || 'lookback: what no channel earned.'
    )
) as outside (channel_key, channel_name, meaning)  -- noqa: AL05
