-- The events that open, answer and close conversations, one stream per contact, inbox
-- and thread (stream_ref: an imported conversation_ref, else ''), each of one kind:
--   customer_message  a customer message (reactions do not count)
--   human_reply       a message written by a human operator
--   other_outbound    any other outbound message (bot, automation, campaign)
--   resolution        the inbox marking the conversation resolved
with

messages as (
    select * from {{ ref('int_messages') }}
),

conversation_events as (
    select * from {{ ref('stg_chatwoot__conversation_events') }}
),

inbox_keys as (
    select * from {{ ref('int_inbox_keys') }}
),

record_contacts as (
    select * from {{ ref('int_record_contacts') }}
),

message_items as (
    select
        contact_id,
        inbox_id,
        coalesce(conversation_ref, '') as stream_ref,
        message_id as item_id,
        sent_at as item_at,
        case
            when direction = 'inbound' then 'customer_message'
            when sender_type = 'operator' then 'human_reply'
            else 'other_outbound'
        end as kind,
        operator_id
    from messages
    where contact_id is not null
      and inbox_id is not null
      and sent_at is not null
      and not (direction = 'inbound' and message_type = 'reaction')
),

resolutions as (
    select
        rc.contact_id,
        k.inbox_id,
        '' as stream_ref,
        'resolution:' || e.chatwoot_conversation_id || ':' || cast(e.occurred_at as varchar) as item_id,
        e.occurred_at as item_at,
        'resolution' as kind,
        cast(null as varchar) as operator_id
    from conversation_events e
    left join inbox_keys k on k.key_kind = 'chatwoot_inbox_id' and k.key_value = e.chatwoot_inbox_id
    left join record_contacts rc
      on rc.record_id = {{ chatwoot_event_record_id('e.chatwoot_account_id', 'e.chatwoot_conversation_id', 'e.occurred_at') }}
    where e.status = 'resolved'
      and e.is_status_change
      and e.occurred_at is not null
),

unioned as (
    select * from message_items
    union all
    select distinct * from resolutions
    where contact_id is not null and inbox_id is not null
),

final as (
    select
        *,
        case kind when 'customer_message' then 1 when 'human_reply' then 2 when 'other_outbound' then 3 else 4 end
            as kind_order
    from unioned
)

select * from final
