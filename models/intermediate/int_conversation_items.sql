-- The events that open, answer and close conversations, one stream per contact and
-- inbox:
--   I  a customer message (reactions do not count)
--   H  a message written by a human operator
--   O  any other outbound message (bot, automation, campaign)
--   R  the inbox marking the conversation resolved
with

messages as (
    select * from {{ ref('int_messages') }}
),

conversation_events as (
    select * from {{ ref('stg_chatwoot__conversation_events') }}
),

inboxes as (
    select * from {{ ref('inboxes') }}
),

phones as (
    select * from {{ source('raw', 'phone_numbers') }}
),

message_items as (
    select
        contact_id,
        inbox_id,
        message_id as item_id,
        sent_at as item_at,
        case
            when direction = 'inbound' then 'I'
            when sender_type = 'operator' then 'H'
            else 'O'
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
        {{ contact_of("coalesce(" ~ phone_node('coalesce(p_typed.phone_e164, p_wa.phone_e164)') ~ ", 'chatwoot:' || i.chatwoot_account_id || ':' || e.chatwoot_contact_id)") }} as contact_id,
        i.inbox_id,
        'resolution:' || e.chatwoot_conversation_id || ':' || cast(e.occurred_at as varchar) as item_id,
        e.occurred_at as item_at,
        'R' as kind,
        cast(null as varchar) as operator_id
    from conversation_events e
    left join inboxes i on i.chatwoot_inbox_id = e.chatwoot_inbox_id
    left join phones p_typed on p_typed.kind = 'typed' and p_typed.raw_value = e.contact_phone_raw
    left join phones p_wa on p_wa.kind = 'wa_id' and p_wa.raw_value = e.contact_wa_id
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
        case kind when 'I' then 1 when 'H' then 2 when 'O' then 3 else 4 end as kind_order
    from unioned
)

select * from final
