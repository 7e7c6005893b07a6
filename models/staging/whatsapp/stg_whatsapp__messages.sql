-- One row per WhatsApp message received (by wamid), whatever its type.
with

source as (
    select * from {{ source('raw', 'whatsapp_messages') }}
),

renamed as (
    select
        -- ids
        {{ json_text('message', '$.id') }} as message_id,
        waba_id,
        phone_number_id,
        display_phone_number,
        {{ json_text('message', '$.from') }} as from_wa_id,
        {{ json_text('message', '$.context.id') }} as context_message_id,
        {{ json_text('contacts', '$[0].profile.name') }} as profile_name,

        -- what was sent
        {{ json_text('message', '$.type') }} as message_type,
        coalesce(
            {{ json_text('message', '$.text.body') }},
            {{ json_text('message', '$.button.text') }},
            {{ json_text('message', '$.interactive.button_reply.title') }},
            {{ json_text('message', '$.interactive.list_reply.title') }},
            {{ json_text('message', '$.image.caption') }},
            {{ json_text('message', '$.video.caption') }},
            {{ json_text('message', '$.document.caption') }},
            {{ json_text('message', '$.document.filename') }},
            {{ json_text('message', '$.location.name') }},
            {{ json_text('message', '$.reaction.emoji') }},
            {{ json_text('message', '$.order.text') }}
        ) as body,
        coalesce(
            {{ json_text('message', '$.button.payload') }},
            {{ json_text('message', '$.interactive.button_reply.id') }},
            {{ json_text('message', '$.interactive.list_reply.id') }}
        ) as reply_payload,

        -- click-to-WhatsApp ads
        {{ json_text('message', '$.referral.source_id') }} as referral_source_id,
        {{ json_text('message', '$.referral.source_type') }} as referral_source_type,
        {{ json_text('message', '$.referral.source_url') }} as referral_source_url,
        {{ json_text('message', '$.referral.headline') }} as referral_headline,
        {{ json_text('message', '$.referral.ctwa_clid') }} as ctwa_clid,

        -- errors on the message or on the change that carried it
        cast(coalesce(
            {{ json_text('message', '$.errors[0].code') }},
            {{ json_text('change_errors', '$[0].code') }}
        ) as integer) as error_code,

        -- timestamps
        {{ from_unix_seconds(json_text('message', '$.timestamp')) }} as sent_at,

        cast(message as varchar) as payload
    from source
),

deduplicated as (
    -- Meta delivers at least once: the same wamid may arrive several times
    select *
    from renamed
    qualify row_number() over (partition by message_id order by payload) = 1
)

select * from deduplicated
