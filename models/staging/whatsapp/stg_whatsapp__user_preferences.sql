-- Marketing preference changes the user made in WhatsApp (stop / resume).
with

source as (
    select * from {{ source('raw', 'whatsapp_changes') }}
    where field = 'user_preferences'
),

preferences as (
    select
        waba_id,
        phone_number_id,
        unnest({{ json_part('value', '$.user_preferences[*]') }}) as preference
    from source
),

renamed as (
    select
        -- ids
        {{ json_text('preference', '$.wa_id') }} as wa_id,
        waba_id,
        phone_number_id,

        -- the change
        {{ json_text('preference', '$.category') }} as category,
        {{ json_text('preference', '$.value') }} as preference_value,
        {{ json_text('preference', '$.detail') }} as detail,

        -- timestamps
        {{ from_unix_seconds(json_text('preference', '$.timestamp')) }} as changed_at
    from preferences
)

select distinct * from renamed
