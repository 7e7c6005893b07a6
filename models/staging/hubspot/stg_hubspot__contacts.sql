-- One row per HubSpot contact: its latest version, from the API and from CSV exports.
with

api as (
    select * from {{ source('raw', 'hubspot_contacts') }}
),

exports as (
    select * from {{ source('raw', 'hubspot_contacts_csv') }}
),

from_api as (
    select
        -- ids
        contact_id as crm_contact_id,

        -- identifiers
        lower(trim({{ json_text('payload', '$.properties.email') }})) as email,
        nullif(trim({{ json_text('payload', '$.properties.phone') }}), '') as phone_raw,
        nullif(trim({{ json_text('payload', '$.properties.mobilephone') }}), '') as mobile_phone_raw,
        nullif(trim({{ json_text('payload', '$.properties.hs_whatsapp_phone_number') }}), '') as whatsapp_phone_raw,

        -- attributes
        {{ json_text('payload', '$.properties.firstname') }} as first_name,
        {{ json_text('payload', '$.properties.lastname') }} as last_name,
        {{ json_text('payload', '$.properties.lifecyclestage') }} as lifecycle_stage,
        coalesce(archived, false) as is_archived,

        -- timestamps
        {{ from_iso8601(json_text('payload', '$.createdAt')) }} as created_at,
        {{ from_iso8601('updated_at') }} as updated_at,
        cast(payload as varchar) as payload
    from api
),

from_exports as (
    select
        record_id as crm_contact_id,
        lower(trim(email)) as email,
        nullif(trim(phone), '') as phone_raw,
        nullif(trim(mobile_phone), '') as mobile_phone_raw,
        nullif(trim(whatsapp_phone), '') as whatsapp_phone_raw,
        first_name,
        last_name,
        lifecycle_stage,
        false as is_archived,
        created_at,
        last_modified_at as updated_at,
        cast("row" as varchar) as payload
    from exports
),

unioned as (
    select * from from_api
    union all
    select * from from_exports
),

latest as (
    select *
    from unioned
    qualify row_number() over (
        partition by crm_contact_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
