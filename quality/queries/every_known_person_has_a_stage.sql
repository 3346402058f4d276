-- Every known person, and whether they entered any lifecycle stage.
select persons.person_id, persons.primary_email,
       exists (select 1 from {{ ref('int_lifecycle_stages_entered') }} as stages
               where stages.person_id = persons.person_id) as has_a_stage
from {{ ref('int_persons_identified') }} as persons
