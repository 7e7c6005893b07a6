-- One row per Chatwoot message (the shared inbox's copy of every message, plus private
-- notes), from message_created / message_updated webhook events. Incremental
-- (macros/incremental.sql): new raw batches only; a message seen again competes with the
-- version already held.
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['chatwoot_account_id', 'chatwoot_message_id'],
    on_schema_change='sync_all_columns',
    pre_hook="{{ drop_rows_without_batches() }}",
) }}

with

source as (
    select * from {{ source('raw', 'chatwoot_events') }}
    where event in ('message_created', 'message_updated')
      and {{ new_batches_only() }}
),

extracted as (
    {{ json_fields('source', 'payload', {
        'j_id': '$.id',
        'j_conversation_id': '$.conversation.id',
        'j_inbox_id': '$.inbox.id',
        'j_conversation_inbox_id': '$.conversation.inbox_id',
        'j_account_id': '$.account.id',
        'j_source_id': '$.source_id',
        'j_message_type': '$.message_type',
        'j_private': '$.private',
        'j_content': '$.content',
        'j_content_type': '$.content_type',
        'j_sender': '$.sender',
        'j_sender_type': '$.sender.type',
        'j_sender_id': '$.sender.id',
        'j_sender_name': '$.sender.name',
        'j_sender_phone': '$.sender.phone_number',
        'j_sender_email': '$.sender.email',
        'j_contact_id': '$.conversation.meta.sender.id',
        'j_contact_phone': '$.conversation.meta.sender.phone_number',
        'j_contact_email': '$.conversation.meta.sender.email',
        'j_contact_name': '$.conversation.meta.sender.name',
        'j_contact_source_id': '$.conversation.contact_inbox.source_id',
        'j_created_at': '$.created_at',
    }) }}
),

renamed as (
    select
        -- ids
        j_id as chatwoot_message_id,
        j_conversation_id as chatwoot_conversation_id,
        coalesce(j_inbox_id, j_conversation_inbox_id) as chatwoot_inbox_id,
        j_account_id as chatwoot_account_id,
        nullif(j_source_id, '') as source_id,

        -- the message
        case j_message_type
            when '0' then 'incoming'
            when '1' then 'outgoing'
            when '2' then 'activity'
            when '3' then 'template'
            else j_message_type
        end as message_type,
        coalesce(cast(j_private as boolean), false) as is_private,
        j_content as content,
        j_content_type as content_type,

        -- who wrote it (a sender without a type is the contact)
        case
            when j_sender_type = 'user' then 'operator'
            when j_sender_type = 'agent_bot' then 'bot'
            when j_message_type in ('incoming', '0') then 'customer'
            when j_message_type in ('template', '3') then 'automation'
            when j_sender is null then 'automation'
            else 'customer'
        end as sender_type,
        case when j_sender_type = 'user' then j_sender_id end as operator_id,
        case when j_sender_type in ('user', 'agent_bot') then j_sender_name end as operator_name,

        -- the contact
        j_contact_id as chatwoot_contact_id,
        coalesce(
            j_contact_phone,
            case when j_sender_type is null or j_sender_type = 'contact' then j_sender_phone end
        ) as contact_phone_raw,
        j_contact_source_id as contact_wa_id,
        lower(trim(coalesce(
            j_contact_email,
            case when j_sender_type is null then j_sender_email end
        ))) as contact_email,
        coalesce(
            j_contact_name,
            case when j_sender_type is null then j_sender_name end
        ) as contact_name,

        -- timestamps (ISO text in webhooks, unix seconds in the REST API)
        case
            when try_cast(j_created_at as double) is not null
                then {{ from_unix_seconds('j_created_at') }}
            else {{ from_iso8601('j_created_at') }}
        end as created_at,

        event,
        md5(cast(payload as varchar)) as payload_hash,
        ingested_at
    from extracted
),

candidates as (
    select * from renamed
    union all
    {{ rows_held_for_keys('renamed', ['chatwoot_account_id', 'chatwoot_message_id']) }}
),

latest as (
    -- message_updated carries the newest content
    select *
    from candidates
    qualify row_number() over (
        partition by chatwoot_account_id, chatwoot_message_id order by event desc, payload_hash desc
    ) = 1
)

select * from latest
