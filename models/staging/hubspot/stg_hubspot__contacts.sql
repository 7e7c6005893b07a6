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

        -- consent (docs/consent.md): hs_email_optout, and the WhatsApp consent property
        {{ hubspot_flag(json_text('payload', '$.properties.hs_email_optout')) }} as email_optout,
        {{ hubspot_consent_state(json_text('payload', '$.properties.whatsapp_marketing_consent')) }} as whatsapp_marketing_consent,
        {{ from_iso8601(json_text('payload', '$.properties.whatsapp_marketing_consent_date')) }} as whatsapp_marketing_consent_at,

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
        {{ hubspot_flag("coalesce(" ~ json_text('"row"', '$."Unsubscribed from all email"') ~ ", " ~ json_text('"row"', '$.hs_email_optout') ~ ")") }} as email_optout,
        {{ hubspot_consent_state("coalesce(" ~ json_text('"row"', '$."WhatsApp marketing consent"') ~ ", " ~ json_text('"row"', '$.whatsapp_marketing_consent') ~ ")") }} as whatsapp_marketing_consent,
        {{ from_iso8601("coalesce(" ~ json_text('"row"', '$."WhatsApp marketing consent date"') ~ ", " ~ json_text('"row"', '$.whatsapp_marketing_consent_date') ~ ")") }} as whatsapp_marketing_consent_at,
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

-- a consent property with no time of its own dates from the first version that shows
-- its current value
versions as (
    select
        *,
        min(updated_at) over (partition by crm_contact_id, email_optout) as email_optout_seen_at,
        min(updated_at) over (partition by crm_contact_id, whatsapp_marketing_consent) as whatsapp_marketing_consent_seen_at
    from unioned
),

latest as (
    select *
    from versions
    qualify row_number() over (
        partition by crm_contact_id order by updated_at desc nulls last, payload desc
    ) = 1
)

select * exclude (payload) from latest
