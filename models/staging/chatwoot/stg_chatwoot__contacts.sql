-- Shared-inbox contacts as contact_created / contact_updated events describe them: the
-- inbox's agents link a person's channels (phone, e-mail, Instagram, Messenger) here.
with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event in ('contact_created', 'contact_updated')
),

extracted as (
    {{ json_fields('source', 'payload', {
        'j_account_id': '$.account.id',
        'j_id': '$.id',
        'j_phone_number': '$.phone_number',
        'j_email': '$.email',
        'j_instagram': '$.additional_attributes.social_profiles.instagram',
        'j_facebook': '$.additional_attributes.social_profiles.facebook',
        'j_name': '$.name',
        'j_changed_updated_at': '$.changed_attributes[1].updated_at.current_value',
        'j_updated_at': '$.updated_at',
        'j_created_at': '$.created_at',
    }) }}
),

renamed as (
    select
        -- ids
        coalesce(j_account_id, '1') as chatwoot_account_id,
        j_id as chatwoot_contact_id,

        -- identifiers
        nullif(trim(j_phone_number), '') as phone_raw,
        lower(trim(j_email)) as email,
        nullif(trim(j_instagram), '') as instagram_id,
        nullif(trim(j_facebook), '') as messenger_id,
        j_name as contact_name,

        -- timestamps: the update's own time when it says so
        coalesce(
            {{ from_iso8601('j_changed_updated_at') }},
            {{ from_iso8601('j_updated_at') }},
            {{ from_iso8601('j_created_at') }}
        ) as updated_at
    from extracted
)

select distinct * from renamed
where chatwoot_contact_id is not null
