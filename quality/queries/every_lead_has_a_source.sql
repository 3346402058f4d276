-- Every person who became a lead or went further, with their acquisition channel.
select acquired.person_id, acquired.acquisition_channel_key,
       acquired.acquisition_channel_from, acquired.acquisition_source_value
from {{ ref('int_persons_acquired') }} as acquired
where acquired.person_id in (
    select person_id from {{ ref('int_lifecycle_stages_entered') }}
    where stage_key <> 'subscriber')
