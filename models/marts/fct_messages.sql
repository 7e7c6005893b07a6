-- One row per message, any channel, in and out, with its latest delivery status.
with

messages as (
    select * from {{ ref('int_messages') }}
),

statuses as (
    select * from {{ ref('int_message_statuses') }}
),

assignments as (
    select item_id, conversation_id from {{ ref('int_conversation_assignments') }}
),

final as (
    select
        -- ids
        m.message_id,
        m.contact_id,
        a.conversation_id,
        m.inbox_id,
        m.operator_id,

        -- what
        m.channel,
        m.source,
        m.direction,
        m.sender_type,
        m.message_type,
        m.body,
        m.referral_source_id,
        m.ctwa_clid,

        -- delivery
        case
            when s.status is not null then s.status
            when m.direction = 'inbound' then 'received'
        end as status,
        coalesce(s.error_code, m.message_error_code) as error_code,
        s.pricing_category,
        s.pricing_type,
        coalesce(s.is_billable, false) as is_billable,

        -- timestamps
        m.sent_at,
        s.delivered_at,
        s.read_at
    from messages m
    left join statuses s using (message_id)
    left join assignments a on a.item_id = m.message_id
)

select * from final
