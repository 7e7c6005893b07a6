-- Messenger and Instagram messages, one row per message id (mid): customers' messages
-- and the business's replies (echoes).
with

source as (
    select * from {{ source('raw', 'meta_messaging_events') }}
    where event_kind in ('message', 'echo') and mid is not null
),

renamed as (
    select
        -- ids
        mid as message_id,
        case when object = 'instagram' then 'instagram' else 'messenger' end as channel,
        entry_id as business_account_id,
        case when event_kind = 'echo' then recipient_id else sender_id end as customer_id,

        -- the message
        case when event_kind = 'echo' then 'outbound' else 'inbound' end as direction,
        coalesce({{ json_text('item', '$.message.attachments[0].type') }}, 'text') as message_type,
        {{ json_text('item', '$.message.text') }} as body,
        {{ json_text('item', '$.message.app_id') }} as app_id,

        -- timestamps (milliseconds)
        {{ from_unix_seconds('timestamp_ms / 1000.0') }} as sent_at,
        cast(item as varchar) as payload
    from source
),

deduplicated as (
    select * from renamed
    qualify row_number() over (partition by message_id order by payload) = 1
)

select * exclude (payload) from deduplicated
