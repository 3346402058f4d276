-- The names, in the agreed language, of the channel keys the marts use for what no agreed
-- channel (definitions.channels) covers, and what each means, from their one home (the
-- macro channels_outside_the_list): the pages label those keys with them and the glossary
-- prints them.
select
    cast(channel_key as varchar) as channel_key,
    cast(channel_name as varchar) as channel_name,
    cast(meaning as varchar) as meaning
from (values
    {%- for channel in channels_outside_the_list() %}
    ('{{ channel.key }}', '{{ channel.name }}', '{{ channel.meaning }}'){{ "," if not loop.last }}
    {%- endfor %}
) as outside (channel_key, channel_name, meaning)  -- noqa: AL05
