-- Shared-inbox contacts as contact_created / contact_updated events describe them: the
-- inbox's agents link a person's channels (phone, e-mail, Instagram, Messenger) here.
with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event in ('contact_created', 'contact_updated')
),

renamed as (
    select
        -- ids
        coalesce({{ json_text('payload', '$.account.id') }}, '1') as chatwoot_account_id,
        {{ json_text('payload', '$.id') }} as chatwoot_contact_id,

        -- identifiers
        nullif(trim({{ json_text('payload', '$.phone_number') }}), '') as phone_raw,
        lower(trim({{ json_text('payload', '$.email') }})) as email,
        nullif(trim({{ json_text('payload', '$.additional_attributes.social_profiles.instagram') }}), '') as instagram_id,
        nullif(trim({{ json_text('payload', '$.additional_attributes.social_profiles.facebook') }}), '') as messenger_id,
        {{ json_text('payload', '$.name') }} as contact_name,

        -- timestamps: the update's own time when it says so
        coalesce(
            {{ from_iso8601(json_text('payload', '$.changed_attributes[1].updated_at.current_value')) }},
            {{ from_iso8601(json_text('payload', '$.updated_at')) }},
            {{ from_iso8601(json_text('payload', '$.created_at')) }}
        ) as updated_at
    from source
)

select distinct * from renamed
where chatwoot_contact_id is not null
