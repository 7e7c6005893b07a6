-- One row per Chatwoot message (the shared inbox's copy of every message, plus private
-- notes), from message_created / message_updated webhook events.
with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event in ('message_created', 'message_updated')
),

renamed as (
    select
        -- ids
        {{ json_text('payload', '$.id') }} as chatwoot_message_id,
        {{ json_text('payload', '$.conversation.id') }} as chatwoot_conversation_id,
        coalesce(
            {{ json_text('payload', '$.inbox.id') }},
            {{ json_text('payload', '$.conversation.inbox_id') }}
        ) as chatwoot_inbox_id,
        {{ json_text('payload', '$.account.id') }} as chatwoot_account_id,
        nullif({{ json_text('payload', '$.source_id') }}, '') as source_id,

        -- the message
        case {{ json_text('payload', '$.message_type') }}
            when '0' then 'incoming'
            when '1' then 'outgoing'
            when '2' then 'activity'
            when '3' then 'template'
            else {{ json_text('payload', '$.message_type') }}
        end as message_type,
        coalesce(cast({{ json_text('payload', '$.private') }} as boolean), false) as is_private,
        {{ json_text('payload', '$.content') }} as content,
        {{ json_text('payload', '$.content_type') }} as content_type,

        -- who wrote it (a sender without a type is the contact)
        case
            when {{ json_text('payload', '$.sender.type') }} = 'user' then 'operator'
            when {{ json_text('payload', '$.sender.type') }} = 'agent_bot' then 'bot'
            when {{ json_text('payload', '$.message_type') }} in ('incoming', '0') then 'customer'
            when {{ json_text('payload', '$.message_type') }} in ('template', '3') then 'automation'
            when {{ json_text('payload', '$.sender') }} is null then 'automation'
            else 'customer'
        end as sender_type,
        case when {{ json_text('payload', '$.sender.type') }} = 'user'
            then {{ json_text('payload', '$.sender.id') }} end as operator_id,
        case when {{ json_text('payload', '$.sender.type') }} in ('user', 'agent_bot')
            then {{ json_text('payload', '$.sender.name') }} end as operator_name,

        -- the contact
        {{ json_text('payload', '$.conversation.meta.sender.id') }} as chatwoot_contact_id,
        coalesce(
            {{ json_text('payload', '$.conversation.meta.sender.phone_number') }},
            case when {{ json_text('payload', '$.sender.type') }} is null
                   or {{ json_text('payload', '$.sender.type') }} = 'contact'
                then {{ json_text('payload', '$.sender.phone_number') }} end
        ) as contact_phone_raw,
        {{ json_text('payload', '$.conversation.contact_inbox.source_id') }} as contact_wa_id,
        lower(trim(coalesce(
            {{ json_text('payload', '$.conversation.meta.sender.email') }},
            case when {{ json_text('payload', '$.sender.type') }} is null
                then {{ json_text('payload', '$.sender.email') }} end
        ))) as contact_email,
        coalesce(
            {{ json_text('payload', '$.conversation.meta.sender.name') }},
            case when {{ json_text('payload', '$.sender.type') }} is null
                then {{ json_text('payload', '$.sender.name') }} end
        ) as contact_name,

        -- timestamps (ISO text in webhooks, unix seconds in the REST API)
        case
            when json_type({{ json_part('payload', '$.created_at') }}) in ('UBIGINT', 'BIGINT', 'DOUBLE')
                then {{ from_unix_seconds(json_text('payload', '$.created_at')) }}
            else {{ from_iso8601(json_text('payload', '$.created_at')) }}
        end as created_at,

        event,
        cast(payload as varchar) as payload
    from source
),

latest as (
    -- message_updated carries the newest content
    select *
    from renamed
    qualify row_number() over (
        partition by chatwoot_account_id, chatwoot_message_id order by event desc, payload desc
    ) = 1
)

select * from latest
