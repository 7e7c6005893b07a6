-- What a HubSpot contact's search properties say now, one row per contact and property
-- that holds a value in the latest version, with the moment it took that value.
with

source as (
    select * from {{ source('raw', 'hubspot_contacts') }}
),

versions as (
    select
        -- ids
        contact_id as crm_contact_id,
        file,
        line_no,

        -- the search properties (FORMATS.md, "hubspot/")
        nullif(trim({{ json_text('payload', '$.properties.preferred_rooms') }}), '') as preferred_rooms,
        nullif(trim({{ json_text('payload', '$.properties.preferred_area') }}), '') as preferred_area,
        nullif(trim({{ json_text('payload', '$.properties.budget_min') }}), '') as budget_min,
        nullif(trim({{ json_text('payload', '$.properties.budget_max') }}), '') as budget_max,

        -- timestamps
        {{ from_iso8601('updated_at') }} as updated_at
    from source
),

unpivoted as (
    select crm_contact_id, file, line_no, updated_at, 'preferred_rooms' as property, preferred_rooms as value from versions
    union all
    select crm_contact_id, file, line_no, updated_at, 'preferred_area', preferred_area from versions
    union all
    select crm_contact_id, file, line_no, updated_at, 'budget_min', budget_min from versions
    union all
    select crm_contact_id, file, line_no, updated_at, 'budget_max', budget_max from versions
),

ranked as (
    select
        *,
        row_number() over (
            partition by crm_contact_id, property
            order by updated_at desc nulls last, file desc, line_no desc
        ) as recency
    from unpivoted
),

latest as (
    select crm_contact_id, property, value as latest_value, updated_at as latest_updated_at
    from ranked
    where recency = 1
),

-- the last version before the latest that held another value (or none)
last_other as (
    select r.crm_contact_id, r.property, max(r.updated_at) as last_other_at
    from ranked r
    join latest l using (crm_contact_id, property)
    -- (values are trimmed and never blank, so '' stands for none)
    where coalesce(r.value, '') <> coalesce(l.latest_value, '')
    group by r.crm_contact_id, r.property
),

-- the latest value was set by the first version after that one
set_at as (
    select r.crm_contact_id, r.property, min(r.updated_at) as stated_at
    from ranked r
    left join last_other o using (crm_contact_id, property)
    where o.last_other_at is null or r.updated_at > o.last_other_at
    group by r.crm_contact_id, r.property
),

final as (
    select
        l.crm_contact_id,
        l.property,
        l.latest_value as value,
        coalesce(s.stated_at, l.latest_updated_at) as stated_at
    from latest l
    left join set_at s using (crm_contact_id, property)
    where l.latest_value is not null
)

select * from final
