-- One row per (outbound message, status): sent, delivered, read, played or failed.
with

source as (
    select * from {{ source('raw', 'whatsapp_statuses') }}
),

renamed as (
    select
        -- ids
        {{ json_text('status', '$.id') }} as message_id,
        phone_number_id,
        {{ json_text('status', '$.recipient_id') }} as recipient_wa_id,
        {{ json_text('status', '$.conversation.id') }} as pricing_conversation_id,

        -- status
        {{ json_text('status', '$.status') }} as status,
        case {{ json_text('status', '$.status') }}
            when 'sent' then 1
            when 'delivered' then 2
            when 'read' then 3
            when 'played' then 4
            when 'failed' then 9
            else 0
        end as status_rank,

        -- pricing (CBP era: billable + category; PMP era: pricing_model, type, category)
        {{ json_text('status', '$.pricing.pricing_model') }} as pricing_model,
        {{ json_text('status', '$.pricing.type') }} as pricing_type,
        {{ json_text('status', '$.pricing.category') }} as pricing_category,
        cast({{ json_text('status', '$.pricing.billable') }} as boolean) as pricing_billable,
        {{ json_text('status', '$.conversation.origin.type') }} as conversation_origin,

        -- errors
        cast({{ json_text('status', '$.errors[0].code') }} as integer) as error_code,
        {{ json_text('status', '$.errors[0].title') }} as error_title,
        {{ json_text('status', '$.errors[0].error_data.details') }} as error_detail,

        -- timestamps
        {{ from_unix_seconds(json_text('status', '$.timestamp')) }} as status_at,

        cast(status as varchar) as payload
    from source
),

deduplicated as (
    select *
    from renamed
    qualify row_number() over (
        partition by message_id, status order by status_at, payload
    ) = 1
)

select * from deduplicated
